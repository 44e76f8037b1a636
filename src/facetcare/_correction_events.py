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


#: The longest log a seq may point into (far beyond any pathway; keeps it writable).
MAX_SEQ = 10_000_000


def _seq(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int:
        raise TypeError(f"{attribute.name} must be an int (a position in the log), got "
                        f"{v.show(value)}")
    if not 0 <= value <= MAX_SEQ:
        raise ValueError(f"{attribute.name} must be from 0 to {MAX_SEQ}, got {v.show(value)}")


def _clinical(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Event) or isinstance(value, Correction):
        raise TypeError(
            f"{attribute.name} must be a clinical event (not a correction), "
            f"got {type(value).__name__}"
        )


@attrs.frozen(kw_only=True)
class EnteredInError(Correction):
    """The event at ``seq`` in the log should never have been recorded."""

    seq: int = attrs.field(converter=v.plain_int, validator=_seq)
    reason: str = attrs.field(converter=v.plain_str, validator=v.text)


@attrs.frozen(kw_only=True)
class Amended(Correction):
    """The event at ``seq`` is replaced by ``replacement``, an event of the same type."""

    seq: int = attrs.field(converter=v.plain_int, validator=_seq)
    replacement: Event = attrs.field(validator=_clinical)
    reason: str = attrs.field(converter=v.plain_str, validator=v.text)


@attrs.frozen(kw_only=True)
class LateEntry(Correction):
    """``event`` happened before events already accepted; it enters at its own time."""

    event: Event = attrs.field(validator=_clinical)
    reason: str = attrs.field(converter=v.plain_str, validator=v.text)


#: The correction event types.
CORRECTION_TYPES: tuple[type[Correction], ...] = (EnteredInError, Amended, LateEntry)
