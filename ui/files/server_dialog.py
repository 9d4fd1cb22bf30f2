"""File ▸ Publish to Server… and Pull from Server…: where the team server is (a pull is then
reviewed in the merge review, ui/merge/review_dialog.py).

The server (a postgresql:// URL or a libpq service name) and the schema are remembered for
next time, without any password: the password field is never saved, and a password typed
into the URL is taken out before the URL is kept.
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
)

from models.server.connection import without_password


class ServerDialog(QDialog):
    """Server, schema, password (and for a publish, the roles to grant)."""

    def __init__(self, parent, settings, publishing: bool):
        super().__init__(parent)
        self.setObjectName("serverDialog")
        self.settings = settings
        self.setWindowTitle("Publish to Server" if publishing else "Pull from Server")
        form = QFormLayout()
        self.server = QLineEdit(str(settings.value("server/target", "")))
        self.server.setObjectName("serverTarget")
        self.server.setPlaceholderText("postgresql://me@host/db or a service name")
        self.server.setToolTip("A postgresql:// URL (TLS settings such as ?sslmode=verify-full pass through) "
                               "or a libpq service name from ~/.pg_service.conf")
        self.schema = QLineEdit(str(settings.value("server/schema", "atlas")))
        self.schema.setObjectName("serverSchema")
        self.password = QLineEdit()
        self.password.setObjectName("serverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("not saved; empty: ~/.pgpass or the service file")
        form.addRow("&Server:", self.server)
        form.addRow("S&chema:", self.schema)
        form.addRow("&Password:", self.password)
        self.editors = self.readers = None
        if publishing:
            self.editors = QLineEdit()
            self.editors.setObjectName("serverEditors")
            self.editors.setPlaceholderText("roles, comma-separated (optional)")
            self.readers = QLineEdit()
            self.readers.setObjectName("serverReaders")
            self.readers.setPlaceholderText("roles, comma-separated (optional)")
            form.addRow("&Editors:", self.editors)
            form.addRow("&Readers:", self.readers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Publish" if publishing else "Pull")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    @staticmethod
    def _roles(field: QLineEdit | None) -> list[str]:
        return [r.strip() for r in field.text().split(",") if r.strip()] if field is not None else []

    def values(self) -> dict:
        return {"target": self.server.text().strip(), "schema": self.schema.text().strip() or "atlas",
                "password": self.password.text() or None,
                "editors": self._roles(self.editors), "readers": self._roles(self.readers)}

    def remember(self) -> None:
        self.settings.setValue("server/target", without_password(self.server.text().strip()))
        self.settings.setValue("server/schema", self.schema.text().strip() or "atlas")
