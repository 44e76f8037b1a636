"""`Cohort`: the journeys of one simulation run, with what they were drawn from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import attrs

from facetcare.policy import Policy
from facetcare.simulation.export import Target, write_csv, write_jsonl
from facetcare.simulation.facts import JourneyFacts, SlotCache, facts_of
from facetcare.simulation.journey import Journey
from facetcare.simulation.params import CohortParams
from facetcare.simulation.summary import Summary, Tally

__all__ = ["Cohort"]


@attrs.frozen
class Cohort:
    """The result of `simulate`: journeys in patient order plus the run's inputs.

    The inputs are kept because the journeys only mean something with them:
    `Pathway.replay` needs the ``policy``, and relief still ongoing is
    censored at ``start + horizon``.
    """

    journeys: tuple[Journey, ...] = attrs.field(repr=False)
    seed: int
    params: CohortParams = attrs.field(repr=False)
    policy: Policy = attrs.field(repr=False)
    start: dt.datetime
    horizon: dt.timedelta

    @property
    def n(self) -> int:
        return len(self.journeys)

    @property
    def end(self) -> dt.datetime:
        """The horizon: no event is later than this."""
        return self.start + self.horizon

    def facts(self) -> Iterator[JourneyFacts]:
        """Each journey's countable facts, in patient order (what the CSV rows show)."""
        slots = SlotCache(self.policy)
        for journey in self.journeys:
            yield facts_of(journey, self.policy, self.end, slots)

    def summary(self) -> Summary:
        tally = Tally()
        for facts in self.facts():
            tally.add(facts)
        return tally.summary()

    def to_csv(self, target: Target) -> None:
        """One row per journey (columns: `facetcare.simulation.export.CSV_COLUMNS`)."""
        write_csv(self.facts(), target)

    def to_jsonl(self, target: Target) -> None:
        """One line per event: ``{"patient_id": ..., "event": dump_event(e)}``.

        Read back with `read_jsonl` and rebuild with ``Pathway.replay(events,
        policy=cohort.policy)``.
        """
        write_jsonl(self.journeys, target)
