"""CSV files from the window: an export imports again whole, and every fault of a row is shown."""
from PySide6.QtCore import Qt

from models.catalogue import Catalogue
from models.formats.example import build_example
from tests.helpers.catalogues import snapshot
from tests.helpers.gui import make_window


def test_export_then_import_in_the_window_gives_the_same_csv(qtbot, tmp_path):
    path = tmp_path / "example.gpkg"
    cat = Catalogue.create(path)
    build_example(cat)
    cat.close()
    window = make_window(qtbot, path, tmp_path / "settings.ini", tmp_path / "data")
    first = tmp_path / "all.csv"
    assert window.files.export("csv", False, first)        # File ▸ Export ▸ Partnerships as CSV
    window.close()
    empty = tmp_path / "empty.gpkg"
    Catalogue.create(empty).close()
    other = make_window(qtbot, empty, tmp_path / "settings.ini", tmp_path / "data")
    dialog = other.files.import_partnerships(first)
    qtbot.waitExposed(dialog)
    assert dialog.summary.text().startswith("32 partnerships will be imported")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    cat = other.catalogue
    assert sum(len(cat.sources.citations(partnership_id=p.id)) for p in cat.partnerships.all()) == 61
    second = tmp_path / "again.csv"
    assert other.files.export("csv", False, second)
    assert second.read_bytes() == first.read_bytes()
    other.close()


def test_the_import_dialog_lists_every_fault_of_a_row(window, tmp_path, qtbot):
    path = tmp_path / "bad.csv"
    path.write_text("name,kind,status,start,end,savings_amount,members\n"
                    "Five faults,x,maybe,2008-13,20x0,lots,Barnet; (lead)\n", encoding="utf-8")
    before = snapshot(window.catalogue)
    dialog = window.files.import_partnerships(path)
    qtbot.waitExposed(dialog)
    assert [dialog.errors.item(i).text() for i in range(dialog.errors.count())] == [
        "row 2: unknown kind 'x'", "row 2: start: '2008-13' has no month 13",
        "row 2: end: '20x0' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)", "row 2: unknown status 'maybe'",
        "row 2: savings 'lots' is not an amount in £", "row 2: member '(lead)' has a role but no name"]
    assert dialog.summary.text().startswith("✗ 1 row has errors")
    assert not dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    dialog.reject()
    assert snapshot(window.catalogue) == before


def test_one_of_anything_is_not_plural(window, tmp_path, qtbot):
    path = tmp_path / "one.csv"
    path.write_text("name,members\nOne board,Barnet\n", encoding="utf-8")
    dialog = window.files.import_partnerships(path)
    qtbot.waitExposed(dialog)
    assert dialog.summary.text().startswith("1 partnership will be imported")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "Imported 1 partnership from one.csv" in window.statusBar().currentMessage()
    view = window.catalogue_view.list
    qtbot.keyClicks(view.search_box, "One board")
    assert view.count_label.text() == "1 of 3 partnerships shown"
