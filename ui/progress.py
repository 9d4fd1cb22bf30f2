"""Long work with a progress dialog and Cancel, so the window never freezes.

    result = run_with_progress(parent, "Importing wards…", lambda progress: work(progress))

`work` runs on a worker thread; its progress(fraction, text) callback raises
models.errors.Cancelled once the user presses Cancel, which rolls back any
transaction the work has open. The dialog is window-modal: while the worker
writes to the catalogue, nothing in the window can start another edit.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from models.errors import Cancelled

Progress = Callable[[float, str], None]
_STEPS = 1000


class _Worker(QThread):
    progressed = Signal(int, str)

    def __init__(self, work: Callable[[Progress], object], parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self._cancelled = threading.Event()
        self.result: object = None
        self.error: BaseException | None = None

    def cancel(self) -> None:
        self._cancelled.set()

    def _progress(self, fraction: float, text: str) -> None:
        if self._cancelled.is_set():
            raise Cancelled()
        self.progressed.emit(int(max(0.0, min(1.0, fraction)) * _STEPS), text)

    def run(self) -> None:
        try:
            self.result = self._work(self._progress)
        except BaseException as e:  # handed to the GUI thread, which re-raises it
            self.error = e
        if self._cancelled.is_set() and self.error is None:
            self.error = Cancelled()


def run_with_progress(parent: QWidget | None, title: str, work: Callable[[Progress], object]):
    """Run work(progress) off the GUI thread; returns its result or raises its error (Cancelled on Cancel)."""
    dialog = QProgressDialog(title, "Cancel", 0, _STEPS, parent)
    dialog.setWindowTitle(title.rstrip("…. "))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)   # quick work finishes without a flash of dialog
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    worker = _Worker(work)
    loop = QEventLoop()

    def progressed(value: int, text: str) -> None:
        if dialog.wasCanceled():   # also catches cancel() called without the button
            worker.cancel()
            return
        dialog.setValue(value)
        if text:
            dialog.setLabelText(text)

    worker.progressed.connect(progressed, Qt.ConnectionType.QueuedConnection)
    worker.finished.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
    dialog.canceled.connect(worker.cancel)
    dialog.setValue(0)
    worker.start()
    if not worker.isFinished():
        loop.exec()
    worker.wait()
    dialog.close()
    dialog.deleteLater()
    if worker.error is not None:
        raise worker.error
    return worker.result
