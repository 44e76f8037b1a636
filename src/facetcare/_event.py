"""The base of every event: its clinical time and the caller's identity for it.

Kept apart from `facetcare.events` so the correction events can build on it;
everything here is exported from `facetcare.events`.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import attrs

from facetcare import _validate as v

__all__ = ["Event"]


_set = object.__setattr__  # the frozen class refuses its own __setattr__


def _identity(event: Event) -> None:
    """Normalise and check the identity a caller gave (`Event.__attrs_post_init__`)."""
    if event.event_id is not None:
        _set(event, "event_id", v.identifier_named("event_id", event.event_id))
    if event.recorded_by is not None:
        _set(event, "recorded_by", v.identifier_named("recorded_by", event.recorded_by))
    if event.recorded_at is not None:
        moment = v.clinical_time(event.recorded_at, "recorded_at")
        assert isinstance(moment, dt.datetime)
        if moment < event.at:
            raise ValueError(
                f"recorded_at {moment.isoformat()} is before the event's own time "
                f"({event.at.isoformat()}): a system cannot learn of something before it "
                "happens"
            )
        _set(event, "recorded_at", moment)


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
    at: dt.datetime = attrs.field(converter=v.clinical_time)
    event_id: str | None = None
    recorded_at: dt.datetime | None = None
    recorded_by: str | None = None

    def __attrs_post_init__(self) -> None:
        # The identity is optional and usually absent: one test for the three
        # fields, instead of a converter and a check each on every event made
        # (every `apply` and every document read).
        if self.event_id is not None or self.recorded_at is not None \
                or self.recorded_by is not None:
            _identity(self)

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.kind = cls.__name__
