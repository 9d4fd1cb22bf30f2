"""The five research questions in the GUI, on the London example, asked the way a person does:
the menu's key opens the Questions window, a click picks the question, the answer is typed
and Return (or a click on Answer) gives it, with its sources. Expected figures come from the
ONS files and the facts from the seed reports (tests/helpers/questions), not from the app."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.helpers import questions as facts
from tests.helpers.data import SEEDS
from tests.helpers.gui import make_window, show_active

pytestmark = pytest.mark.skipif(not (SEEDS / "README.md").exists(), reason="the seed reports are not beside this checkout")

WLA = "West London Alliance"
TCES = "Transforming Community Equipment Services in London"


@pytest.fixture
def win(qtbot, london_example, tmp_path):
    w = make_window(qtbot, london_example, tmp_path / "settings.ini", tmp_path / "data")
    yield w
    w.close()


@pytest.fixture
def dialog(qtbot, win):
    """The Questions window, opened with Ctrl+Shift+Q from the main window."""
    QTest.keyClick(win, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    d = getattr(win, "questions", None)
    assert d is not None, "Ctrl+Shift+Q opened no Questions window"
    qtbot.waitUntil(d.isVisible)
    show_active(qtbot, d)
    yield d
    d.close()


def pick(qtbot, dialog, title: str):
    """Click the question's tab."""
    bar = dialog.tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i).replace("&", "") == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert dialog.tabs.currentIndex() == index
    return dialog.tabs.currentWidget()


def type_into(qtbot, edit, text: str, enter: bool = True):
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    if enter:
        qtbot.keyClick(edit, Qt.Key.Key_Return)


def table(page) -> list[list[str]]:
    t = page.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def header(page) -> list[str]:
    return [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]


def shown_sources(page) -> list[str]:
    return [page.sources.item(r).text() for r in range(page.sources.count())]


def as_lines(cited: set[tuple]) -> set[str]:
    return {f"{title} ({year})" + (f", {page}" if page else "") for title, year, page in cited}


def number(text: str) -> float:
    return float(text.replace(",", ""))


def test_which_partnerships_cover_a_borough(qtbot, dialog):
    page = pick(qtbot, dialog, "Where")
    type_into(qtbot, page.place, "brent")        # a unique part of the name, in any case
    code = next(c for c, n in facts.BOROUGHS.items() if n == "Brent")
    expected = facts.covering_borough(code)
    rows = table(page)
    assert {r[0] for r in rows} == expected
    assert all(r[1] == "member" for r in rows)
    assert page.summary.text().startswith(f"Brent ({code}), a borough: {len(expected)} partnerships")
    assert set(shown_sources(page)) == as_lines(facts.cited(*expected))
    # A row's own sources: click it.
    r = next(i for i, row in enumerate(rows) if row[0] == WLA)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.table.visualItemRect(page.table.item(r, 0)).center())
    assert set(shown_sources(page)) == as_lines(facts.cited(WLA))
    assert page.sources_label.text().startswith(f"Sources of {WLA}")


def test_an_unknown_place_names_the_closest(qtbot, dialog):
    page = pick(qtbot, dialog, "Where")
    type_into(qtbot, page.place, "Brnet")
    assert page.summary.text().startswith("no place 'Brnet'; closest:")
    assert "Barnet" in page.summary.text() and page.table.rowCount() == 0


def test_which_boroughs_sit_in_two_alliances(qtbot, dialog):
    page = pick(qtbot, dialog, "Shared")
    type_into(qtbot, page.first, WLA, enter=False)
    type_into(qtbot, page.second, "equipment services")
    both = {m["organisation"] for m in facts.members(WLA)} & {m["organisation"] for m in facts.members(TCES)}
    assert {r[0] for r in table(page)} == both
    wards = facts.wards_of(facts.member_codes(WLA) & facts.member_codes(TCES))
    assert f"{len(wards)} wards and {facts.people(wards):,} people lie in both areas" in page.summary.text()
    assert set(shown_sources(page)) == as_lines(facts.cited(WLA, TCES))


def test_which_boroughs_no_waste_partnership_covers(qtbot, dialog):
    page = pick(qtbot, dialog, "Coverage")
    qtbot.mouseClick(page.policy_area, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.policy_area.view(), "waste")
    qtbot.keyClick(page.policy_area.view(), Qt.Key.Key_Return)
    assert page.policy_area.currentText() == "waste"
    qtbot.mouseClick(page.ask_button, Qt.MouseButton.LeftButton)
    waste = [n for n, p in facts.PARTNERSHIPS.items() if "waste" in p["policy_areas"]]
    covered = set().union(*(facts.member_codes(n) for n in waste))
    uncovered = sorted(n for c, n in facts.BOROUGHS.items() if c not in covered)
    rows = table(page)
    assert len(rows) == len(facts.BOROUGHS)
    assert [r[0] for r in rows[:len(uncovered)]] == uncovered        # the answer first
    for name, code, count, wards_covered, wards in rows:
        assert int(wards) == facts.WARDS_PER_BOROUGH[code]
        assert int(count) == (1 if code in covered else 0)
        assert int(wards_covered) == (int(wards) if code in covered else 0)
    assert f"covers {len(uncovered)} boroughs: " in page.summary.text()
    assert set(shown_sources(page)) == as_lines(facts.cited(*[n for n in waste if facts.member_codes(n)]))


def test_coverage_of_every_borough_says_so(qtbot, dialog):
    page = pick(qtbot, dialog, "Coverage")
    qtbot.mouseClick(page.ask_button, Qt.MouseButton.LeftButton)    # any policy area, any kind
    covered = set().union(*(facts.member_codes(n) for n in facts.PARTNERSHIPS))
    assert covered >= set(facts.BOROUGHS)
    assert page.summary.text() == "Every borough is covered by some partnership."


def test_what_was_active_in_2008_against_2010(qtbot, dialog):
    page = pick(qtbot, dialog, "Then and Now")
    for spin, year in ((page.first, "2008"), (page.second, "2010")):
        qtbot.mouseClick(spin.lineEdit(), Qt.MouseButton.LeftButton)
        spin.lineEdit().selectAll()
        qtbot.keyClicks(spin.lineEdit(), year)
    qtbot.keyClick(page.second.lineEdit(), Qt.Key.Key_Return)
    assert header(page)[1:3] == ["2008", "2010"]
    states = {r[0]: (r[1], r[2]) for r in table(page)}
    assert set(states) == set(facts.PARTNERSHIPS)
    for name, (then, later) in states.items():
        assert (then in ("active", "attested")) == facts.active_in(name, 2008), name
        assert (later in ("active", "attested")) == facts.active_in(name, 2010), name
    assert states["Northumbria 101"] == ("active", "inactive")
    n = {y: sum(facts.active_in(x, y) for x in facts.PARTNERSHIPS) for y in (2008, 2010)}
    both = sum(facts.active_in(x, 2008) and facts.active_in(x, 2010) for x in facts.PARTNERSHIPS)
    assert page.summary.text().startswith(f"{n[2008] - both} partnerships active or attested in 2008 only, "
                                          f"{n[2010] - both} in 2010 only, {both} in both")
    live = [x for x in facts.PARTNERSHIPS if facts.active_in(x, 2008) or facts.active_in(x, 2010)]
    assert set(shown_sources(page)) == as_lines(facts.cited(*live))


def test_how_far_an_area_crosses_borough_lines(qtbot, dialog):
    page = pick(qtbot, dialog, "Area")
    type_into(qtbot, page.area, WLA)
    codes = facts.member_codes(WLA)
    wards = facts.wards_of(codes)
    assert page.summary.text().startswith(
        f"{WLA}: {len(wards)} wards, {facts.km2(wards):,.1f} km², {facts.people(wards):,} people; "
        f"a virtual borough: it crosses {len(codes)} boroughs; in one piece.")
    rows = table(page)
    assert {r[1] for r in rows} == codes
    for name, code, n, km2, people in rows:
        mine = facts.wards_of({code})
        assert (name, int(n), int(number(people))) == (facts.BOROUGHS[code], len(mine), facts.people(mine))
        assert number(km2) == pytest.approx(facts.km2(mine), abs=0.06)
    assert set(shown_sources(page)) == as_lines(facts.cited(WLA))


def test_the_menu_offers_every_question(qtbot, win):
    menu = next(a.menu() for a in win.menuBar().actions() if a.text().replace("&", "") == "Questions")
    texts = [a.text().replace("&", "") for a in menu.actions()]
    assert len(texts) == 5
    menu.actions()[4].trigger()
    assert win.questions.isVisible() and win.questions.tabs.currentWidget() is win.questions.area
