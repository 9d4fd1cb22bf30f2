"""File ▸ Export ▸ Report…, reached from the keyboard as a person would."""
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog, QPushButton

from models.errors import plural
from tests.helpers.gui import make_window
from tests.helpers.pdf import pdf_pages


def _choose_in_menus(qtbot, window, *keys: str) -> None:
    """A click on File in the menu bar, then each mnemonic in the menu that opened. (Not Alt+F:
    with a partnership open, the editor's "&Funding" takes that shortcut.)"""
    bar = window.menuBar()
    file_menu = next(a for a in bar.actions() if a.text() == "&File")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(file_menu).center())
    for key in keys:
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
        qtbot.keyClick(QApplication.activePopupWidget(), key)


def test_file_export_report_writes_the_pdf(qtbot, window, tmp_path, monkeypatch):
    out = tmp_path / "handed on.pdf"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, start, filter_: (asked.append((title, start, filter_)) or
                                                               (str(out), filter_)))
    _choose_in_menus(qtbot, window, "e", "r")
    qtbot.waitUntil(lambda: out.exists())
    (title, start, filter_), = asked
    assert (title, filter_) == ("Export a report", "PDF (*.pdf)") and start.endswith("small report.pdf")
    text = " ".join(pdf_pages(out))
    assert text.startswith("Catalogue report small.gpkg")
    assert "West London Alliance" in text and "North Waste Board" in text
    pages = plural(len(pdf_pages(out)), "page")
    assert window.statusBar().currentMessage() == f"Wrote handed on.pdf: {pages}, 2 partnerships"


def test_nothing_selected_is_said_and_writes_nothing(qtbot, window, tmp_path, monkeypatch):
    out = tmp_path / "north.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(out), "PDF (*.pdf)"))
    _choose_in_menus(qtbot, window, "e", "p")              # Selected Partnerships as a Report…
    qtbot.waitUntil(lambda: window.last_message is not None)
    assert window.last_message.text() == "select partnerships in the list first" and not out.exists()


def test_the_selected_partnerships_alone(qtbot, window, tmp_path, monkeypatch):
    out = tmp_path / "north.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(out), "PDF (*.pdf)"))
    window.catalogue_view.list.select(window.catalogue.partnerships.find("North Waste Board").id)
    _choose_in_menus(qtbot, window, "e", "p")
    qtbot.waitUntil(lambda: out.exists())
    pages = pdf_pages(out)
    assert pages[0].startswith("small.gpkg") and "North Waste Board thematic board · ended · 2001 – 2004" in pages[0]
    assert "West London Alliance" not in " ".join(pages)


def test_cancel_in_the_progress_dialog_leaves_no_file(qtbot, london_example, tmp_path, monkeypatch):
    window = make_window(qtbot, london_example, tmp_path / "settings.ini", tmp_path / "data")
    out = tmp_path / "all.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(out), "PDF (*.pdf)"))
    pressed, returned = [], []

    def press_cancel_once_shown():   # what a person does once the dialog is up
        if returned:
            return
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
        if dialogs and not pressed:
            button = next(b for b in dialogs[0].findChildren(QPushButton) if b.text() == "Cancel")
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            pressed.append(dialogs[0].labelText())
        else:
            QTimer.singleShot(20, press_cancel_once_shown)

    QTimer.singleShot(0, press_cancel_once_shown)
    _choose_in_menus(qtbot, window, "e", "r")           # returns once the work has stopped
    returned.append(True)
    assert pressed and not out.exists() and not (tmp_path / ".all.pdf.partial").exists()
    assert window.statusBar().currentMessage() == "Report cancelled; nothing was written"
    window.close()
