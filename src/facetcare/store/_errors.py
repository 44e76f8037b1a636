"""What the store can refuse, as `facetcare.PathwayError` subclasses.

A scheduling system already catches `PathwayError` around `Pathway.apply`;
the store's refusals join that family so one ``except`` covers both.
Database failures (a server down, a full disk) are not refusals: they stay
SQLAlchemy's own exceptions.
"""

from __future__ import annotations

from facetcare._validate import show
from facetcare.errors import PathwayError

__all__ = ["Conflict", "NotFound", "SchemaMismatch"]


class Conflict(PathwayError):
    """The pathway changed since it was read (a stale ``expected_version``), or its id exists.

    Nothing was written. Load the pathway again, judge the event against what
    is there now, and retry (`Store.apply` does exactly that).
    """

    def __init__(self, pathway_id: str, message: str) -> None:
        self.pathway_id = pathway_id
        super().__init__(f"pathway {show(pathway_id)}: {message}")


class NotFound(PathwayError):
    """No pathway with this id in the store."""

    def __init__(self, pathway_id: str) -> None:
        self.pathway_id = pathway_id
        super().__init__(f"no pathway {show(pathway_id)} in the store")


class SchemaMismatch(PathwayError):
    """The database holds a store schema this facetcare does not write.

    Older: call `Store.upgrade` (or open with ``upgrade=True``, the default).
    Newer: upgrade facetcare.
    """
