"""A team on the server: editors change their own rows only (row-level security), readers
read, every change lands in the server's history with its database user, and two editors
changing one row at once: the later one gets a conflict, nothing is lost."""
from __future__ import annotations

import threading

import psycopg
import pytest

from models.catalogue.records import Organisation
from models.server.connection import ServerError
from models.server.publish import publish


@pytest.fixture
def team(grid, server):
    """The grid catalogue published by the owner, with editors ed_a and ed_b and reader rd."""
    cluster, db, owner, password = server
    names = {k: f"{k}_{db}" for k in ("ed_a", "ed_b", "rd")}
    urls = {k: cluster.url(name, cluster.create_role(name), db) for k, name in names.items()}
    urls["owner"] = cluster.url(owner, password, db)
    cat, w, ids = grid
    publish(cat.store, urls["owner"], schema="team", editors=[names["ed_a"], names["ed_b"]],
            readers=[names["rd"]])
    urls["admin"] = cluster.url(dbname=db)   # roles are granted by the database's administrator
    return cat, ids, urls, names


def as_role(url):
    return psycopg.connect(url, autocommit=True)


def add_membership(url, partnership, organisation, role="member") -> int:
    """As an editor would in psql: a membership of named records; returns its server id."""
    with as_role(url) as conn:
        return conn.execute("INSERT INTO team.memberships(partnership_id, organisation_id, role) "
                            "SELECT p.id, o.id, %s FROM team.partnerships p, team.organisations o "
                            "WHERE p.name = %s AND o.name = %s RETURNING id", (role, partnership, organisation)).fetchone()[0]


def test_an_editor_cannot_change_or_delete_another_editors_row(team):
    cat, ids, urls, names = team
    mid = add_membership(urls["ed_a"], "P1", "O3", "observer")
    with as_role(urls["ed_b"]) as conn:
        assert conn.execute("UPDATE team.memberships SET role='hijacked' WHERE id=%s", (mid,)).rowcount == 0
        assert conn.execute("DELETE FROM team.memberships WHERE id=%s", (mid,)).rowcount == 0
        # Nor can they add a row in someone else's name.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO team.organisations(name, kind, owner_role) VALUES ('x', 'other', %s)",
                         (names["ed_a"],))
        # The owner's published rows are not theirs either.
        assert conn.execute("UPDATE team.partnerships SET name='mine' WHERE name='P1'").rowcount == 0
    with as_role(urls["owner"]) as conn:
        assert conn.execute("SELECT role, owner_role FROM team.memberships WHERE id=%s", (mid,)).fetchone() \
            == ("observer", names["ed_a"])
    with as_role(urls["admin"]) as conn:   # granted: an editor given another's role may change its rows
        conn.execute(f'GRANT "{names["ed_a"]}" TO "{names["ed_b"]}"')
    with as_role(urls["ed_b"]) as conn:
        assert conn.execute("UPDATE team.memberships SET role='chair' WHERE id=%s", (mid,)).rowcount == 1
    # The history names each database user.
    with as_role(urls["rd"]) as conn:
        log = conn.execute("SELECT db_user, op, new->>'role' FROM team.server_history WHERE tbl='memberships' "
                           "AND row_id=%s ORDER BY id", (mid,)).fetchall()
    assert log == [(names["ed_a"], "I", "observer"), (names["ed_b"], "U", "chair")]


def test_a_reader_reads_and_writes_nothing(team):
    cat, ids, urls, names = team
    with as_role(urls["rd"]) as conn:
        assert conn.execute("SELECT count(*) FROM team.partnerships").fetchone()[0] == 2
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO team.organisations(name, kind) VALUES ('x', 'other')")


def test_two_editors_changing_one_row_at_once_the_later_sees_a_conflict(team):
    cat, ids, urls, names = team
    mid = add_membership(urls["ed_a"], "P2", "O1", "member")
    first, second = as_role(urls["ed_a"]), as_role(urls["ed_a"])   # two windows of one editor
    try:
        read = "SELECT row_version FROM team.memberships WHERE id=%s"
        v1, v2 = first.execute(read, (mid,)).fetchone()[0], second.execute(read, (mid,)).fetchone()[0]
        first.execute("BEGIN")
        first.execute("UPDATE team.memberships SET role='lead', row_version=%s WHERE id=%s", (v1, mid))
        outcome = {}

        def later():   # blocks on the first one's row lock, then sees its change
            try:
                second.execute("UPDATE team.memberships SET role='funder', row_version=%s WHERE id=%s", (v2, mid))
                outcome["ok"] = True
            except psycopg.Error as e:
                outcome["error"] = e

        thread = threading.Thread(target=later)
        thread.start()
        thread.join(0.5)
        first.execute("COMMIT")
        thread.join(30)
        assert isinstance(outcome.get("error"), psycopg.errors.SerializationFailure), outcome
        assert "changed by" in str(outcome["error"])
        row = first.execute("SELECT role, row_version FROM team.memberships WHERE id=%s", (mid,)).fetchone()
        assert row == ("lead", v1 + 1)   # the first change kept, the second refused, not lost silently
    finally:
        first.close()
        second.close()


def test_publish_refuses_to_overwrite_a_change_made_on_the_server(team):
    cat, ids, urls, names = team
    owner = psycopg.conninfo.conninfo_to_dict(urls["owner"])["user"]
    with as_role(urls["admin"]) as conn:
        conn.execute(f'GRANT "{owner}" TO "{names["ed_a"]}"')
    with as_role(urls["ed_a"]) as conn:
        conn.execute("UPDATE team.organisations SET notes='seen on the web site' WHERE name='O2'")
    cat.organisations.update(Organisation("O2 renamed", id=ids["O2"]))
    with pytest.raises(ServerError, match=r"conflict: .*organisations 'O2' \(last changed by owner\d+\).*pull first"):
        publish(cat.store, urls["owner"], schema="team")
    with as_role(urls["owner"]) as conn:
        assert conn.execute("SELECT name, notes, changed_by FROM team.organisations WHERE name='O2'").fetchone() \
            == ("O2", "seen on the web site", names["ed_a"])
