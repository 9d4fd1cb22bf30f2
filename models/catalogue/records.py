"""The domain's records: plain frozen dataclasses, the only shapes that leave models/.

Ids are SQLite integer primary keys (GeoPackage requires them); None means
"not stored yet".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # annotations only: see models/storage/gpkg.py
    import shapely

ORGANISATION_KINDS = (
    "local authority", "health body", "police", "fire",
    "central government and agencies", "voluntary/community", "business",
    "education/research", "other",
)
PARTNERSHIP_KINDS = (
    "sub-regional partnership", "shared service", "joint commissioning",
    "joint authority/committee", "professional network", "thematic board",
    "multi-area agreement", "alliance contract", "joint venture", "other",
)
STATUSES = ("proposed", "active", "ended")
ROLES = ("lead", "member", "funder", "commissioner", "provider", "observer")
SAVINGS_PERIODS = ("per year", "total")
LEVELS = ("ward", "borough", "other")
# An area's wards as edited, or its partnership's member boroughs' wards (as of a date).
AREA_KINDS = ("drawn", "derived")
POLICY_AREAS = (  # suggestions; researchers may add their own
    "waste", "adult social care", "children's services", "health", "community safety",
    "worklessness and skills", "housing", "regeneration", "procurement",
    "customer contact", "IT", "transport", "legal services", "finance",
    "human resources", "emergency planning", "environment", "economic development",
    "education", "older people",
)


@dataclass(frozen=True)
class Organisation:
    name: str
    kind: str = "other"
    gss_code: str | None = None
    notes: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Partnership:
    name: str
    kind: str = "other"
    status: str = "active"
    start: str | None = None
    end: str | None = None
    policy_areas: tuple[str, ...] = ()
    governance: str = ""
    lead_id: int | None = None
    funding: str = ""
    savings_amount: float | None = None
    savings_period: str | None = None
    savings_text: str = ""
    description: str = ""
    notes: str = ""
    tags: tuple[str, ...] = ()
    first_seen: str | None = None   # the researcher's own evidence: attested from first to last seen
    last_seen: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Membership:
    partnership_id: int
    organisation_id: int
    role: str = "member"
    joined: str | None = None
    left: str | None = None
    first_seen: str | None = None   # as on Partnership
    last_seen: str | None = None
    id: int | None = None


SOURCE_TYPES = ("report", "minutes", "web page", "article", "book", "chapter", "dataset", "other")
# The facts of a record a citation can support on its own (None: the whole record).
PARTNERSHIP_FIELDS = {  # field -> its label, and the Partnership attributes it covers
    "dates": ("Dates", ("start", "end")),
    "status": ("Status", ("status",)),
    "policy_areas": ("Policy areas", ("policy_areas",)),
    "lead": ("Lead", ("lead_id",)),
    "governance": ("Governance", ("governance",)),
    "funding": ("Funding", ("funding",)),
    "savings": ("Savings", ("savings_amount", "savings_text")),
}
MEMBERSHIP_FIELDS = {
    "dates": ("Dates", ("joined", "left")),
    "role": ("Role", ("role",)),
}


@dataclass(frozen=True)
class Source:
    """A document (report, minutes, web page); reused by many citations.

    authors: "Family, Given" or an organisation's name, each; accessed: ISO date a web page was read."""
    title: str
    publisher: str = ""
    year: int | None = None
    url: str = ""
    id: int | None = None
    authors: tuple[str, ...] = ()
    type: str = "report"
    doi: str = ""
    accessed: str | None = None


@dataclass(frozen=True)
class Citation:
    """A source cited for one record, or one field of it: exactly one of the four targets is set."""
    source_id: int
    page: str = ""
    quote: str = ""
    partnership_id: int | None = None
    membership_id: int | None = None
    organisation_id: int | None = None
    area_id: int | None = None
    id: int | None = None
    field: str | None = None   # one fact of the record (PARTNERSHIP_FIELDS, MEMBERSHIP_FIELDS) or None


@dataclass(frozen=True)
class BoundaryLayer:
    name: str
    level: str = "other"
    vintage: str = ""
    source: str = ""
    licence: str = ""
    srs_id: int = 27700
    id: int | None = None
    in_force_from: str | None = None   # ISO dates; open ends are None (see layers.in_force)
    in_force_to: str | None = None


@dataclass(frozen=True)
class Unit:
    """One boundary unit (a ward, a borough); geometry in the layer's CRS (metres)."""
    layer_id: int
    code: str
    name: str
    parent_code: str | None
    population: float | None
    geometry: shapely.Geometry = field(repr=False, compare=False)
    id: int | None = None


@dataclass(frozen=True)
class Area:
    """A variable-geometry grouping: units of one layer, a drawn polygon, or both.

    kind "derived": unit_ids are the member boroughs' units at any time (see
    models.catalogue.areas.Footprints for them as of a date)."""
    name: str
    partnership_id: int | None = None
    colour: str = "#0072B2"
    notes: str = ""
    layer_id: int | None = None
    unit_ids: frozenset[int] = frozenset()
    drawn: shapely.Geometry | None = field(default=None, repr=False, compare=False)
    outline: shapely.Geometry | None = field(default=None, repr=False, compare=False)
    id: int | None = None
    kind: str = "drawn"
