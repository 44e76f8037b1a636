"""The base of every event: its clinical time and the caller's identity for it.

Kept apart from `facetcare.events` so the correction events can build on it;
everything here is exported from `facetcare.events`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import attrs

from facetcare import _validate as v

__all__ = ["Event"]


def _optional_time(value: object) -> object:
    return None if value is None else v.fixed_offset(value)


def _optional_aware(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        v.aware(instance, attribute, value)


def _optional_identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        v.identifier(instance, attribute, value)


def _recorded_after(instance: Event, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, dt.datetime) and value < instance.at:
        raise ValueError(
            f"{attribute.name} {value.isoformat()} is before the event's own time "
            f"({instance.at.isoformat()}): a system cannot learn of something before it happens"
        )


@attrs.frozen(kw_only=True)
class Event:
    """Base of all pathway events; ``kind`` is the machine trigger's name.

    ``at`` is when it happened clinically. The optional identity a caller may
    give: ``event_id`` (unique within a pathway: a re-sent event with the same
    id and content is accepted once), ``recorded_at`` (when the caller's system
    learned of it; never before ``at``) and ``recorded_by`` (who recorded it).
    facetcare never fills them from a clock (docs/corrections.md).
    """

    kind: ClassVar[str] = ""
    at: dt.datetime = attrs.field(converter=v.fixed_offset, validator=v.aware)
    event_id: str | None = attrs.field(default=None, converter=v.plain_str,
                                       validator=_optional_identifier)
    recorded_at: dt.datetime | None = attrs.field(
        default=None, converter=_optional_time, validator=[_optional_aware, _recorded_after])
    recorded_by: str | None = attrs.field(default=None, converter=v.plain_str,
                                          validator=_optional_identifier)

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.kind = cls.__name__
