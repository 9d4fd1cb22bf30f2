"""The child of the kill trials: random edits through the model API, each logged.

Before an edit it logs its intent, after the commit returns the edit again with
the ids it got; bench/reliability/kill.py kills this process at a random moment
and checks the file against the log.

    python -m bench.reliability.kill_child CATALOGUE --log LOG --seed N
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path


class Editor:
    """Random edits through the model API, each logged before and after its commit."""

    def __init__(self, cat, log_fd: int, rng: random.Random):
        self.cat, self.log_fd, self.rng = cat, log_fd, rng
        self.undo: list = []  # Reverts, as the GUI's undo stack holds them
        self.redo: list = []
        self.seq = 0
        # Units by layer: a stroke paints on the layer its area is on (areas move between
        # the two ward vintages when re-based); new areas start on the first.
        self.layer_units = {l.id: [int(u) for u in cat.layers.table(l.id).ids] for l in cat.layers.all()}
        self.units = next(iter(self.layer_units.values()))

    def _log(self, entry: dict) -> None:
        # One write() per line on an O_APPEND descriptor: the line is in the OS the
        # moment it returns, so SIGKILL cannot lose it (a power cut could: not tested).
        os.write(self.log_fd, (json.dumps(entry) + "\n").encode())

    def _name(self, what: str) -> str:
        return f"{what} {self.seq} {self.rng.randrange(16 ** 6):06x}"

    def choose(self) -> dict:
        cat, rng = self.cat, self.rng
        ps = list(cat.partnerships.names())
        orgs = [o.id for o in cat.organisations.all()]
        ms = [m.id for m in cat.partnerships.memberships()]
        areas = [a.id for a in cat.areas.all(outlines=False)]
        weights = {
            "partnership_add": 3 if len(ps) < 30 else 0.5,
            "partnership_rename": 2 if ps else 0,
            "partnership_delete": (1 + len(ps) / 15) if ps else 0,
            "organisation_add": 2 if len(orgs) < 40 else 0.3,
            "organisation_delete": (0.5 + len(orgs) / 40) if orgs else 0,
            "membership_add": 3 if ps and orgs else 0,
            "membership_remove": 2 if ms else 0,
            "area_add": 2 if len(areas) < 20 else 0.3,
            "area_stroke": 4 if areas else 0,
            "area_delete": (1 + len(areas) / 20) if areas else 0,
            "area_rebase": 0.7 if areas else 0,
            "undo": 1.5 if self.undo else 0,
            "redo": 1.0 if self.redo else 0,
        }
        kinds = [k for k, w in weights.items() if w]
        kind = rng.choices(kinds, [weights[k] for k in kinds])[0]
        op: dict = {"op": kind}
        if kind in ("partnership_add", "organisation_add"):
            op["name"] = self._name(kind.split("_")[0].title())
        elif kind == "partnership_rename":
            op.update(partnership=rng.choice(ps), name=self._name("Renamed"))
        elif kind == "partnership_delete":
            op["partnership"] = rng.choice(ps)
        elif kind == "organisation_delete":
            op["organisation"] = rng.choice(orgs)
        elif kind == "membership_add":
            op.update(partnership=rng.choice(ps), organisation=rng.choice(orgs))
        elif kind == "membership_remove":
            op["membership"] = rng.choice(ms)
        elif kind == "area_add":
            op.update(name=self._name("Area"), partnership=rng.choice([None, *ps]),
                      units=sorted(rng.sample(self.units, rng.randint(0, 8))))
        elif kind == "area_stroke":
            area = rng.choice(areas)
            record = cat.areas.get(area)
            current = record.unit_ids
            outside = [u for u in self.layer_units.get(record.layer_id, self.units) if u not in current]
            op.update(area=area,
                      add=sorted(rng.sample(outside, min(len(outside), rng.randint(0, 4)))),
                      remove=sorted(rng.sample(sorted(current), min(len(current), rng.randint(0, 3)))))
        elif kind == "area_delete":
            op["area"] = rng.choice(areas)
        elif kind == "area_rebase":
            # What `rebase --apply` does: every area of one vintage onto the other. The
            # plan is deterministic, so the moves logged are the ones the edit writes.
            from models.analysis.rebase import plan_rebase
            layers = {l.id: l.name for l in cat.layers.all()}
            on = [a.layer_id for a in cat.areas.all(outlines=False) if a.layer_id is not None]
            if not on:
                return {"op": "area_delete", "area": rng.choice(areas)}
            source = rng.choice(on)
            target = next(name for i, name in layers.items() if i != source)
            plans, _ = plan_rebase(cat, target, layers[source])
            op.update(source=layers[source], to=target,
                      moves=[[p.area_id, sorted(p.units_after)] for p in plans])
        return op

    def run(self, op: dict):
        from models.catalogue.records import Area, Membership, Organisation, Partnership
        cat, kind = self.cat, op["op"]
        if kind == "undo":
            revert = self.undo.pop()
            self.redo.append(revert())
            return None
        if kind == "redo":
            revert = self.redo.pop()
            self.undo.append(revert())
            return None
        if kind == "partnership_add":
            revert = cat.partnerships.add(Partnership(op["name"]))
        elif kind == "partnership_rename":
            from dataclasses import replace
            revert = cat.partnerships.update(replace(cat.partnerships.get(op["partnership"]), name=op["name"]))
        elif kind == "partnership_delete":
            revert = cat.partnerships.delete(op["partnership"])
        elif kind == "organisation_add":
            revert = cat.organisations.add(Organisation(op["name"]))
        elif kind == "organisation_delete":
            revert = cat.organisations.delete(op["organisation"])
        elif kind == "membership_add":
            revert = cat.partnerships.add_member(Membership(op["partnership"], op["organisation"]))
        elif kind == "membership_remove":
            revert = cat.partnerships.remove_member(op["membership"])
        elif kind == "area_add":
            revert = cat.areas.add(Area(op["name"], partnership_id=op["partnership"],
                                        unit_ids=frozenset(op["units"])))
        elif kind == "area_stroke":
            revert = cat.areas.change_units(op["area"], add=op["add"], remove=op["remove"])
        elif kind == "area_rebase":
            from models.analysis.rebase import apply_rebase, plan_rebase
            revert = apply_rebase(cat, plan_rebase(cat, op["to"], op["source"])[0])
        else:  # area_delete
            revert = cat.areas.delete(op["area"])
        self.undo.append(revert)
        self.redo.clear()
        return revert.id if kind.endswith("_add") else None

    def step(self, op: dict | None = None) -> None:
        """One edit, `op` or a random one, logged before it starts and after it commits."""
        from models.errors import CatalogueError
        self.seq += 1
        op = dict(op) if op else self.choose()
        self._log({"t": "intent", "n": self.seq, **op})
        try:
            new_id = self.run(op)
        except CatalogueError as e:
            self._log({"t": "refused", "n": self.seq, "why": str(e)})
            return
        if new_id is not None:
            op["id"] = new_id
        self._log({"t": "done", "n": self.seq, **op})


def child(path: Path, log: Path, seed: int, limit: int) -> int:
    from models.catalogue import Catalogue
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    cat = Catalogue.open(path)
    editor = Editor(cat, fd, random.Random(seed))
    editor.step()
    # The parent starts its clock once an edit has committed, so every trial edits.
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for _ in range(limit):
        editor.step()
    cat.close()
    return 3  # not killed in time: the parent reports it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability.kill_child")
    parser.add_argument("catalogue")
    parser.add_argument("--log", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--limit", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    return child(Path(args.catalogue), Path(args.log), args.seed, args.limit)


if __name__ == "__main__":
    sys.exit(main())
