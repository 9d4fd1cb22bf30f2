"""The catalogue window driven as a user would: typing, clicking, undoing."""
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from models.catalogue.search import Filters
from tests.helpers.gui import list_names, members_shown


def shown(action) -> str:
    """An action's text as the user reads it (without the mnemonic's &)."""
    return action.text().replace("&", "")


def editor(window):
    return window.catalogue_view.editor


def type_into(qtbot, widget, text):
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)


def test_title_menus_and_shortcuts(window):
    assert window.windowTitle() == "small.gpkg — Partnership Atlas"
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&Partnership", "M&ap", "&Questions", "&View", "&Help"]
    assert window.undo_action.shortcut() == QKeySequence.StandardKey.Undo or \
        window.undo_action.shortcut() == QKeySequence("Ctrl+Z")
    assert QKeySequence("Ctrl+Shift+Z") in window.redo_action.shortcuts()
    assert not window.undo_action.isEnabled()
    assert [window.tabs.tabText(i) for i in range(2)] == ["&Catalogue", "O&rganisations"]
    assert window.catalogue_view.list.count_label.text() == "2 partnerships"


def test_no_two_entries_of_a_menu_share_a_mnemonic(window):
    """Alt+letter in an open menu must reach one entry, not cycle between two."""
    def menus(menu):
        yield menu
        for action in menu.actions():
            if action.menu() is not None:
                yield from menus(action.menu())

    for top in window.menuBar().actions():
        for menu in menus(top.menu()):
            letters = [a.text().split("&")[1][0].lower() for a in menu.actions()
                       if "&" in a.text() and not a.text().endswith("&")]
            assert len(letters) == len(set(letters)), (menu.title(), sorted(letters))


def test_create_rename_undo_redo(window, qtbot):
    window.new_action.trigger()
    assert "New partnership" in list_names(window)
    assert shown(window.undo_action) == "Undo New partnership"
    ed = editor(window)
    assert ed.name.hasFocus() and ed.name.selectedText() == "New partnership"
    qtbot.keyClicks(ed.name, "Harrow Waste Partnership")
    qtbot.keyClick(ed.name, Qt.Key.Key_Tab)
    assert list_names(window) == ["Harrow Waste Partnership", "North Waste Board", "West London Alliance"]
    assert shown(window.undo_action) == "Undo Rename partnership"
    window.undo_action.trigger()
    assert "New partnership" in list_names(window) and ed.name.text() == "New partnership"
    assert shown(window.redo_action) == "Redo Rename partnership"
    window.redo_action.trigger()
    assert ed.name.text() == "Harrow Waste Partnership"
    # the history view lists every step
    assert window.undo_view.model().rowCount() == 3


def test_fields_save_and_show_reasons(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    window.catalogue_view.list.select(wla.id)
    ed = editor(window)
    type_into(qtbot, ed.start, "2010")
    type_into(qtbot, ed.end, "2008")
    assert ed.dates_message.isVisible()
    assert ed.dates_message.text() == "✗ the end (2008) is before the start (2010)"
    assert cat.partnerships.get(wla.id).end is None      # nothing saved while wrong
    type_into(qtbot, ed.start, "2004")                    # fixing the start saves both
    assert (cat.partnerships.get(wla.id).start, cat.partnerships.get(wla.id).end) == ("2004", "2008")
    assert ed.status_message.text() == "⚠ marked active, but it ended in 2008"
    type_into(qtbot, ed.start, "2004-13")
    assert ed.dates_message.text().startswith("✗ start: '2004-13' has no month 13")
    type_into(qtbot, ed.name, "North Waste Board")
    assert ed.name_message.text() == "⚠ another partnership already has this name"
    ed.name.clear()
    assert ed.name_message.text() == "✗ a partnership needs a name"
    type_into(qtbot, ed.savings, "2.5m")
    assert cat.partnerships.get(wla.id).savings_amount == 2500000.0
    assert ed.savings.text() == "2,500,000" and ed.savings_period.currentText() == "per year"
    ed.status.setCurrentText("ended")
    ed.status.activated.emit(ed.status.currentIndex())
    assert cat.partnerships.get(wla.id).status == "ended"
    assert shown(window.undo_action) == "Undo Change status"


def test_policy_area_tags(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    window.catalogue_view.list.select(wla.id)
    tags = editor(window).policy_areas
    tags.entry.setFocus()
    qtbot.keyClicks(tags.entry.lineEdit(), "housing")
    qtbot.keyClick(tags.entry.lineEdit(), Qt.Key.Key_Return)
    assert cat.partnerships.get(wla.id).policy_areas == ("waste", "adult social care", "housing")
    assert shown(window.undo_action) == "Undo Change policy areas"


def test_add_members_existing_and_new_with_undo(window, qtbot):
    cat = window.catalogue
    north = cat.partnerships.find("North Waste Board")
    window.catalogue_view.list.select(north.id)
    panel = editor(window).members
    qtbot.keyClicks(panel.organisation, "Ealing")
    qtbot.keyClicks(panel.joined, "2002-04")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert members_shown(window) == [("Barnet", "member", ""), ("Ealing", "member", "2002-04")]
    assert shown(window.undo_action) == "Undo Add member"
    qtbot.keyClicks(panel.organisation, "North London Waste Authority")
    assert panel.add_button.text() == "Create and add" and panel.new_kind.isVisible()
    panel.new_kind.setCurrentText("joint authority" if False else "other")
    qtbot.keyClick(panel.organisation, Qt.Key.Key_Return)
    assert members_shown(window)[-1] == ("North London Waste Authority", "member", "")
    assert cat.organisations.find("North London Waste Authority") is not None
    window.undo_action.trigger()
    assert cat.organisations.find("North London Waste Authority") is None
    assert len(members_shown(window)) == 2
    window.undo_action.trigger()
    assert members_shown(window) == [("Barnet", "member", "")]
    window.redo_action.trigger()
    assert len(members_shown(window)) == 2
    # a bad date is refused with its reason, nothing added
    qtbot.keyClicks(panel.organisation, "Brent")
    qtbot.keyClicks(panel.joined, "2005")
    qtbot.keyClicks(panel.left, "2001")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.message.text() == "✗ left 2001 is before joined 2005"
    assert len(members_shown(window)) == 2


def test_member_listed_twice_warns_and_role_edits_in_place(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    window.catalogue_view.list.select(wla.id)
    panel = editor(window).members
    qtbot.keyClicks(panel.organisation, "Barnet")
    qtbot.keyClick(panel.organisation, Qt.Key.Key_Return)
    assert panel.warning.text() == "⚠ Barnet is listed twice"
    model = panel.model
    assert model.setData(model.index(0, 1), "funder")
    assert members_shown(window)[0] == ("Barnet", "funder", "")
    assert shown(window.undo_action) == "Undo Change member's role"
    assert not model.setData(model.index(0, 2), "20x")
    assert panel.message.text().startswith("✗ joined: '20x' is not a date")


def test_delete_and_undo_restores_members_and_sources(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    lst = window.catalogue_view.list
    lst.select(wla.id)
    lst.table.setFocus()
    window.delete_action.trigger()
    assert list_names(window) == ["North Waste Board"]
    assert "Deleted “West London Alliance”" in window.statusBar().currentMessage()
    assert shown(window.undo_action) == "Undo Delete partnership"
    window.undo_action.trigger()
    assert list_names(window) == ["North Waste Board", "West London Alliance"]
    lst.select(wla.id)
    assert [m[0] for m in members_shown(window)] == ["Barnet", "Brent"]
    citations = editor(window).citations.model
    assert citations.rowCount() == 1
    assert citations.index(0, 0).data().startswith("A collaborative city? (Young Foundation, 2008)\np. 12")


def test_search_and_filters(window, qtbot):
    lst = window.catalogue_view.list
    qtbot.keyClicks(lst.search_box, "wes")
    assert list_names(window) == ["West London Alliance"]
    assert lst.count_label.text() == "1 of 2 partnerships shown"
    assert editor(window).stack.currentIndex() == 0   # nothing selected yet
    lst.search_box.clear()
    lst.status.setCurrentText("ended")
    assert list_names(window) == ["North Waste Board"]
    lst.status.setCurrentIndex(0)
    lst.kind.setCurrentText("sub-regional partnership")
    assert list_names(window) == ["West London Alliance"]
    lst.kind.setCurrentIndex(0)
    lst.year.setValue(2003)
    assert list_names(window) == ["North Waste Board"]
    lst.year.setValue(lst.year.minimum())
    qtbot.keyClicks(lst.member, "Brent")
    assert list_names(window) == ["West London Alliance"]
    assert lst.clear_button.isEnabled()
    qtbot.mouseClick(lst.clear_button, Qt.MouseButton.LeftButton)
    assert list_names(window) == ["North Waste Board", "West London Alliance"]
    assert lst.filters() == Filters()
    lst.policy.setCurrentText("adult social care")
    assert list_names(window) == ["West London Alliance"]


def test_sorting_by_members(window):
    table = window.catalogue_view.list.table
    table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    assert list_names(window) == ["West London Alliance", "North Waste Board"]


def test_organisations_view_edit_and_merge(window, qtbot):
    from models.catalogue.records import Membership, Organisation
    cat = window.catalogue
    view = window.organisations_view
    window.tabs.setCurrentWidget(view)
    dup = cat.organisations.add(Organisation("LB Barnet")).id
    cat.partnerships.add_member(Membership(cat.partnerships.find("North Waste Board").id, dup, role="funder"))
    view.reload()
    barnet = cat.organisations.find("Barnet")
    view.select(barnet.id)
    assert view.memberships.rowCount() == 2
    assert view.count.text() == "4 organisations"
    qtbot.keyClicks(view.filter, "barn")
    assert view.count.text() == "2 of 4 organisations shown"
    view.document.edit("Merge organisations", lambda: cat.organisations.merge(barnet.id, dup))
    assert view.memberships.rowCount() == 3
    assert [view.memberships.item(i, 1).text() for i in range(3)] == ["member", "member", "funder"]
    window.undo_action.trigger()
    assert cat.organisations.find("LB Barnet") is not None
    type_into(qtbot, view.gss, "E09000005")
    assert view.message.text() == "✗ GSS code E09000005 already belongs to Brent"


def test_merge_dialog_keeps_every_membership(window, qtbot):
    from PySide6.QtCore import QTimer

    from models.catalogue.records import Organisation
    from ui.catalogue.organisations_tab import MergeDialog
    cat = window.catalogue
    dup = cat.organisations.add(Organisation("Barnet Council")).id
    view = window.organisations_view
    view.reload()
    view.select(cat.organisations.find("Barnet").id)

    def choose():
        dialog = next(w for w in window.findChildren(MergeDialog) if w.isVisible())
        dialog.other.setCurrentText("Barnet Council")
        dialog.merge_button.click()

    QTimer.singleShot(0, choose)
    view.merge()
    assert cat.organisations.find("Barnet Council") is None
    assert shown(window.undo_action) == "Undo Merge organisations"
    del dup


def test_citation_panel_cites_a_new_source(window, qtbot):
    from PySide6.QtCore import QTimer

    from ui.catalogue.citations_panel import CiteDialog
    cat = window.catalogue
    north = cat.partnerships.find("North Waste Board")
    window.catalogue_view.list.select(north.id)
    panel = editor(window).citations

    def fill():
        dialog = next(w for w in window.findChildren(CiteDialog) if w.isVisible())
        dialog.source.setCurrentIndex(0)      # New source…
        dialog.new_source.title.setText("Board minutes")
        dialog.new_source.year.setValue(2003)
        dialog.page.setText("4")
        dialog.accept()

    QTimer.singleShot(0, fill)
    panel.cite()
    assert panel.model.index(0, 0).data() == "Board minutes (2003)\np. 4"
    assert shown(window.undo_action) == "Undo Cite new source"
    window.undo_action.trigger()
    assert panel.model.rowCount() == 0 and [s.title for s in cat.sources.all()] == ["A collaborative city?"]
