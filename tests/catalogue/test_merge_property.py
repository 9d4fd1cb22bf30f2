"""Property: whatever two researchers do to their copies, merging one into the other leaves a
sound file holding every row of both (or the plan says why not), and merging again changes nothing."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from models.catalogue import Catalogue, merge
from models.catalogue.records import Citation, Membership, Organisation, Partnership, Source
from models.errors import CatalogueError
from models.storage import check
from tests.helpers.catalogues import small_catalogue

OPS = ("rename", "describe", "add_partnership", "delete_partnership", "add_member", "remove_member",
       "end_member", "add_organisation", "rename_organisation", "cite", "undo")
edits = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 50)), max_size=12)


def _apply(cat, ops, side: str) -> None:
    done = []
    for n, (op, i, j) in enumerate(ops):
        ps, orgs = cat.partnerships.all(), cat.organisations.all()
        p = ps[i % len(ps)] if ps else None
        o = orgs[j % len(orgs)] if orgs else None
        members = cat.partnerships.memberships(p.id) if p else []
        m = members[j % len(members)] if members else None
        try:
            if op == "rename" and p:
                r = cat.partnerships.update(replace(p, name=f"{p.name} {side}{n}"))
            elif op == "describe" and p:
                r = cat.partnerships.update(replace(p, description=f"said by {side}"))
            elif op == "add_partnership":
                r = cat.partnerships.add(Partnership(f"New {side}{n}"), [Membership(0, o.id)] if o else [])
            elif op == "delete_partnership" and p:
                r = cat.partnerships.delete(p.id)
            elif op == "add_member" and p and o:
                r = cat.partnerships.add_member(Membership(p.id, o.id, role="observer"))
            elif op == "remove_member" and m:
                r = cat.partnerships.remove_member(m.id)
            elif op == "end_member" and m:
                r = cat.partnerships.update_member(replace(m, left="2020-01-31"))
            elif op == "add_organisation":
                r = cat.organisations.add(Organisation(f"Body {side}{n}"))
            elif op == "rename_organisation" and o:
                r = cat.organisations.update(replace(o, name=f"{o.name} {side}"))
            elif op == "cite" and p:
                r = cat.sources.cite_new(Source(f"Notes {side}{n}", year=2020), Citation(0, partnership_id=p.id))
            elif op == "undo" and done:
                done.pop()()
                continue
            else:
                continue
        except CatalogueError:
            continue
        done.append(r)


def _gone_with(rows: dict, table: str, u: str, explained: set) -> bool:
    """Whether the row, or a record it hangs on (transitively), is explained by the plan."""
    if (table, u) in explained:
        return True
    row = rows[table].get(u, {})
    return any(row.get(col) is not None and _gone_with(rows, parent, row[col], explained)
               for col, parent in merge.FKS.get(table, {}).items())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mine_ops=edits, theirs_ops=edits, prefer=st.sampled_from(["mine", "theirs"]))
# Found by this test: a member added to a partnership the other copy deleted, the deletion kept.
@example(mine_ops=[("delete_partnership", 0, 0)], theirs_ops=[("add_member", 0, 0)], prefer="mine")
@example(mine_ops=[("add_member", 0, 0)], theirs_ops=[("delete_partnership", 0, 0)], prefer="theirs")
def test_any_edits_merge_soundly_and_keep_every_row(mine_ops, theirs_ops, prefer):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        base, a, b = folder / "base.gpkg", folder / "a.gpkg", folder / "b.gpkg"
        with Catalogue.create(base) as cat:
            small_catalogue(cat)
        shutil.copy(base, a)
        shutil.copy(base, b)
        with Catalogue.open(a) as cat:
            _apply(cat, mine_ops, "a")
        with Catalogue.open(b) as cat:
            _apply(cat, theirs_ops, "b")
        with Catalogue.open(base, read_only=True) as cat:
            base_rows = merge.read_side(cat.store.conn).rows
        with Catalogue.open(a) as cat:
            plan = merge.plan(cat, b, prefer=prefer)
            mine_rows, theirs_rows = plan._mine, plan._theirs
            merge.apply(cat, plan)
            assert check.problems(cat) == []
            result = merge.read_side(cat.store.conn).rows
            explained = {(c.table, c.id) for c in plan.changes if c.op == "delete"}
            explained |= {(c.table, c.id) for c in plan.conflicts}
            explained |= {(f.table, f.id) for c in plan.conflicts for f in c.follows}
            for rows in (mine_rows, theirs_rows):
                for table, by_uuid in rows.items():
                    for u in by_uuid:
                        if u in result[table]:
                            continue
                        # Not in the result: a listed deletion, a conflict, or hanging on one; or a row
                        # of the common past that this copy deleted and the other never changed.
                        deleted_here = rows is theirs_rows and u in base_rows[table]
                        assert _gone_with(rows, table, u, explained) or deleted_here, (table, u)
            again = merge.plan(cat, b)
            assert again.changes == [] and again.conflicts == [], (again.report())
