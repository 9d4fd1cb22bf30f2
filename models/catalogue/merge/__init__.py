"""Merging another copy of the catalogue into this one.

Two researchers take copies of one catalogue and edit them apart. `plan` reads the other
file (read-only) and says, record by record and field by field, what merging it would
add, change and delete, and where both copies changed the same thing differently
(a conflict); `apply` carries the plan out as one edit (one transaction, one undo step,
one history entry of kind 'merge').

Rows are the same record when they share a uuid; rows made independently in each copy
are matched by what identifies them outside the file (an organisation's GSS code, a
source's DOI, URL or title and year, a partnership's name, start year and members), and
each match says why. A matched pair keeps the smaller of its two uuids, so merging A into
B and B into A give the same rows with the same uuids.

Three-way: the common ancestor of a field is what it held when the copies parted. Both
files keep their history (models/catalogue/history.py); entries present in both (by uuid)
are shared, and the first change to a field in an entry only one side has tells its value
before that side's own edits (its `old`). A field a side never changed since is that side's
ancestor as it stands. So a side "changed" a field when it has a change of its own to it
and its value differs from that change's `old`; one side changed: take it; both changed to
different values (or neither did yet they differ: no ancestor is known): a conflict.
Applying a merge also copies the other side's history entries into this file, so what was
merged (and how its conflicts were resolved) counts as shared the next time.

Foreign keys are compared and written by uuid, never by integer id: ids differ between copies.

sides.py reads each copy, plan.py matches and compares them, writer.py carries a plan out.
"""
from models.catalogue.merge.plan import MISSING, ROW, Change, Conflict, Match, MergePlan, footprints, plan
from models.catalogue.merge.sides import FKS, TABLES, UNITS, read_side
from models.catalogue.merge.writer import apply

__all__ = ["FKS", "MISSING", "ROW", "TABLES", "UNITS", "Change", "Conflict", "Match", "MergePlan", "apply",
           "footprints", "plan", "read_side"]
