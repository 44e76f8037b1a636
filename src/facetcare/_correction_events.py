"""Corrections: events that change the effective history, never the log (docs/corrections.md).

Exported from `facetcare.events`.
"""

from __future__ import annotations

from typing import Any

import attrs

from facetcare import _validate as v
from facetcare._event import Event

__all__ = ["CORRECTION_TYPES", "Amended", "Correction", "EnteredInError", "LateEntry"]


@attrs.frozen(kw_only=True)
class Correction(Event):
    """Base of the events that correct the record; ``at`` is when the correction is made."""


def _seq(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int (a position in the log), got {value!r}")
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


def _clinical(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Event) or isinstance(value, Correction):
        raise TypeError(
            f"{attribute.name} must be a clinical event (not a correction), "
            f"got {type(value).__name__}"
        )


@attrs.frozen(kw_only=True)
class EnteredInError(Correction):
    """The event at ``seq`` in the log should never have been recorded."""

    seq: int = attrs.field(validator=_seq)
    reason: str = attrs.field(validator=v.identifier)


@attrs.frozen(kw_only=True)
class Amended(Correction):
    """The event at ``seq`` is replaced by ``replacement``, an event of the same type."""

    seq: int = attrs.field(validator=_seq)
    replacement: Event = attrs.field(validator=_clinical)
    reason: str = attrs.field(validator=v.identifier)


@attrs.frozen(kw_only=True)
class LateEntry(Correction):
    """``event`` happened before events already accepted; it enters at its own time."""

    event: Event = attrs.field(validator=_clinical)
    reason: str = attrs.field(validator=v.identifier)


#: The correction event types.
CORRECTION_TYPES: tuple[type[Correction], ...] = (EnteredInError, Amended, LateEntry)
