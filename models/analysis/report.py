"""What a report to hand on says, gathered from the catalogue: no layout, no Qt.

    content = report_content(cat, names=["West London Alliance"], progress=progress)

ui.report paints it into a PDF. Each partnership gets its members, each area's
figures (as the area panel shows them, models.analysis.area_stats), the shapes
to draw its map with, and its references: the sources cited on it, its
memberships and its areas, numbered. A catalogue report (no names) adds the
overlap matrix and how many partnerships cover each ward.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import shapely

from models.analysis.area_stats import AreaStats, area_stats, borough_names
from models.analysis.naming import Named, resolve
from models.analysis.overlaps import OverlapMatrix, overlap_matrix
from models.analysis.universe import default_layer, load_universe
from models.catalogue.records import Area, BoundaryLayer, Partnership, Source

Progress = Callable[[float, str], None]

# Print detail: a 17 cm map of a London sub-region is about 1:150,000, where 20 m is 0.13 mm,
# finer than a hairline; simplifying to it keeps the PDF small and the outlines true.
PRINT_TOLERANCE_M = 20.0


# -- naming partnerships ------------------------------------------------------------
def find_partnership(partnerships: Iterable[Partnership], name: str) -> Partnership:
    """The partnership `name` names, as every command resolves names (models.analysis.naming)."""
    return resolve("partnership", name, [Named(p.name, None, p) for p in partnerships])


# -- references ------------------------------------------------------------------------
def _field(source: Source, name: str) -> str:
    """A source field that a catalogue of an older schema may not have (authors, doi…)."""
    value = getattr(source, name, None)
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value if str(v).strip())
    return str(value).strip()


def format_reference(source: Source) -> str:
    """One entry of a reference list: Authors (Year). Title. Publisher. URL or DOI.

    Without authors the publisher leads, as reference lists do for reports of a body."""
    authors, publisher, title = _field(source, "authors"), _field(source, "publisher"), source.title.strip()
    year = f"({source.year})" if source.year else "(n.d.)"
    lead = authors or publisher
    parts = [f"{lead} {year}." if lead else f"{year}.", _sentence(title)]
    if publisher and authors:
        parts.append(_sentence(publisher))
    doi = _field(source, "doi")
    link = f"https://doi.org/{doi}" if doi and not doi.startswith("http") else (doi or _field(source, "url"))
    if link:
        parts.append(link)
    accessed = _field(source, "accessed")
    if accessed and link:
        parts.append(f"(accessed {accessed})")
    return " ".join(parts)


def _sentence(text: str) -> str:
    """Ended with a full stop, unless it ends with its own (a title may ask a question)."""
    return text if text.endswith((".", "?", "!")) else text + "."


@dataclass(frozen=True)
class Reference:
    number: int
    source: Source
    pages: tuple[str, ...]   # the pages cited, in the order first cited

    @property
    def text(self) -> str:
        return format_reference(self.source)


# -- what a report holds -----------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    name: str
    role: str
    joined: str | None
    left: str | None


@dataclass(frozen=True)
class AreaFigures:
    name: str
    colour: str
    layer: str
    stats: AreaStats
    shape: shapely.Geometry   # its outline for the map (metres), simplified to print detail


@dataclass
class PartnershipSection:
    partnership: Partnership
    lead: str | None
    members: list[Member]
    areas: list[AreaFigures]
    references: list[Reference]
    boroughs: list[tuple[str, shapely.Geometry]] = field(default_factory=list)  # the map's backdrop


@dataclass
class Coverage:
    """How many partnerships' areas hold each unit of one ward layer."""
    layer: BoundaryLayer
    shapes: np.ndarray    # shapely, simplified to print detail
    counts: np.ndarray    # int, partnerships per unit
    names: list[str]

    @property
    def most(self) -> int:
        return int(self.counts.max()) if len(self.counts) else 0


@dataclass
class ReportContent:
    title: str
    catalogue: str
    sections: list[PartnershipSection]
    has_boundaries: bool
    overlaps: OverlapMatrix | None = None     # a catalogue report only
    coverage: Coverage | None = None          # a catalogue report with boundaries only
    boroughs: list[tuple[str, shapely.Geometry]] = field(default_factory=list)
    borough_layer: str = ""                   # the layer the maps' borough outlines come from


def _print_shape(geoms) -> shapely.Geometry:
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return shapely.Polygon()
    whole = shapely.coverage_union_all(geoms) if len(geoms) > 1 else geoms[0]
    return shapely.simplify(whole, PRINT_TOLERANCE_M, preserve_topology=True)


def _borough_shapes(cat) -> tuple[list[tuple[str, shapely.Geometry]], dict[str, str], str]:
    """The borough layer's units (name, simplified shape), code -> name and the layer's name,
    if there is one (the latest, when there are several)."""
    layers = [layer for layer in cat.layers.all() if layer.level == "borough"]
    if not layers:
        return [], {}, ""
    table = cat.layers.table(layers[-1].id)
    shapes = shapely.simplify(table.geometries, PRINT_TOLERANCE_M, preserve_topology=True)
    return list(zip(table.names, shapes)), dict(zip(table.codes, table.names)), layers[-1].name


def report_content(cat, names: Iterable[str] | None = None, progress: Progress | None = None) -> ReportContent:
    """The report of the partnerships named (resolved by find_partnership), or of the whole
    catalogue when names is None or empty. progress(fraction, text) may raise Cancelled."""
    progress = progress or (lambda fraction, text: None)
    everything = cat.partnerships.all()
    names = list(names or [])
    chosen = []
    for n in names:   # every name is checked before any work, so a typo costs nothing
        p = find_partnership(everything, n)
        if p.id not in {c.id for c in chosen}:
            chosen.append(p)
    whole = not names
    if whole:
        chosen = sorted(everything, key=lambda p: p.name.casefold())

    organisations = {o.id: o for o in cat.organisations.all()}
    layers = {layer.id: layer for layer in cat.layers.all()}
    areas = cat.areas.all()
    boroughs, borough_by_code, borough_layer = _borough_shapes(cat)
    tables: dict[int, tuple] = {}

    def table_of(layer_id: int):
        if layer_id not in tables:
            table = cat.layers.table(layer_id)
            named = borough_names(table, organisations.values(), cat.layers.parent_attributes(layer_id))
            tables[layer_id] = (table, {**borough_by_code, **named}, table.index_of())
        return tables[layer_id]

    sections = []
    for k, p in enumerate(chosen):
        progress(0.8 * k / max(1, len(chosen)), f"Gathering {p.name}…")
        sections.append(_section(cat, p, organisations, layers, areas, table_of, boroughs))

    content = ReportContent(
        title="Partnership report" if not whole else "Catalogue report",
        catalogue=cat.path.name, sections=sections, has_boundaries=bool(layers), boroughs=boroughs,
        borough_layer=borough_layer)
    if whole:
        progress(0.85, "Overlaps between areas…")
        by = "units" if any(a.unit_ids or a.drawn is not None for a in areas) and layers else "members"
        matrix = overlap_matrix(cat, by)
        content.overlaps = matrix.reordered(matrix.order("cluster")) if len(matrix) else matrix
        progress(0.92, "Coverage of wards…")
        content.coverage = _coverage(cat, areas, layers)
    progress(1.0, "")
    return content


def _section(cat, p: Partnership, organisations, layers, all_areas, table_of, boroughs) -> PartnershipSection:
    memberships = cat.partnerships.memberships(p.id)
    members = sorted((Member(organisations[m.organisation_id].name, m.role, m.joined, m.left)
                      for m in memberships), key=lambda m: (m.role != "lead", m.name.casefold()))
    mine = [a for a in all_areas if a.partnership_id == p.id]
    figures = []
    for a in mine:
        layer = layers.get(a.layer_id)
        if layer is None and a.drawn is None:
            continue
        if layer is None:   # drawn over no layer: its outline is all there is
            stats = None
        else:
            table, names, index = table_of(layer.id)
            others = [o for o in all_areas if o.id != a.id and o.layer_id == a.layer_id]
            stats = area_stats(table, a.unit_ids, drawn=a.drawn, names=names, others=others, index=index)
        shape = a.outline if a.outline is not None and not a.outline.is_empty else _area_shape(a, table_of)
        if stats is None:
            stats = AreaStats(units=0, boroughs=(), km2=shape.area / 1e6, population=None,
                              population_missing=0, parts=len(shapely.get_parts(shape)), isolated=(),
                              overlaps=())
        figures.append(AreaFigures(a.name, a.colour, layer.name if layer else "drawn", stats,
                                   shapely.simplify(shape, PRINT_TOLERANCE_M, preserve_topology=True)))
    return PartnershipSection(p, organisations[p.lead_id].name if p.lead_id in organisations else None,
                              members, figures, _references(cat, p, memberships, mine), boroughs)


def _area_shape(a: Area, table_of) -> shapely.Geometry:
    shapes = []
    if a.layer_id is not None and a.unit_ids:
        table, _, index = table_of(a.layer_id)
        shapes.extend(table.geometries[[index[u] for u in a.unit_ids if u in index]])
    if a.drawn is not None:
        shapes.append(a.drawn)
    return _print_shape(shapes)


def _references(cat, p: Partnership, memberships, areas) -> list[Reference]:
    """The sources cited on the partnership, then on its memberships and areas, each once,
    numbered in the order first cited."""
    citations = list(cat.sources.citations(partnership_id=p.id))
    for m in memberships:
        citations += cat.sources.citations(membership_id=m.id)
    for a in areas:
        citations += cat.sources.citations(area_id=a.id)
    pages: dict[int, list[str]] = {}
    for c in citations:
        cited = pages.setdefault(c.source_id, [])
        if c.page.strip() and c.page.strip() not in cited:
            cited.append(c.page.strip())
    return [Reference(k + 1, cat.sources.get(sid), tuple(pg)) for k, (sid, pg) in enumerate(pages.items())]


def _coverage(cat, areas: list[Area], layers: dict[int, BoundaryLayer]) -> Coverage | None:
    """Partnerships per unit of the default ward layer (the one drawn-only areas refer to):
    an area on another vintage is left out rather than guessed across boundary changes."""
    if not layers:
        return None
    universe = load_universe(cat)
    layer_id = default_layer(cat, universe)
    if layer_id is None:
        return None
    table = cat.layers.table(layer_id)
    index = table.index_of()
    holders: list[set[int]] = [set() for _ in range(len(table))]
    for a in areas:
        if a.partnership_id is None or a.layer_id != layer_id:
            continue
        for u in a.unit_ids:
            if u in index:
                holders[index[u]].add(a.partnership_id)
    counts = np.array([len(h) for h in holders], dtype=np.int64)
    shapes = shapely.simplify(table.geometries, PRINT_TOLERANCE_M, preserve_topology=True)
    return Coverage(layers[layer_id], shapes, counts, list(table.names))
