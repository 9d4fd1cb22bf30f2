"""Citations on every fact, driven as a person does: the marks beside the fields, the members'
Cite… button, the organisation's sources, the list's "facts without a source" filter, and
File ▸ Import/Export ▸ Sources."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from models.catalogue.records import Citation
from tests.helpers.catalogues import snapshot
from tests.helpers.gui import list_names
from ui.catalogue.citations_panel import CiteDialog

LEFT = Qt.MouseButton.LeftButton


def _answer(qtbot, window, *, source_index: int | None = None, new_title: str = "", page: str = "",
            quote: str = "", seen: dict | None = None):
    """Fill the cite dialog when it opens, by typing and clicking, then press OK."""
    def fill():
        dialog = next(w for w in window.findChildren(CiteDialog) if w.isVisible())
        if seen is not None:
            seen["field"] = dialog.field.currentText()
        if source_index is not None:
            dialog.source.setCurrentIndex(source_index)
        if new_title:
            dialog.source.setCurrentIndex(0)   # New source…
            qtbot.keyClicks(dialog.new_source.title, new_title)
        qtbot.keyClicks(dialog.page, page)
        qtbot.keyClicks(dialog.quote, quote)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, LEFT)
        if dialog.isVisible():   # refused: close it so the test fails instead of waiting forever
            seen_problem = dialog.message.text()
            dialog.reject()
            raise AssertionError(f"the dialog refused: {seen_problem}")
    QTimer.singleShot(0, fill)


def _undo_text(window) -> str:
    return window.undo_action.text().replace("&", "")


def test_clicking_a_fields_mark_cites_a_source_for_that_fact(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    window.catalogue_view.list.select(wla.id)
    mark = window.catalogue_view.editor.marks["dates"]
    assert not mark.cited and "Dates: no source yet" in mark.toolTip()   # filled (2005), not sourced
    assert "Funding: empty" in window.catalogue_view.editor.marks["funding"].toolTip()
    seen = {}
    _answer(qtbot, window, source_index=1, page="7", quote="formed in 2005", seen=seen)
    qtbot.mouseClick(mark, LEFT)
    assert seen["field"] == "Dates"
    (c,) = [c for c in cat.sources.citations(partnership_id=wla.id) if c.field]
    assert (c.field, c.page, c.quote) == ("dates", "7", "formed in 2005")
    mark = window.catalogue_view.editor.marks["dates"]
    assert mark.cited
    assert mark.toolTip() == "Dates: cited from\nA collaborative city? (Young Foundation, 2008), p. 7\n" \
                             "    “formed in 2005”"
    assert _undo_text(window) == "Undo Cite source for dates"
    window.undo_action.trigger()
    assert not window.catalogue_view.editor.marks["dates"].cited
    assert [c.field for c in cat.sources.citations(partnership_id=wla.id)] == [None]


def test_a_new_source_with_a_bad_doi_keeps_the_dialog_open_and_writes_nothing(window, qtbot):
    wla = window.catalogue.partnerships.find("West London Alliance")
    window.catalogue_view.list.select(wla.id)
    before = snapshot(window.catalogue)
    said = {}

    def fill():
        dialog = next(w for w in window.findChildren(CiteDialog) if w.isVisible())
        dialog.source.setCurrentIndex(0)
        qtbot.keyClicks(dialog.new_source.title, "Joint committee minutes")
        qtbot.keyClicks(dialog.new_source.doi, "not-a-doi")
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, LEFT)
        said["message"] = dialog.message.text()
        said["open"] = dialog.isVisible()
        dialog.reject()
    QTimer.singleShot(0, fill)
    qtbot.mouseClick(window.catalogue_view.editor.marks["governance"], LEFT)
    assert said["open"] is True and "'not-a-doi' is not a DOI" in said["message"]
    assert snapshot(window.catalogue) == before


def test_the_members_cite_button_cites_the_role_of_the_selected_member(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    window.catalogue_view.list.select(wla.id)
    panel = window.catalogue_view.editor.members
    table = panel.table
    role_cell = table.model().index(1, 1)   # Brent, lead
    assert table.model().data(role_cell, Qt.ItemDataRole.DecorationRole) is not None   # marked uncited
    assert "Role: no source yet" in table.model().data(role_cell, Qt.ItemDataRole.ToolTipRole)
    qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualRect(role_cell).center())
    seen = {}
    _answer(qtbot, window, new_title="Brent cabinet minutes", page="3", quote="Brent leads", seen=seen)
    qtbot.mouseClick(panel.cite_button, LEFT)
    assert seen["field"] == "Role"
    member = cat.partnerships.memberships(wla.id)[1]
    (c,) = cat.sources.citations(membership_id=member.id)
    assert (c.field, c.quote) == ("role", "Brent leads")
    tip = window.catalogue_view.editor.members.model.data(role_cell, Qt.ItemDataRole.ToolTipRole)
    assert "Role: cited from\nBrent cabinet minutes, p. 3" in tip
    assert _undo_text(window) == "Undo Cite new source for role"
    window.undo_action.trigger()
    assert cat.sources.citations(membership_id=member.id) == []
    assert [s.title for s in cat.sources.all()] == ["A collaborative city?"]


def test_an_organisation_can_be_cited(window, qtbot):
    cat = window.catalogue
    window.tabs.setCurrentWidget(window.organisations_view)
    view = window.organisations_view
    view.select(cat.organisations.find("Ealing").id)
    assert view.sources_text.text() == "none cited"
    _answer(qtbot, window, source_index=1, page="2")
    qtbot.mouseClick(view.cite_button, LEFT)
    assert view.sources_text.text() == "A collaborative city? (Young Foundation, 2008)"
    assert view.sources_mark.cited and "p. 2" in view.sources_mark.toolTip()
    window.undo_action.trigger()
    assert view.sources_text.text() == "none cited"


def test_the_filter_facts_without_a_source(window, qtbot):
    cat = window.catalogue
    north = cat.partnerships.find("North Waste Board")
    box = window.catalogue_view.list.unsourced
    qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))   # on its tick box
    assert box.isChecked()
    assert list_names(window) == ["North Waste Board", "West London Alliance"]
    report = cat.sources.all()[0].id
    for field in ("dates", "status", "policy_areas"):   # every fact North has
        window.document.edit("Cite", lambda f=field: cat.sources.cite(Citation(report, partnership_id=north.id,
                                                                                 field=f)))
    assert list_names(window) == ["West London Alliance"]
    qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))   # on its tick box
    assert list_names(window) == ["North Waste Board", "West London Alliance"]


def _menu_action(window, menu_title: str, text: str):
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
    sub = next(a.menu() for a in file_menu.actions() if a.text().replace("&", "") == menu_title)
    return next(a for a in sub.actions() if a.text().replace("&", "") == text)


def test_file_export_and_import_sources(window, qtbot, tmp_path, monkeypatch):
    cat = window.catalogue
    out = tmp_path / "refs.bib"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    _menu_action(window, "Export", "All Sources (CSL-JSON, BibTeX)…").trigger()
    assert "title = {{A collaborative city?}}" in out.read_text()
    assert window.statusBar().currentMessage() == "Wrote refs.bib: 1 source"

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(out), ""))
    undo_before = _undo_text(window)
    _menu_action(window, "Import", "Sources (CSL-JSON, BibTeX)…").trigger()   # all held already
    assert window.statusBar().currentMessage() == \
        "Nothing to import: the catalogue already holds 1 source of refs.bib"
    assert _undo_text(window) == undo_before and len(cat.sources.all()) == 1

    out.write_text(out.read_text() + "\n@techreport{nlwa, title = {Waste plan}, institution = {NLWA}, "
                                      "year = 2010}\n")
    _menu_action(window, "Import", "Sources (CSL-JSON, BibTeX)…").trigger()
    assert sorted(s.title for s in cat.sources.all()) == ["A collaborative city?", "Waste plan"]
    assert _undo_text(window) == "Undo Import sources from refs.bib"
    assert window.statusBar().currentMessage() == "Imported 1 source from refs.bib; 1 already in the catalogue"
    window.undo_action.trigger()
    assert [s.title for s in cat.sources.all()] == ["A collaborative city?"]

    bad = tmp_path / "bad.csl.json"
    bad.write_text('[{"id": "x", "title": "New"}, {"id": "y", "title": "Bad", "issued": {"date-parts": [["?"]]}}]')
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    before = snapshot(cat)
    _menu_action(window, "Import", "Sources (CSL-JSON, BibTeX)…").trigger()
    assert window.last_message.text() == "bad.csl.json: entry 2 (y), field 'issued': ['?'] is not a date"
    assert snapshot(cat) == before


def test_a_partnerships_context_menu_exports_its_sources(window, qtbot, tmp_path, monkeypatch):
    cat = window.catalogue
    north = cat.partnerships.find("North Waste Board")
    window.catalogue_view.list.select(north.id)
    table = window.catalogue_view.list.table
    assert table.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    action = next(a for a in table.actions() if a.text().replace("&", "") == "Selected Partnerships' Sources…")
    out = tmp_path / "north.csl.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    action.trigger()
    assert out.read_text().strip() == "[]"   # North cites nothing yet
    window.catalogue_view.list.select(cat.partnerships.find("West London Alliance").id)
    action.trigger()
    assert '"title": "A collaborative city?"' in out.read_text()


def test_a_cited_marks_menu_removes_a_citation_in_one_undo_step(window, qtbot):
    from PySide6.QtWidgets import QApplication, QMenu
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    report = cat.sources.all()[0].id
    window.document.edit("Cite", lambda: cat.sources.cite(Citation(report, page="9", partnership_id=wla.id,
                                                                   field="governance")))
    window.catalogue_view.list.select(wla.id)
    mark = window.catalogue_view.editor.marks["governance"]
    assert mark.cited
    seen = {}

    def choose():
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        seen["items"] = [a.text() for a in menu.actions() if not a.isSeparator()]
        qtbot.keyClick(menu, Qt.Key.Key_Down)     # Cite another source…
        qtbot.keyClick(menu, Qt.Key.Key_Down)     # Remove citation of …
        qtbot.keyClick(menu, Qt.Key.Key_Return)
    QTimer.singleShot(0, choose)
    qtbot.mouseClick(mark, LEFT)
    assert seen["items"] == ["Cite another source…",
                             "Remove citation of A collaborative city? (Young Foundation, 2008), p. 9"]
    assert [c.field for c in cat.sources.citations(partnership_id=wla.id)] == [None]
    assert not window.catalogue_view.editor.marks["governance"].cited
    assert _undo_text(window) == "Undo Remove citation"
    window.undo_action.trigger()
    assert window.catalogue_view.editor.marks["governance"].cited
