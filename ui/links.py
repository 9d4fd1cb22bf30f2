"""How the tabs follow each other: an overlap picked in a plot is shown on the map, the
overlaps tab's year slider sets the year of the partnership list, the map and the network,
and one selection (ui/selection.py) is shown by every tab.

These are selections, not data: edits still reach every view through Document.changed.
"""
from __future__ import annotations

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
        from models.analysis.overlaps import area_set  # scipy: not at start-up (ui/lazy_tab.py)
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
    overlaps.year_changed.connect(lambda year: window.network_tab.set_year(year or None)
                                  if window.built("network") else None)

    def item_chosen(item, _previous=None) -> None:
        from PySide6.QtCore import Qt

        from ui.selection import PARTNERSHIP
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if key and key[0] == "p":
            window.selection.select(PARTNERSHIP, key[1])

    overlaps.items.currentItemChanged.connect(item_chosen)

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


# -- one selection across the tabs (ui/selection.py) ---------------------------------
def partnerships_of(cat, organisation_id: int) -> list[int]:
    return sorted({m.partnership_id for m in cat.partnerships.memberships_of(organisation_id)})


def show_selection_on_map(window, kind: str, record_id: int, map_tab=None) -> None:
    """Highlight a partnership's areas, or an organisation's partnerships' areas with its territory
    outlined, over the map's areas (which stay, faint); nothing selected: the plain map."""
    from ui.selection import ORGANISATION
    map_tab = map_tab or window.map_tab
    cat = window.document.catalogue
    if not kind:
        map_tab.clear_selection()
        return
    try:
        record = cat.organisations.get(record_id) if kind == ORGANISATION else cat.partnerships.get(record_id)
        pids = partnerships_of(cat, record_id) if kind == ORGANISATION else [record_id]
    except CatalogueError as e:
        window.statusBar().showMessage(str(e), 8000)
        return
    territory = None
    if kind == ORGANISATION and record.gss_code and map_tab.layer.loaded:
        code, table = record.gss_code.upper(), map_tab.layer.table
        territory = [int(u) for u, parent in zip(table.ids, table.parent_codes) if (parent or "").upper() == code]
    name = f"{record.name} ({plural(len(pids), 'partnership')})" if kind == ORGANISATION else record.name
    map_tab.show_selection(name, pids, territory)


def link_map(window, map_tab) -> None:
    """The Map tab being built: it starts at the window's selection, and its chip's ✕ (or Esc on
    the map) clears the selection for every tab."""
    selection = window.selection
    map_tab.clear_selection_requested.connect(selection.clear)
    if selection.kind:
        show_selection_on_map(window, selection.kind, selection.id, map_tab)


def mark_in_overlaps(window, kind: str, record_id: int) -> None:
    """Select the partnership (or the organisation's partnerships) in the Overlaps list."""
    from PySide6.QtCore import QItemSelectionModel, Qt

    from ui.selection import ORGANISATION
    items = window.overlaps_tab.items
    wanted = set(partnerships_of(window.document.catalogue, record_id)) if kind == ORGANISATION \
        else {record_id} if kind else set()
    items.blockSignals(True)
    items.selectionModel().blockSignals(True)
    items.clearSelection()
    for row in range(items.count()):
        item = items.item(row)
        key = item.data(Qt.ItemDataRole.UserRole)
        if key and key[0] == "p" and key[1] in wanted:
            items.selectionModel().select(items.indexFromItem(item), QItemSelectionModel.SelectionFlag.Select)
            items.scrollToItem(item)
    items.selectionModel().blockSignals(False)
    items.blockSignals(False)


def link_network(window, network) -> None:
    """The Network tab being built: its clicks set the selection; it starts at the selection."""
    selection = window.selection
    network.picked.connect(lambda kind, record_id: selection.select(kind or None, record_id or None))
    if selection.kind:
        network.show_selection(selection.kind, selection.id)
