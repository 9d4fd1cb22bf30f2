"""How the tabs follow each other: an overlap picked in a plot is shown on the map, and
the overlaps tab's year slider sets the year of the partnership list and the map.

These are selections, not data: edits still reach every view through Document.changed.
"""
from __future__ import annotations

from models.analysis.overlaps import area_set
from models.errors import CatalogueError, plural
from ui.catalogue.partnership_list import ANY_YEAR
from ui.map.legend import LegendRow

# Okabe–Ito colours: the shared part stands out from both remainders for every reader.
BOTH, A_ONLY, B_ONLY, PICKED = "#CC79A7", "#0072B2", "#E69F00", "#D55E00"


def link_views(window, overlaps) -> None:
    """Links the overlaps tab being built to the window's views. The map tab is looked up when a
    link is used: it may not have been built yet (the window builds it on that first use)."""
    cat = window.document.catalogue
    partnership_list = window.catalogue_view.list

    def show_pair(a_id: int, b_id: int) -> None:
        try:
            both, a_only, b_only = area_set(cat, area_ids=[a_id, b_id]).pair_parts(a_id, b_id)
            a, b = cat.areas.get(a_id), cat.areas.get(b_id)
        except CatalogueError as e:
            window.statusBar().showMessage(str(e), 8000)
            return
        window.map_tab.show_units([(f"In both ({len(both)})", BOTH, both),
                                   (f"{a.name} only ({len(a_only)})", A_ONLY, a_only),
                                   (f"{b.name} only ({len(b_only)})", B_ONLY, b_only)],
                                  f"{a.name} and {b.name} share {plural(len(both), 'ward')}")
        window.statusBar().showMessage(
            f"{a.name} × {b.name}: shown on the Map tab ({plural(len(both), 'ward')} in both)", 10000)

    def show_units(units: list[int]) -> None:
        window.map_tab.show_units([(f"Chosen wards ({len(units)})", PICKED, units)],
                                  f"{plural(len(units), 'ward')} chosen in the UpSet plot")
        window.statusBar().showMessage(f"{plural(len(units), 'ward')} shown on the Map tab", 8000)

    def set_year(year: int) -> None:  # 0 means every year
        partnership_list.year.setValue(year or ANY_YEAR)
        window.map_tab.set_year(year or None)

    overlaps.pair_selected.connect(show_pair)
    overlaps.units_selected.connect(show_units)
    overlaps.year_changed.connect(set_year)

    def set_include_unknown(on: bool) -> None:
        partnership_list.include_unknown.setChecked(on)
        window.map_tab.set_year(window.map_tab.year, on)

    overlaps.include_unknown.toggled.connect(set_include_unknown)


def link_coterminosity(window, tab) -> None:
    """A matrix cell clicked in the Coterminosity tab shows the area and the reference area on
    the map: the wards in both, the area's only and the reference area's only, in the overlap
    colours, with the reference geography's outlines on; the empty state's button loads the pack."""
    cat = window.document.catalogue

    def show_pair(area_id: int, reference_id: int) -> None:
        from models.analysis.coterminosity import parts

        map_tab = window.show_map()
        layer_id = tab.result.layer_id    # the wards the matrix was measured on: the map shows the same
        map_tab.pin_layer(layer_id)
        try:
            inside, outside, reference_only = parts(cat, area_id, reference_id, layer_id, as_of=tab.when())
            area = cat.areas.get(area_id)
            reference = next(r for r in tab.matrix.references if r.id == reference_id)
        except CatalogueError as e:
            window.statusBar().showMessage(str(e), 8000)
            return
        n = len(inside)
        map_tab.show_units([(f"In both ({n})", BOTH, inside),
                            (f"{area.name} only ({len(outside)})", A_ONLY, outside),
                            (f"{reference.name} only ({len(reference_only)})", B_ONLY, reference_only)],
                           f"{area.name} and {reference.name} share {plural(n, 'ward')}")
        gid = tab.geography_id()
        map_tab.references.show(gid, True)
        legend = map_tab.legend   # the geography's dashed outlines, named with the three parts
        legend.set_rows(legend.title, [*legend.rows, LegendRow(
            f"{tab.result.geography.name} (outlines)", map_tab.references.outlines.colour_of(gid), "line")])
        map_tab.zoom_to_units([*inside, *outside, *reference_only])
        window.statusBar().showMessage(
            f"{area.name} × {reference.name}: shown on the Map tab ({plural(n, 'ward')} in both)", 10000)

    tab.cell_chosen.connect(show_pair)
    tab.load_pack.connect(lambda: window.files.import_london_pack())
