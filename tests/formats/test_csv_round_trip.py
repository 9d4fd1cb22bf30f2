"""A CSV export imports again with everything it wrote: export → import → export is the same file."""
import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Membership, Organisation, Partnership
from models.formats.example import build_example
from models.formats.export import export
from models.formats.partnership_import import PartnershipImportError, import_partnerships
from tests.helpers.catalogues import small_catalogue, snapshot


def _facts(cat):
    """What the CSV carries, by name rather than id, to compare two catalogues."""
    orgs = {o.id: o for o in cat.organisations.all()}
    titles = {s.id: s.title for s in cat.sources.all()}
    out = {}
    for p in cat.partnerships.all():
        out[p.name] = (
            p.kind, p.status, p.start, p.end, p.policy_areas, p.savings_amount, p.savings_period,
            orgs[p.lead_id].name if p.lead_id else None,
            [(orgs[m.organisation_id].name, orgs[m.organisation_id].gss_code, m.role, m.joined, m.left)
             for m in cat.partnerships.memberships(p.id)],
            [(titles[c.source_id], c.page, c.quote) for c in cat.sources.citations(partnership_id=p.id)])
    return out


def test_the_example_exports_imports_and_exports_to_the_same_bytes(cat, tmp_path):
    build_example(cat)
    first = tmp_path / "first.csv"
    export(cat, first)
    other = Catalogue.create(tmp_path / "other.gpkg")
    try:
        import_partnerships(other, first)
        second = tmp_path / "second.csv"
        export(other, second)
        assert second.read_bytes() == first.read_bytes()
        assert _facts(other) == _facts(cat)
        citations = sum(len(other.sources.citations(partnership_id=p.id)) for p in other.partnerships.all())
        assert citations == 61
        roles = {m.role for m in other.partnerships.memberships()}
        assert {"lead", "funder", "member"} <= roles
        codes = {o.gss_code for o in other.organisations.all()}
        assert {f"E09{n:06d}" for n in range(1, 34)} <= codes
    finally:
        other.close()


def test_amounts_dates_and_odd_names_survive(cat, tmp_path):
    ids = small_catalogue(cat)
    nhs = cat.organisations.add(Organisation("NHS Barnet (PCT)")).id
    cat.partnerships.add(
        Partnership("Exact sums", savings_amount=1234567.0, savings_period="total"),
        [Membership(0, ids["Ealing"], role="funder", joined="2008-04", left="2011"),
         Membership(0, nhs, role="observer", joined="2009"),
         Membership(0, ids["Brent"], left="2010-03-31")])
    cat.partnerships.add(Partnership("Pennies", savings_amount=0.1 + 0.2, savings_period="per year"))
    first = tmp_path / "first.csv"
    export(cat, first)
    text = first.read_text(encoding="utf-8")
    assert "1234567" in text and "1.23457e+06" not in text
    assert "Ealing [E09000009] (funder, 2008-04–2011)" in text
    assert "NHS Barnet (PCT) (observer, 2009–)" in text and "Brent [E09000005] (member, –2010-03-31)" in text
    other = Catalogue.create(tmp_path / "other.gpkg")
    try:
        import_partnerships(other, first)
        assert _facts(other) == _facts(cat)
        assert other.partnerships.find("Exact sums").savings_amount == 1234567
        assert other.partnerships.find("Pennies").savings_amount == 0.1 + 0.2
        second = tmp_path / "second.csv"
        export(other, second)
        assert second.read_bytes() == first.read_bytes()
    finally:
        other.close()


def test_members_and_citations_written_by_hand(cat, tmp_path):
    ids = small_catalogue(cat)
    path = tmp_path / "p.csv"
    path.write_text('name,members,citations\n'
                    'Hand made,"Barnet [E09000003] (lead, 2008 to 2010); New Body [E09000099]; '
                    'Brent (member, 2009—)","A collaborative city? | 12 | shared | procurement\n'
                    'Minutes | item 4"\n', encoding="utf-8")
    import_partnerships(cat, path)
    p = cat.partnerships.find("Hand made")
    members = cat.partnerships.memberships(p.id)
    assert [(m.role, m.joined, m.left) for m in members] == [
        ("lead", "2008", "2010"), ("member", None, None), ("member", "2009", None)]
    assert members[0].organisation_id == ids["Barnet"] and p.lead_id == ids["Barnet"]
    assert cat.organisations.get(members[1].organisation_id).gss_code == "E09000099"
    cited = [(c.source_id, c.page, c.quote) for c in cat.sources.citations(partnership_id=p.id)]
    minutes = next(s.id for s in cat.sources.all() if s.title == "Minutes")
    assert cited == [(ids["report"], "12", "shared | procurement"), (minutes, "item 4", "")]


@pytest.mark.parametrize("members, message", [
    ("Barnet [E09000005]", "E09000005 is Brent in the catalogue, not Barnet"),
    ("Someone [X123]", "member 'Someone [X123]': 'X123' is not a GSS code"),
    ("Barnet (lead, 2010–2008)", "member 'Barnet (lead, 2010–2008)': left 2008 is before joined 2010"),
    ("Barnet (lead, 2008-2010)", "member 'Barnet (lead, 2008-2010)': write its dates as from–to"),
    ("(lead)", "member '(lead)' has a role but no name"),
])
def test_bad_member_entries_are_named_and_nothing_written(cat, tmp_path, members, message):
    small_catalogue(cat)
    before = snapshot(cat)
    path = tmp_path / "p.csv"
    path.write_text(f'name,members\nRow,"{members}"\n', encoding="utf-8")
    with pytest.raises(PartnershipImportError) as info:
        import_partnerships(cat, path)
    assert info.value.row_errors[0][1].startswith(message)
    assert len(str(info.value).splitlines()) == 1
    assert snapshot(cat) == before
