"""Export the map as the user sees it (with legend, scale bar and attribution)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QRectF, QSize, QSizeF
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem

from models.errors import CatalogueError

FORMATS = {".png": "PNG image", ".svg": "SVG drawing", ".pdf": "PDF document"}


def export_view(view, path: str | Path, scale: int = 2) -> Path:
    """Write the current view to PNG, SVG or PDF (chosen by the file's suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise CatalogueError(f"choose a file ending in {', '.join(FORMATS)}")
    w, h = view.viewport().width(), view.viewport().height()
    source = QRect(0, 0, w, h)
    # The units are kept as screen tiles and the areas cached as screen pixmaps; files want the
    # paths themselves, at the file's resolution.
    view.exporting = True
    cached = [(i, i.cacheMode()) for i in view.scene().items() if i.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    for item, _ in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    # Tool feedback (brush circle, lasso, vertex handles) sits at z >= 10: not part of a map.
    tool_items = [i for i in view.scene().items() if i.zValue() >= 10 and i.isVisible()]
    for item in tool_items:
        item.setVisible(False)
    try:
        if suffix == ".png":
            image = QImage(w * scale, h * scale, QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(scale)
            image.fill(QColor("white"))
            _render(view, image, QRectF(0, 0, w, h), source)
            ok = image.save(str(path), "PNG")
        elif suffix == ".svg":
            gen = QSvgGenerator()
            gen.setFileName(str(path))
            gen.setSize(QSize(w, h))
            gen.setViewBox(QRect(0, 0, w, h))
            gen.setTitle("Partnership Atlas map")
            gen.setDescription(view.layer.attribution)
            ok = _render(view, gen, QRectF(0, 0, w, h), source)
        else:
            pdf = QPdfWriter(str(path))
            pdf.setResolution(96)
            pdf.setPageLayout(QPageLayout(QPageSize(QSizeF(w * 0.75, h * 0.75), QPageSize.Unit.Point),
                                          QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
            pdf.setTitle("Partnership Atlas map")
            ok = _render(view, pdf, QRectF(0, 0, pdf.width(), pdf.height()), source)
    finally:
        view.exporting = False
        for item, mode in cached:
            item.setCacheMode(mode)
        for item in tool_items:
            item.setVisible(True)
    if not ok or not path.exists() or path.stat().st_size == 0:
        raise CatalogueError(f"could not write {path.name}")
    return path


def _render(view, device, target: QRectF, source: QRect) -> bool:
    painter = QPainter()
    if not painter.begin(device):
        return False
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    view.render(painter, target, source)
    painter.end()
    return True
