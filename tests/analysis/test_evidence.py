"""Dates from evidence: active, attested, inactive or unknown at a date, and the rules for
partial evidence (models/analysis/evidence.py)."""
import pytest

from models.analysis import evidence as ev
from models.analysis.evidence import ACTIVE, ATTESTED, INACTIVE, UNKNOWN, Evidence
from models.analysis.timeline import membership_active, partnership_active, timeline, year_span
from models.catalogue.records import Citation, Membership, Organisation, Partnership, Source
from models.errors import CatalogueError


@pytest.mark.parametrize("start, end, when, expected", [
    ("2005", "2008-03-31", "2006", ACTIVE),
    ("2005", "2008-03-31", "2008", ACTIVE),          # a partial date is covered if any day of it is
    ("2005", "2008-03-31", "2008-06", INACTIVE),
    ("2005", "2008-03-31", "1990", INACTIVE),
    (None, None, "2008", UNKNOWN),                   # no dates and no evidence: never "active"
])
def test_dated_spans_and_no_evidence(start, end, when, expected):
    assert ev.state(start, end, when) == expected


def test_cited_years_and_first_last_seen_attest():
    assert ev.state(None, None, "2008", years=[2008, 2011]) == ATTESTED
    assert ev.state(None, None, "2008-05", years=[2008]) == ATTESTED
    assert ev.state(None, None, "2009", years=[2008, 2011]) == UNKNOWN    # a mark, not a span
    assert ev.state(None, None, "2009", first_seen="2007-04", last_seen="2010") == ATTESTED
    assert ev.state(None, None, "2011", first_seen="2007-04", last_seen="2010") == UNKNOWN
    assert ev.state(None, None, "2007-03", first_seen="2007-04", last_seen="2010") == UNKNOWN
    assert ev.state(None, None, "2007", first_seen="2007") == ATTESTED    # one of them alone: that date


def test_half_open_spans_reach_as_far_as_the_evidence():
    # Only a start: on while the partnership runs ...
    assert ev.state("2005", None, "2020", running=True) == ACTIVE
    # ... else as far as the latest evidence, then unknown; never before the start.
    assert ev.state("2005", None, "2009", years=[2010]) == ACTIVE
    assert ev.state("2005", None, "2011", years=[2010]) == UNKNOWN
    assert ev.state("2005", None, "2004", years=[2003]) == INACTIVE       # the span beats a citation
    # Only an end: back as far as the earliest evidence.
    assert ev.state(None, "2012", "2009", years=[2008]) == ACTIVE
    assert ev.state(None, "2012", "2007", years=[2008]) == UNKNOWN
    assert ev.state(None, "2012", "2015", years=[2015]) == INACTIVE


def test_a_membership_is_never_more_than_its_partnership():
    undated = Membership(1, 2)
    assert ev.membership_state(undated, "2008", partnership=INACTIVE, years=[2008]) == INACTIVE
    assert ev.membership_state(undated, "2008", partnership=ACTIVE) == ACTIVE     # follows the span
    assert ev.membership_state(undated, "2008", partnership=ATTESTED, years=[2008]) == ATTESTED
    assert ev.membership_state(undated, "2008", partnership=UNKNOWN) == UNKNOWN
    left = Membership(1, 2, left="2007")
    assert ev.membership_state(left, "2006", partnership=ACTIVE) == ACTIVE      # since the partnership began
    assert ev.membership_state(left, "2008", partnership=ACTIVE) == INACTIVE
    joined = Membership(1, 2, joined="2010")
    assert ev.membership_state(joined, "2012", partnership=ACTIVE) == ACTIVE
    assert ev.membership_state(joined, "2012", partnership=UNKNOWN) == UNKNOWN  # no running partnership to follow


def test_membership_active_keeps_its_old_answers_and_can_exclude_unknown():
    # Called without the catalogue's evidence (as the areas and footprint code does).
    assert membership_active(Membership(1, 2), "2008")
    assert not membership_active(Membership(1, 2), "2008", include_unknown=False)
    assert membership_active(Membership(1, 2, joined="2005"), "2008", include_unknown=False)
    assert not membership_active(Membership(1, 2, left="2007"), "2008")
    assert membership_active(Membership(1, 2), None, include_unknown=False)   # no date: everything


def _catalogue(cat):
    o1 = cat.organisations.add(Organisation("Barnet")).id
    o2 = cat.organisations.add(Organisation("Brent")).id
    s2008 = cat.sources.add(Source("Annual report", year=2008)).id
    s2012 = cat.sources.add(Source("Review", year=2012)).id
    s_undated = cat.sources.add(Source("Web page")).id
    pid = cat.partnerships.add(Partnership("Undated board"), [Membership(0, o1), Membership(0, o2)]).id
    cat.sources.cite(Citation(s2008, partnership_id=pid))
    cat.sources.cite(Citation(s_undated, partnership_id=pid))
    m1, m2 = cat.partnerships.memberships(pid)
    cat.sources.cite(Citation(s2012, membership_id=m2.id))
    dated = cat.partnerships.add(Partnership("Dated board", start="2001", end="2004", status="ended")).id
    return pid, m1, m2, dated


def test_evidence_from_the_catalogues_citations(cat):
    pid, m1, m2, dated = _catalogue(cat)
    evidence = Evidence.load(cat)
    p = cat.partnerships.get(pid)
    assert evidence.years_of(p) == {2008}
    assert [evidence.partnership(p, y) for y in ("2007", "2008", "2012")] == [UNKNOWN, ATTESTED, UNKNOWN]
    # m1 has no citation of its own: its partnership's count; m2's own replace them.
    assert evidence.membership(m1, "2008") == ATTESTED and evidence.membership(m1, "2012") == UNKNOWN
    assert evidence.membership(m2, "2008") == UNKNOWN and evidence.membership(m2, "2012") == ATTESTED
    assert partnership_active(p, "2008", evidence=evidence)
    assert not partnership_active(p, "1990", evidence=evidence)
    assert partnership_active(p, "1990", include_unknown=True, evidence=evidence)
    assert not partnership_active(cat.partnerships.get(dated), "1990", include_unknown=True, evidence=evidence)


def test_first_and_last_seen_are_stored_checked_and_undone(cat):
    pid = cat.partnerships.add(Partnership("Seen board")).id
    revert = cat.partnerships.update(Partnership("Seen board", first_seen=" 2006-04 ", last_seen="2009", id=pid))
    assert (cat.partnerships.get(pid).first_seen, cat.partnerships.get(pid).last_seen) == ("2006-04", "2009")
    assert Evidence.load(cat).partnership(cat.partnerships.get(pid), "2007") == ATTESTED
    revert()
    assert cat.partnerships.get(pid).first_seen is None
    before = cat.partnerships.get(pid)
    with pytest.raises(CatalogueError, match="last seen 2005 is before first seen 2006"):
        cat.partnerships.update(Partnership("Seen board", first_seen="2006", last_seen="2005", id=pid))
    with pytest.raises(CatalogueError, match="first seen: 'spring' is not a date"):
        cat.partnerships.update(Partnership("Seen board", first_seen="spring", id=pid))
    assert cat.partnerships.get(pid) == before
    o = cat.organisations.add(Organisation("Barnet")).id
    mid = cat.partnerships.add_member(Membership(pid, o, first_seen="2010", last_seen="2011")).id
    (m,) = cat.partnerships.memberships(pid)
    assert (m.id, m.first_seen, m.last_seen) == (mid, "2010", "2011")
    cat.partnerships.update_member(Membership(pid, o, last_seen="2012", id=mid))
    assert cat.partnerships.memberships(pid)[0].last_seen == "2012"


def test_timeline_rows_carry_the_evidence(cat):
    pid, _, _, dated = _catalogue(cat)
    cat.partnerships.update(Partnership("Undated board", first_seen="2009", last_seen="2010-06", id=pid))
    rows = {r.name: r for r in timeline(cat)}
    r = rows["Undated board"]
    assert (r.start, r.end, r.cited_years, r.state) == (None, None, (2008,), None)
    assert r.seen == (2009.0, pytest.approx(2010.5, abs=0.01))
    assert [r.name for r in timeline(cat, as_of=2008, only_active=True)] == ["Undated board"]
    assert [r.state for r in timeline(cat, as_of=2011)] == [INACTIVE, UNKNOWN]
    assert [r.name for r in timeline(cat, as_of=2011, only_active=True, include_unknown=True)] == ["Undated board"]
    assert year_span(cat) == (2001, 2010)
