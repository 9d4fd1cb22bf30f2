"""The catalogue tab's layout: the list gets room for its names, and the editor's page is the
only thing that scrolls (no list with a scroll bar of its own inside it)."""
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from models.catalogue.records import Citation, Membership, Organisation, Source


def test_the_list_gets_half_and_its_name_column_takes_what_the_splitter_gives(window, qtbot):
    view = window.catalogue_view
    list_width, editor_width = view.splitter.sizes()
    assert list_width >= 0.45 * (list_width + editor_width)
    header = view.list.table.horizontalHeader()
    widths = [header.sectionSize(i) for i in range(header.count())]
    assert widths[0] == max(widths)
    # Dragging the splitter's handle with the mouse: the names get the room, the other columns keep theirs.
    drag_splitter(view.splitter, 120)
    qtbot.waitUntil(lambda: view.splitter.sizes()[0] > list_width + 60)
    grown = view.splitter.sizes()[0] - list_width
    assert header.sectionSize(0) - widths[0] == grown
    assert [header.sectionSize(i) for i in range(1, header.count())] == widths[1:]


def drag_splitter(splitter, dx):
    handle = splitter.handle(1)
    centre = handle.rect().center()
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseMove(handle, centre + QPoint(dx, 0))
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre + QPoint(dx, 0))


def _no_hidden_rows(table):
    rows = table.model().rowCount()
    assert table.verticalScrollBar().maximum() == 0, "the view scrolls inside the editor's page"
    last = table.visualRect(table.model().index(rows - 1, 0))
    assert last.bottom() <= table.viewport().height(), "the last row is cut off"


def test_sources_and_members_show_every_row_without_a_scroll_bar_of_their_own(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    quote = "the boroughs agreed to procure and commission adult care services together " * 8
    for i in range(6):   # set up through the document, as the dialogs would
        source = Source(f"Report {i} on collaboration between the west London boroughs", year=2008 + i)
        c = Citation(0, page=str(10 + i), quote=quote, partnership_id=wla.id)
        window.document.edit("Cite new source", lambda s=source, c=c: cat.sources.cite_new(s, c))
    for i in range(14):
        org = Organisation(f"Partner body {i}")
        m = Membership(wla.id, 0)
        window.document.edit("Add member", lambda o=org, m=m: cat.partnerships.add_member_new_organisation(o, m))
    window.catalogue_view.list.select(wla.id)
    editor = window.catalogue_view.editor
    qtbot.waitUntil(lambda: editor.citations.table.model().rowCount() == 7)
    _no_hidden_rows(editor.citations.table)
    _no_hidden_rows(editor.members.table)
    # A wider editor: the quotes wrap onto fewer lines and the list shrinks with them.
    before = editor.citations.table.height()
    drag_splitter(window.catalogue_view.splitter, -150)
    qtbot.waitUntil(lambda: editor.citations.table.height() < before)
    _no_hidden_rows(editor.citations.table)
