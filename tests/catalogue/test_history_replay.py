"""The history is faithful: replaying every change it holds, oldest first, gives the catalogue
as it is (what a three-way merge relies on to find the state two copies shared)."""
import json
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.catalogue import Catalogue
from models.catalogue.records import Citation, Membership, Organisation, Partnership, Source
from models.errors import CatalogueError
from models.storage import journal
from models.storage.schema import IDENTIFIED_TABLES

STEPS = st.lists(st.tuples(st.sampled_from(["add", "rename", "member", "unmember", "delete", "cite",
                                            "org", "undo", "redo"]),
                           st.integers(0, 10**6)), max_size=25)


def _replayed(cat) -> dict[tuple[str, str], dict]:
    rows: dict[tuple[str, str], dict] = {}
    for entry in reversed(cat.history.entries()):
        for c in entry.changes:
            if c.tbl not in IDENTIFIED_TABLES:
                continue
            key = (c.tbl, c.row_uuid)
            if c.op == "D":
                assert key in rows, f"{c.tbl} {c.row_uuid} removed before it was added"
                del rows[key]
            elif c.op == "I":
                assert key not in rows
                rows[key] = dict(c.new)
            else:
                assert all(rows[key].get(f) == v for f, v in c.old.items()), "old is not what was there"
                rows[key].update(c.new)
    return rows


def _now(cat) -> dict[tuple[str, str], dict]:
    store = cat.store
    out = {}
    for table in IDENTIFIED_TABLES:
        sql = journal._json_sql(table, store.columns[table], store.foreign_keys[table])
        for row_uuid, values in store.conn.execute(f"SELECT uuid, {sql} FROM {table}"):
            out[(table, row_uuid)] = json.loads(values)
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_replaying_the_history_gives_the_catalogue(tmp_path_factory, steps):
    path = tmp_path_factory.mktemp("replay") / "c.gpkg"
    with Catalogue.create(path) as cat:
        orgs = [cat.organisations.add(Organisation(n, gss_code=c)).id
                for n, c in (("Barnet", "E09000003"), ("Brent", "E09000005"))]
        source = cat.sources.add(Source("Report")).id
        undo, redo = [], []
        for op, n in steps:
            ps = cat.partnerships.all()
            try:
                if op == "add":
                    r = cat.partnerships.add(Partnership(f"P{n}"), [Membership(0, orgs[n % 2])])
                elif op == "org":
                    r = cat.organisations.add(Organisation(f"Org {n}"))
                    orgs.append(r.id)
                elif not ps and op not in ("undo", "redo"):
                    continue
                elif op == "rename":
                    p = ps[n % len(ps)]
                    r = cat.partnerships.update(replace(p, name=f"{p.name}'", lead_id=orgs[n % len(orgs)]))
                elif op == "member":
                    r = cat.partnerships.add_member(Membership(ps[n % len(ps)].id, orgs[n % len(orgs)], role="funder"))
                elif op == "unmember":
                    ms = cat.partnerships.memberships(ps[n % len(ps)].id)
                    if not ms:
                        continue
                    r = cat.partnerships.remove_member(ms[0].id)
                elif op == "delete":
                    r = cat.partnerships.delete(ps[n % len(ps)].id)
                elif op == "cite":
                    r = cat.sources.cite(Citation(source, page=str(n), partnership_id=ps[n % len(ps)].id))
                elif op == "undo":
                    if undo:
                        redo.append(undo.pop()())
                    continue
                else:
                    if redo:
                        undo.append(redo.pop()())
                    continue
            except CatalogueError:
                continue   # refused (a member twice, an organisation gone): nothing written
            undo.append(r)
            redo.clear()
        now = _now(cat)
        assert len(now) >= 3   # the two organisations and the source at least
        assert _replayed(cat) == now
