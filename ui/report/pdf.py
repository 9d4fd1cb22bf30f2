"""The report as a PDF: rich text laid out by QTextDocument, painted page by page with QPdfWriter.

    summary = write_report(cat, "out.pdf", names=None, progress=progress)

The text stays text (selectable, searchable, its fonts embedded by Qt's PDF
engine); maps are vector paths (ui.report.maps). The file appears only when it
is complete: a cancelled or failed report leaves nothing behind.
"""
from __future__ import annotations

import datetime
import os
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from models.analysis.area_stats import format_population
from models.analysis.report import Coverage, PartnershipSection, ReportContent, report_content
from models.errors import CatalogueError, plural
from ui.report.maps import MAP_OBJECT, OBJECT_CHARACTER, Layer, MapObjects, MapSpec, extent_of, map_format

RESOLUTION = 300          # dots per inch of the layout; the output is vector whatever it is
MARGIN_MM = 16
FOOTER_PT = 18
MAP_HEIGHT_PT = 260
MATRIX_LIMIT = 40         # more areas than this and the matrix would be unreadable: list pairs instead

BACKDROP_FILL = QColor("#f1f1ee")
BACKDROP_STROKE = QColor("#9a9a9a")
COVERAGE = ["#f7f7f7", "#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]

STYLE = """
body { font-size: 9.5pt; }
h1 { font-size: 17pt; margin-bottom: 2pt; }
h2 { font-size: 12pt; margin-top: 12pt; margin-bottom: 4pt; }
.meta { color: #555555; }
.caption { font-size: 8pt; color: #444444; }
.small { font-size: 8pt; }
th { background-color: #e8e8e8; text-align: left; }
td.n, th.n { text-align: right; }
.ref { margin-left: 18pt; text-indent: -18pt; }
.matrix { font-size: 7pt; }
"""


def write_report(cat, out: str | os.PathLike, names=None, progress=None) -> str:
    """Write the report of the partnerships named (all, with the catalogue's overview, when
    names is empty) to `out`; returns a one-line summary. progress may raise Cancelled."""
    progress = progress or (lambda fraction, text: None)
    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise CatalogueError(f"a report is a PDF: name it {out.with_suffix('.pdf').name}")
    if not out.parent.is_dir():
        raise CatalogueError(f"no folder {out.parent} to write the report in")
    content = report_content(cat, names, lambda f, t: progress(0.4 * f, t))
    partial = out.with_name(f".{out.name}.partial")
    try:
        pages = _paint(content, partial, lambda f, t: progress(0.4 + 0.6 * f, t))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    what = plural(len(content.sections), "partnership")
    return f"wrote {out.name}: {plural(pages, 'page')}, {what}"


# -- the text ------------------------------------------------------------------------
class _Builder:
    """HTML for the document, with a marker where each map goes (swapped for a map object)."""

    def __init__(self, width_pt: float):
        self.html: list[str] = []
        self.maps: list[MapSpec] = []
        self.width_pt = width_pt

    def add_map(self, spec: MapSpec) -> None:
        self.html.append(f"<p>@@MAP{len(self.maps)}@@</p>")
        self.maps.append(spec)


def _html(content: ReportContent, width_pt: float) -> _Builder:
    b = _Builder(width_pt)
    today = datetime.date.today().isoformat()
    if content.overlaps is not None:
        b.html.append(f"<h1>{escape(content.title)}</h1>")
    b.html.append(f"<p class='meta'>{escape(content.catalogue)} · {today} · "
                  f"{plural(len(content.sections), 'partnership')}</p>")
    if not content.has_boundaries:
        b.html.append("<p class='caption'>This catalogue has no boundary layer: the report has no maps "
                      "and no area figures, only the partnerships' members and references.</p>")
    if content.overlaps is not None:
        _overview(b, content)
    for k, section in enumerate(content.sections):
        _section(b, section, content, first=k == 0 and content.overlaps is None)
    return b


def _overview(b: _Builder, content: ReportContent) -> None:
    b.html.append("<h2>Partnerships</h2><table class='small' cellspacing='0' cellpadding='3' width='100%'>"
                  "<tr><th width='52%'>Partnership</th><th>Kind</th><th>Status</th><th class='n'>Members</th>"
                  "<th class='n'>&nbsp;Wards</th></tr>")
    for s in content.sections:
        wards = sum(a.stats.units for a in s.areas)
        b.html.append(f"<tr><td>{escape(s.partnership.name)}</td><td>{escape(s.partnership.kind)}</td>"
                      f"<td>{escape(s.partnership.status)}</td><td class='n'>{len(s.members)}</td>"
                      f"<td class='n'>{wards if s.areas else '—'}</td></tr>")
    b.html.append("</table>")
    _matrix(b, content)
    if content.coverage is not None:
        _coverage(b, content.coverage, content)


def _matrix(b: _Builder, content: ReportContent) -> None:
    m = content.overlaps
    unit = "wards" if m.by == "units" else "organisations"
    what = "areas" if m.by == "units" else "partnerships"
    b.html.append("<h2 style='page-break-before: always'>Overlaps</h2>")
    if not len(m):
        b.html.append(f"<p>No {what} to compare.</p>")
        return
    b.html.append(f"<p class='caption'>Shared {unit} between {plural(len(m), what[:-1])}, ordered so that "
                  f"those which overlap most sit together; the diagonal is each one's own size, shading "
                  f"the Jaccard index (shared over combined).</p>")
    if len(m) > MATRIX_LIMIT:
        pairs = sorted((p for p in m.pairs() if p.shared > 0), key=lambda p: (-p.jaccard, p.a, p.b))
        b.html.append("<table class='small' cellspacing='0' cellpadding='2'><tr><th>A</th><th>B</th>"
                      f"<th class='n'>Shared {unit}</th><th class='n'>Jaccard</th></tr>")
        for p in pairs:
            b.html.append(f"<tr><td>{escape(p.a)}</td><td>{escape(p.b)}</td><td class='n'>{p.shared:,.0f}</td>"
                          f"<td class='n'>{p.jaccard:.2f}</td></tr>")
        b.html.append("</table>")
        return
    jaccard = m.jaccard
    b.html.append("<table class='matrix' cellspacing='0' cellpadding='2' border='0' width='100%'><tr><th></th>")
    b.html.extend(f"<th class='n'>{j + 1}</th>" for j in range(len(m)))
    b.html.append("</tr>")
    for i in range(len(m)):
        b.html.append(f"<tr><th class='n'>{i + 1}</th>")
        for j in range(len(m)):
            v = m.shared[i, j]
            shade = _blend(float(jaccard[i, j])) if v > 0 and i != j else "#ffffff"
            text = f"<b>{v:,.0f}</b>" if i == j else (f"{v:,.0f}" if v > 0 else "·")
            b.html.append(f"<td class='n' bgcolor='{shade}'>{text}</td>")
        b.html.append("</tr>")
    b.html.append("</table><p class='small'>" + "<br>".join(
        f"{k + 1}. {escape(name)}" for k, name in enumerate(m.names)) + "</p>")


def _blend(share: float) -> str:
    """White to a mid blue as the Jaccard index goes from 0 to 1."""
    lo, hi = QColor("#ffffff"), QColor("#6baed6")
    t = max(0.0, min(1.0, share))
    return QColor.fromRgbF(lo.redF() + (hi.redF() - lo.redF()) * t, lo.greenF() + (hi.greenF() - lo.greenF()) * t,
                           lo.blueF() + (hi.blueF() - lo.blueF()) * t).name()


def _coverage_colour(count: int, most: int) -> QColor:
    if count <= 0:
        return QColor(COVERAGE[0])
    steps = len(COVERAGE) - 1
    return QColor(COVERAGE[1 + min(steps - 1, (count - 1) * (steps - 1) // max(1, most - 1))])


def _coverage(b: _Builder, coverage: Coverage, content: ReportContent) -> None:
    most = coverage.most
    b.html.append("<h2 style='page-break-before: always'>Coverage</h2>")
    b.html.append(f"<p class='caption'>How many partnerships' areas cover each ward of "
                  f"{escape(coverage.layer.name)} (areas on other boundary layers are not counted here).</p>")
    fills = [_coverage_colour(int(c), most) for c in coverage.counts]
    layers = [Layer(list(coverage.shapes), fills, QColor("#c8c8c8"), 0.2)]
    if content.boroughs:
        layers.append(Layer([g for _, g in content.boroughs], [None] * len(content.boroughs),
                            QColor("#505050"), 0.6, [n for n, _ in content.boroughs]))
    b.add_map(MapSpec(layers, extent_of(list(coverage.shapes), 0.02), b.width_pt, 420))
    counts = {}
    for c in coverage.counts.tolist():
        counts[c] = counts.get(c, 0) + 1
    b.html.append("<table class='small' cellspacing='0' cellpadding='2'><tr><th>Partnerships</th>"
                  "<th></th><th class='n'>Wards</th></tr>")
    for c in range(0, most + 1):
        b.html.append(f"<tr><td class='n'>{c}</td><td bgcolor='{_coverage_colour(c, most).name()}' width='24'>"
                      f"&nbsp;</td><td class='n'>{counts.get(c, 0)}</td></tr>")
    b.html.append("</table>")


def _years(start, end) -> str:
    if not start and not end:
        return "dates not known"
    return f"{start or '?'} – {end or 'continuing'}"


def _section(b: _Builder, s: PartnershipSection, content: ReportContent, first: bool) -> None:
    p = s.partnership
    breaking = "" if first else " style='page-break-before: always'"
    b.html.append(f"<h1{breaking}>{escape(p.name)}</h1>")
    facts = [p.kind, p.status, _years(p.start, p.end)]
    if p.policy_areas:
        facts.append(", ".join(p.policy_areas))
    b.html.append(f"<p class='meta'>{escape(' · '.join(facts))}</p>")
    if p.description:
        b.html.append(f"<p>{escape(p.description)}</p>")
    more = [("Lead", s.lead), ("Governance", p.governance), ("Funding", p.funding), ("Savings", _savings(p))]
    more = [(k, v) for k, v in more if v]
    if more:
        b.html.append("<p>" + "<br>".join(f"<b>{k}:</b> {escape(v)}" for k, v in more) + "</p>")

    if s.areas:
        shapes = [a.shape for a in s.areas]
        backdrop = Layer([g for _, g in s.boroughs], [BACKDROP_FILL] * len(s.boroughs), BACKDROP_STROKE, 0.5,
                         [n for n, _ in s.boroughs])
        areas = Layer(shapes, [_translucent(a.colour) for a in s.areas], QColor("#202020"), 0.9)
        # The lines of the boroughs the areas span again over them, so that they show through.
        spanned = [g for g in backdrop.shapes if any(g.intersects(a) for a in shapes)]
        lines = Layer(spanned, [None] * len(spanned), QColor(80, 80, 80, 140), 0.4)
        b.add_map(MapSpec([backdrop, areas, lines], extent_of(shapes, 0.12),
                          b.width_pt, MAP_HEIGHT_PT))
        swatches = "&nbsp;&nbsp; ".join(
            f"<span style='background-color:{escape(a.colour)}'>&nbsp;&nbsp;&nbsp;</span> "
            f"{escape(a.name)} ({escape(a.layer)})" for a in s.areas)
        under = f" · boroughs: {escape(content.borough_layer)}" if content.borough_layer else ""
        b.html.append(f"<p class='caption'>{swatches}{under}</p>")
        _figures(b, s)
    elif content.has_boundaries:
        b.html.append("<p class='caption'>No area is drawn for this partnership: no map or area figures.</p>")

    b.html.append("<h2>Members</h2>")
    if s.members:
        b.html.append("<table cellspacing='0' cellpadding='2' width='100%'><tr><th>Organisation</th>"
                      "<th>Role</th><th>Joined</th><th>Left</th></tr>")
        for m in s.members:
            b.html.append(f"<tr><td>{escape(m.name)}</td><td>{escape(m.role)}</td>"
                          f"<td>{escape(m.joined or '—')}</td><td>{escape(m.left or '—')}</td></tr>")
        b.html.append("</table>")
    else:
        b.html.append("<p>No members recorded.</p>")

    b.html.append("<h2>References</h2>")
    if not s.references:
        b.html.append("<p>No source is cited for this partnership.</p>")
    for r in s.references:
        cited = f" <span class='small'>Cited: {escape('; '.join(r.pages))}.</span>" if r.pages else ""
        b.html.append(f"<p class='ref'>[{r.number}]&nbsp;&nbsp;{escape(r.text)}{cited}</p>")


def _savings(p) -> str:
    if p.savings_amount is not None:
        text = f"£{p.savings_amount:,.0f}" + (f" {p.savings_period}" if p.savings_period else "")
        return text + (f" ({p.savings_text})" if p.savings_text else "")
    return p.savings_text


def _translucent(colour: str) -> QColor:
    c = QColor(colour)
    c.setAlphaF(0.55)
    return c


def _figures(b: _Builder, s: PartnershipSection) -> None:
    b.html.append("<h2>Figures</h2><table cellspacing='0' cellpadding='3' width='100%'><tr>"
                  "<th width='38%'>Area</th><th class='n'>Wards</th><th class='n'>km²</th>"
                  "<th class='n'>Population</th><th class='n'>Boroughs</th><th width='18%'>&nbsp;Contiguity</th></tr>")
    for a in s.areas:
        st = a.stats
        pieces = ("one piece" if st.parts == 1 else "empty" if st.parts == 0 else f"{st.parts} separate parts")
        population = format_population(st.population)
        if st.population_missing and st.population is not None:
            population += f" ({st.population_missing} wards without a figure)"
        b.html.append(f"<tr><td>{escape(a.name)}</td><td class='n'>{st.units:,}</td>"
                      f"<td class='n'>{st.km2:,.1f}</td><td class='n'>{population}</td>"
                      f"<td class='n'>{len(st.boroughs)}</td><td>&nbsp;{pieces}</td></tr>")
    b.html.append("</table>")
    for a in s.areas:
        st = a.stats
        lines = []
        if st.boroughs:
            kind = "a virtual borough across " if st.cross_boundary else "within "
            lines.append(kind + ", ".join(f"{escape(x.name)} ({plural(x.units, 'ward')})" for x in st.boroughs))
        if st.isolated:
            lines.append("isolated: " + escape(", ".join(st.isolated)))
        if st.overlaps:
            lines.append("shares wards with: " + ", ".join(f"{escape(n)} ({k})" for n, k in st.overlaps))
        if lines:
            b.html.append(f"<p class='small'><b>{escape(a.name)}</b>: " + "; ".join(lines) + ".</p>")


# -- pages -----------------------------------------------------------------------------
def _paint(content: ReportContent, path: Path, progress) -> int:
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setCreator("Partnership Atlas")
    writer.setTitle(content.title + f" — {content.catalogue}")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                     QPageLayout.Unit.Millimeter))
    dots = RESOLUTION / 72.0
    width, height = writer.width(), writer.height()
    body = height - FOOTER_PT * dots

    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)   # points become the writer's dots, not the screen's
    doc.setDefaultStyleSheet(STYLE)
    font = QFont(doc.defaultFont())
    font.setPointSizeF(9.5)
    # No ligatures: "ffi" set as one glyph extracts as U+FB03, and a reader's search for
    # "Office" in the PDF would not find it.
    font.setFeature(QFont.Tag("liga"), 0)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    built = _html(content, width / dots)
    handler = MapObjects(built.maps, dots)
    doc.documentLayout().registerHandler(MAP_OBJECT, handler)
    doc.setHtml("<html><body>" + "".join(built.html) + "</body></html>")
    for k in range(len(built.maps)):
        found = doc.find(f"@@MAP{k}@@")
        if not found.isNull():
            found.insertText(OBJECT_CHARACTER, map_format(k))
    # The page size last: setting it lays the whole document out afresh. Laid out before the
    # maps went in, the blocks after them kept stale lines and were not painted.
    doc.setPageSize(QSizeF(width, body))

    pages = doc.pageCount()
    painter = QPainter()
    if not painter.begin(writer):
        raise CatalogueError(f"cannot write {path.name.removeprefix('.').removesuffix('.partial')}")
    try:
        footer_font = QFont(font)
        footer_font.setPointSizeF(7.5)
        for page in range(pages):
            progress(page / pages, f"Page {page + 1} of {pages}…")
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * body)
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = QRectF(0, page * body, width, body)
            painter.setClipRect(context.clip)
            doc.documentLayout().draw(painter, context)
            painter.restore()
            painter.setFont(footer_font)
            painter.setPen(QColor("#666666"))
            painter.drawText(QPointF(0, height - 4 * dots),
                             f"{content.title} · {content.catalogue} · Partnership Atlas")
            label = f"{page + 1} / {pages}"
            painter.drawText(QPointF(width - painter.fontMetrics().horizontalAdvance(label), height - 4 * dots),
                             label)
    finally:
        painter.end()
    return pages
