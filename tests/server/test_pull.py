"""Pulling the server back: a change made on the server by a second role (psql) reaches the
desktop catalogue through the merge review, with its author, as one undo step; publishing
again then finds nothing to send and no conflict."""
from __future__ import annotations

import psycopg
import pytest

from models.catalogue import merge
from models.catalogue.records import Organisation
from models.server.publish import publish
from models.server.pull import pull_name, pull_plan
from tests.helpers.catalogues import snapshot


@pytest.fixture
def published(grid, server):
    cluster, db, owner, password = server
    editor = f"editor_{db}"
    urls = {"owner": cluster.url(owner, password, db), "editor": cluster.url(editor, cluster.create_role(editor), db)}
    cat, w, ids = grid
    publish(cat.store, urls["owner"], schema="team", editors=[editor])
    return cat, ids, urls, editor


def psql(url, query, params=()):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query, params)


def members(cat, partnership):
    return sorted(cat.store.conn.execute(
        "SELECT o.name, m.role, m.changed_by FROM memberships m JOIN organisations o ON o.id = m.organisation_id "
        "JOIN partnerships p ON p.id = m.partnership_id WHERE p.name = ?", (partnership,)).fetchall())


def test_a_membership_added_on_the_server_is_pulled_with_its_author_in_one_undo_step(published):
    cat, ids, urls, editor = published
    psql(urls["editor"], "INSERT INTO team.memberships(partnership_id, organisation_id, role) "
                         "SELECT p.id, o.id, 'observer' FROM team.partnerships p, team.organisations o "
                         "WHERE p.name = 'P1' AND o.name = 'O3'")
    before = snapshot(cat)
    plan = pull_plan(cat, urls["owner"], schema="team")
    assert plan.conflicts == [] and plan.report()["added"] == {"memberships": 1}
    revert = merge.apply(cat, plan, name=pull_name(urls["owner"], "team"))
    assert ("O3", "observer") in [m[:2] for m in members(cat, "P1")]
    # Its author: the server's change came home as a history entry of the editor's.
    uuid = cat.store.conn.execute("SELECT m.uuid FROM memberships m JOIN organisations o ON o.id = m.organisation_id "
                                  "WHERE o.name = 'O3' AND m.role = 'observer'").fetchone()[0]
    [entry] = [e for e in cat.history.entries(record=uuid) if e.kind == "edit"]
    assert (entry.author, entry.name) == (editor, "Added memberships on the server")
    assert entry.changes[0].new["role"] == "observer"
    # One undo step takes the whole pull back; pulling again brings it again.
    revert()
    assert snapshot(cat) == before
    assert pull_plan(cat, urls["owner"], schema="team").report()["added"] == {"memberships": 1}


def test_publishing_after_a_pull_sends_nothing_back_and_meets_no_conflict(published):
    cat, ids, urls, editor = published
    assert pull_plan(cat, urls["owner"], schema="team") is None   # nothing yet
    psql(urls["editor"], "INSERT INTO team.organisations(name, kind) VALUES ('Editor''s body', 'other')")
    merge.apply(cat, pull_plan(cat, urls["owner"], schema="team"))
    assert cat.organisations.find("Editor's body") is not None
    counts = publish(cat.store, urls["owner"], schema="team")
    assert all(c == {"added": 0, "changed": 0, "deleted": 0} for c in counts.values()), counts
    # A second pull has nothing new: the server's change now counts as shared.
    assert pull_plan(cat, urls["owner"], schema="team") is None


def test_a_field_changed_on_both_sides_is_a_conflict_named_in_the_review(published):
    cat, ids, urls, editor = published
    owner = psycopg.conninfo.conninfo_to_dict(urls["owner"])["user"]
    psql(urls["owner"], "UPDATE team.organisations SET notes='server note' WHERE name='O2'")
    cat.organisations.update(Organisation("O2", notes="desktop note", id=ids["O2"]))
    plan = pull_plan(cat, urls["owner"], schema="team")
    [conflict] = plan.conflicts
    assert (conflict.table, conflict.record, conflict.field) == ("organisations", "O2", "notes")
    assert (conflict.mine, conflict.theirs, conflict.theirs_author) == ("desktop note", "server note", owner)
