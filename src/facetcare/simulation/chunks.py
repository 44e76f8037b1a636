"""A chunk of a run (patients ``start_index`` to ``stop_index - 1``) and the work on it.

Chunks are frozen attrs values that pickle across processes, and the work
functions are plain top-level functions, so any executor can run them
(`facetcare.simulation.runner`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import overload

import attrs

from facetcare.policy import Policy
from facetcare.simulation.export import csv_text, jsonl_text
from facetcare.simulation.facts import SlotCache, facts_of
from facetcare.simulation.journey import Journey
from facetcare.simulation.params import CohortParams
from facetcare.simulation.plan import Plan
from facetcare.simulation.summary import Summary, Tally
from facetcare.simulation.transport import Packed, pack
from facetcare.simulation.walk import simulate_patient

__all__ = ["Chunk", "Chunks", "export_chunk", "pack_chunk", "simulate_chunk",
           "summarize_chunk"]


@attrs.frozen
class Chunk:
    """Patients ``start_index`` to ``stop_index - 1`` of one run; shipped to workers."""

    seed: int
    start_index: int
    stop_index: int
    params: CohortParams
    policy: Policy
    start: dt.datetime
    horizon: dt.timedelta

    @property
    def size(self) -> int:
        return self.stop_index - self.start_index

    def journeys(self) -> Iterator[Journey]:
        plan = Plan(self.params, self.policy)
        for index in range(self.start_index, self.stop_index):
            yield simulate_patient(index, seed=self.seed, params=self.params, policy=self.policy,
                                   start=self.start, horizon=self.horizon, plan=plan)


@attrs.frozen
class Chunks(Sequence[Chunk]):
    """A run's chunks in order, each made when asked for.

    A run of ``n`` patients in chunks of ``size`` holds this, not a list:
    its memory does not grow with ``n``, so an enormous ``n`` starts at once
    (and streams) instead of filling memory with chunks before any work.
    """

    seed: int
    n: int
    size: int
    params: CohortParams
    policy: Policy
    start: dt.datetime
    horizon: dt.timedelta

    def __len__(self) -> int:
        return (self.n + self.size - 1) // self.size

    @overload
    def __getitem__(self, index: int) -> Chunk: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Chunk]: ...

    def __getitem__(self, index: int | slice) -> Chunk | Sequence[Chunk]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(f"chunk {index} of {count}")
        low = index * self.size
        return Chunk(self.seed, low, min(low + self.size, self.n), self.params, self.policy,
                     self.start, self.horizon)

    def __iter__(self) -> Iterator[Chunk]:
        for index in range(len(self)):
            yield self[index]


def simulate_chunk(chunk: Chunk) -> tuple[Journey, ...]:
    """The chunk's journeys, for a run in this process or on threads."""
    return tuple(chunk.journeys())


def pack_chunk(chunk: Chunk) -> tuple[Packed, ...]:
    """Worker function: the chunk's journeys packed (`facetcare.simulation.transport`)."""
    return tuple(map(pack, chunk.journeys()))


def summarize_chunk(chunk: Chunk) -> Summary:
    """Worker function: the chunk's summary; its journeys never leave the worker."""
    tally = Tally()
    slots = SlotCache(chunk.policy)
    end = chunk.start + chunk.horizon
    for journey in chunk.journeys():
        tally.add(facts_of(journey, chunk.policy, end, slots))
    return tally.summary()


def export_chunk(chunk: Chunk, *, jsonl: bool, csv: bool) -> tuple[str, str, Summary]:
    """Worker function: the chunk's JSON Lines and CSV rows as text, and its summary."""
    tally = Tally()
    slots = SlotCache(chunk.policy)
    end = chunk.start + chunk.horizon
    journeys = tuple(chunk.journeys())
    facts = [facts_of(journey, chunk.policy, end, slots) for journey in journeys]
    for item in facts:
        tally.add(item)
    return (jsonl_text(journeys) if jsonl else "", csv_text(facts) if csv else "",
            tally.summary())
