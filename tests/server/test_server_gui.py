"""File ▸ Publish to Server… and Pull from Server… in the window, typed into as a person
would: the password is never saved, a pull is one undo step."""
from __future__ import annotations

import psycopg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from tests.helpers.gui import list_names
from ui.files.server_dialog import ServerDialog


def _action(window, text):
    return next(a for a in window.findChildren(QAction) if a.text() == text)


def fill_and_press(qtbot, fields: dict, done: list):
    """When the server dialog shows: type each field (select-all, then the text), press OK."""
    def act():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ServerDialog):
            QTimer.singleShot(50, act)
            return
        for name, text in fields.items():
            field = dialog.findChild(type(dialog.server), name)
            field.setFocus()
            qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            qtbot.keyClicks(field, text)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        done.append(True)
    QTimer.singleShot(50, act)


def test_publish_and_pull_from_the_file_menu(window, qtbot, server, tmp_path):
    cluster, db, owner, password = server
    url = cluster.url(owner, None, db)   # the password goes in its own field
    done = []
    fill_and_press(qtbot, {"serverTarget": url, "serverSchema": "team", "serverPassword": password}, done)
    _action(window, "P&ublish to Server…").trigger()
    qtbot.waitUntil(lambda: "Published to schema team" in window.statusBar().currentMessage(), timeout=30000)
    assert done
    settings = (tmp_path / "settings.ini")
    window.settings.sync()
    assert password not in settings.read_text() and "team" in settings.read_text()
    # A colleague adds a partnership on the server.
    with psycopg.connect(cluster.url(owner, password, db), autocommit=True) as conn:
        conn.execute("INSERT INTO team.partnerships(name, kind, status) VALUES ('Added on the server', 'other', 'active')")
    done.clear()
    fill_and_press(qtbot, {"serverPassword": password}, done)   # server and schema remembered
    _action(window, "Pu&ll from Server…").trigger()   # the merge review opens on the server's copy
    review = window.files.merge_dialog
    assert done and review.isVisible()
    assert "adds 1 record" in review.summary.text()
    qtbot.mouseClick(review.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Added on the server" in list_names(window), timeout=10000)
    window.undo_action.trigger()   # one undo step takes the pull back
    qtbot.waitUntil(lambda: "Added on the server" not in list_names(window), timeout=5000)


def test_a_wrong_password_is_one_line_in_the_window(window, qtbot, server):
    cluster, db, owner, password = server
    done = []
    fill_and_press(qtbot, {"serverTarget": cluster.url(owner, None, db), "serverPassword": "wrong-pass"}, done)
    _action(window, "P&ublish to Server…").trigger()
    qtbot.waitUntil(lambda: window.last_message is not None, timeout=30000)
    text = window.last_message.text()
    assert text.endswith("refused the password") and "wrong-pass" not in text and "\n" not in text
