"""Why something was refused, and the exceptions that carry it.

A `Reason` is a stable ``code`` (API: scheduling systems switch on it) and a
``message`` written for the clerk at the desk. The codes are declared in
`facetcare.codes` (re-exported here as `CODES`); new ones are added,
existing ones never change meaning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from facetcare.codes import CODES

if TYPE_CHECKING:
    from facetcare.events import Event

__all__ = ["CODES", "PathwayError", "Reason", "Rejected", "SerializationError", "Verdict"]


@attrs.frozen
class Reason:
    """One refusal: a stable ``code`` and a human ``message``."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@attrs.frozen
class Verdict:
    """What `Pathway.check` says about an event: allowed, or the reasons why not."""

    reasons: tuple[Reason, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    def __bool__(self) -> bool:
        return self.allowed


class PathwayError(Exception):
    """Base of every error facetcare raises about a pathway or a document."""


class Rejected(PathwayError):
    """An event was refused; the pathway is exactly as it was before.

    ``reasons`` says why; ``event`` is the refused event; from
    `Pathway.replay`, ``index`` is its position in the replayed sequence.
    """

    def __init__(
        self,
        reasons: tuple[Reason, ...],
        event: Event | None = None,
        index: int | None = None,
    ) -> None:
        self.reasons = tuple(reasons)
        self.event = event
        self.index = index
        where = f"event {index} " if index is not None else ""
        kind = f"{type(event).__name__} " if event is not None else ""
        super().__init__(f"{where}{kind}refused: " + "; ".join(map(str, self.reasons)))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


class SerializationError(PathwayError, ValueError):
    """A document could not be read: malformed, truncated, unknown or too new."""
