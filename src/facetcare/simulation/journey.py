"""`Journey`: one simulated patient's accepted events and where they left the patient.

A journey is produced by `facetcare.simulation.walk`, which drives a real
`Pathway` (every event goes through `Pathway.apply`, docs/index.md#simulation-runs-the-real-rules),
so a simulated journey is by construction one that `Pathway.replay`
accepts. Besides the events, a journey keeps the stage after each (so
summaries need not replay) and what the clinic cannot see: whether the
patient truly had facet pain (``facet``), for validation against the
literature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from facetcare import events as ev
from facetcare.machine import Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy

__all__ = ["CLOSE_REASONS", "Journey", "patient_ids"]

#: Why a simulated pathway is closed.
CLOSE_REASONS = ("negative_blocks", "no_relief", "repeat_not_allowed")


class _Packable:
    """Room for a journey's events as bytes, rebuilt when first read (see `Journey.packed`)."""

    __slots__ = ("_packed",)


@attrs.frozen
class Journey(_Packable):
    """One simulated patient: the accepted events and where they left the patient.

    ``stages`` is the stage after each event (what `Pathway.apply` returned),
    kept so summaries need not replay. ``screened_out`` counts referrals
    refused on the policy's entry criteria before this patient's accepted
    one; ``minor_complications`` counts lesions with a minor complication
    [4.5] (no pathway event records them); ``facet`` is the latent truth
    (`facetcare.simulation.patient`), which no event records either.
    """

    patient_id: str
    events: tuple[ev.Event, ...]
    stage: Stage
    stages: tuple[Stage, ...] = ()
    screened_out: int = 0
    minor_complications: int = 0
    facet: bool = False

    @classmethod
    def packed(
        cls, patient_id: str, data: object, *, stage: Stage, stages: tuple[Stage, ...] = (),
        screened_out: int = 0, minor_complications: int = 0, facet: bool = False,
    ) -> Journey:
        """A journey whose ``events`` are rebuilt from ``data`` when first read, once.

        ``data`` is what `facetcare.simulation.transport.pack` made in a worker
        process: a cohort simulated on processes costs the caller almost
        nothing until its events are read. Equality, hashing, pickling and
        ``repr`` see the same journey as one built with its events.
        """
        journey = cls.__new__(cls)
        for name, value in (("patient_id", patient_id), ("stage", stage), ("stages", stages),
                            ("screened_out", screened_out),
                            ("minor_complications", minor_complications), ("facet", facet),
                            ("_packed", data)):
            object.__setattr__(journey, name, value)
        return journey

    if not TYPE_CHECKING:  # keeps mypy checking attribute names

        def __getattr__(self, name):
            # Only reached when ``events`` is unset: a packed journey read the first time.
            if name != "events":
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            from facetcare.simulation.transport import unpack_events

            events = unpack_events(self._packed)
            object.__setattr__(self, "events", events)
            return events

    def __getstate__(self) -> dict[str, Any]:
        """The fields; a packed journey sends its bytes rather than its events."""
        state: dict[str, Any] = {field.name: getattr(self, field.name)
                                 for field in attrs.fields(Journey) if field.name != "events"}
        data = getattr(self, "_packed", None)
        if data is None:
            state["events"] = self.events
        else:
            state["_packed"] = data
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def replay(self, policy: Policy | None = None) -> Pathway:
        """The pathway these events give under ``policy`` (the one simulated with)."""
        return Pathway.replay(self.events, policy=policy)


def patient_ids(index: int) -> tuple[str, str]:
    """(patient id, pathway id) of the patient at 0-based ``index``: pt-000001, pw-000001."""
    number = f"{index + 1:06d}"
    return "pt-" + number, "pw-" + number


