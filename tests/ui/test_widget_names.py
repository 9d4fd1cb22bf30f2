"""Every main control has an object name (tests and scripts find it by that) and a name a
screen reader can announce where the widget shows no text of its own saying what it is."""
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

MAIN_CONTROLS = {
    "main-tabs", "catalogue-tab", "organisations-tab", "map-tab", "overlaps-tab", "coterminosity-tab",
    "undo-history", "undo-view",
    # the partnership list
    "partnership-list", "partnership-search", "filter-kind", "filter-status", "filter-policy-area",
    "filter-member", "filter-year", "partnership-table", "partnership-count", "clear-filters",
    # the editor
    "partnership-editor", "partnership-name", "partnership-kind", "partnership-status", "partnership-start",
    "partnership-end", "partnership-policy-areas", "partnership-policy-area-entry", "partnership-lead",
    "partnership-governance", "partnership-funding", "partnership-savings", "partnership-savings-period",
    "partnership-savings-text", "partnership-description", "partnership-notes", "partnership-tags",
    "partnership-tag-entry", "partnership-areas", "delete-partnership",
    # members and sources
    "members-panel", "members-table", "member-organisation", "member-new-kind", "member-role",
    "member-joined", "member-left", "add-member", "remove-member",
    "citations-panel", "citations-list", "cite-source", "edit-citation", "edit-source", "remove-citation",
    # organisations
    "organisation-search", "organisation-table", "organisation-name", "organisation-kind",
    "organisation-gss-code", "organisation-notes", "organisation-memberships", "merge-organisation",
    "delete-organisation",
}
# Widgets whose visible text is their value, not what they are.
NEEDS_A_NAME = (QLineEdit, QComboBox, QPlainTextEdit, QAbstractSpinBox, QAbstractItemView)


def named_widgets(window) -> dict[str, list[QWidget]]:
    named: dict[str, list[QWidget]] = {}
    for w in window.findChildren(QWidget):
        if w.objectName() and not w.objectName().startswith("qt_"):
            named.setdefault(w.objectName(), []).append(w)
    return named


def test_the_main_controls_have_object_names(window):
    named = named_widgets(window)
    assert sorted(MAIN_CONTROLS - set(named)) == []
    assert {n: len(ws) for n, ws in named.items() if n in MAIN_CONTROLS and len(ws) > 1} == {}
    assert window.findChild(QLineEdit, "member-organisation") is window.catalogue_view.editor.members.organisation
    tabs = window.findChild(QWidget, "main-tabs")
    assert [tabs.widget(i).objectName() for i in range(tabs.count())] == \
        ["catalogue-tab", "organisations-tab", "map-tab", "overlaps-tab", "network-tab", "coterminosity-tab"]


def test_fields_without_a_text_of_their_own_have_an_accessible_name(window):
    cat = window.catalogue
    window.catalogue_view.list.select(cat.partnerships.find("West London Alliance").id)
    missing = []
    for tab in (window.catalogue_view, window.organisations_view):
        for w in tab.findChildren(QWidget):
            if not isinstance(w, NEEDS_A_NAME) or isinstance(w, QHeaderView) or w.window() is not window:
                continue   # a header, or the popup list of a combo box or a completer
            if isinstance(w, QLineEdit) and isinstance(w.parent(), (QComboBox, QAbstractSpinBox)):
                continue   # the editable part of a box that has the name
            if not w.accessibleName().strip():
                missing.append(w.objectName() or type(w).__name__)
    assert missing == []
    for button in window.catalogue_view.findChildren(QAbstractButton):
        if button.objectName().startswith("qt_") or not button.isVisibleTo(window):
            continue   # Qt's own (a table's corner button), or a tag chip not in use
        assert button.text().strip() or button.accessibleName().strip(), button.objectName()
