"""The tag editor's chips: what they show, and that clicking one removes that tag."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from ui.catalogue.fields import TagEditor


def _chips(editor):
    return [c for c in editor.findChildren(QToolButton) if not c.isHidden()]


def test_chips_follow_the_tags_and_remove_their_own(qtbot):
    editor = TagEditor(("waste", "health"))
    qtbot.addWidget(editor)
    emitted = []
    editor.changed.connect(emitted.append)
    editor.set_tags(("waste", "health", "housing"))
    assert [c.text() for c in _chips(editor)] == ["waste  ✕", "health  ✕", "housing  ✕"]
    editor.set_tags(("IT",))   # another partnership: fewer tags, chips reused
    assert [c.text() for c in _chips(editor)] == ["IT  ✕"]
    qtbot.mouseClick(_chips(editor)[0], Qt.MouseButton.LeftButton)
    assert emitted == [()]
    editor.set_tags(("procurement", "customer contact"))
    chips = _chips(editor)
    assert [c.toolTip() for c in chips] == ["Remove “procurement”", "Remove “customer contact”"]
    qtbot.mouseClick(chips[1], Qt.MouseButton.LeftButton)
    assert emitted[-1] == ("procurement",)
