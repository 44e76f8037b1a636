"""Canonical journeys: a pathway driven with plain, predictable events.

Coverage paths must be short, readable and exact about time, so they are
written with one default for everything (a Monday 09:00 UTC referral,
visits a week apart, baseline pain 10, the primary joint of the region on
the left) and overridden only where a path is about that detail.
Every event a script applies goes through the real rules; a refusal while
building raises `ScriptError` instead of producing a wrong path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from facetcare import events as ev
from facetcare.anatomy import Region, Side
from facetcare.errors import Rejected
from facetcare.machine import START, Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.records import block_record, lesion_record, neurotomy_record, referral_record
from facetcare.testing._facts import Facts, facts_of

__all__ = ["BASELINE", "T0", "Script", "ScriptError"]

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
YEAR = 365 * DAY
BASELINE = 10

_PRIMARY = {Region.LUMBAR: "L4-L5", Region.CERVICAL: "C5-C6", Region.THORACIC: "T5-T6"}
# Joints whose nerves do not overlap the primary joint's.
_OTHER = {Region.LUMBAR: "L2-L3", Region.CERVICAL: "C3-C4", Region.THORACIC: "T9-T10"}
_FOREIGN = {Region.LUMBAR: "C5-C6", Region.CERVICAL: "L4-L5", Region.THORACIC: "L4-L5"}


class ScriptError(Exception):
    """A canonical step was refused: the policy does not allow this path as written."""


class Script:
    """A real pathway plus makers for its next canonical events."""

    def __init__(self, policy: Policy, region: Region, events: tuple[ev.Event, ...] = ()) -> None:
        self.policy = policy
        self.region = region
        self.pathway = Pathway(policy=policy)
        #: (stage before, event type, stage after) of every applied event.
        self.trail: list[tuple[str, type[ev.Event], str]] = []
        self.do(*events)

    def copy(self) -> Script:
        return Script(self.policy, self.region, self.events)

    @property
    def events(self) -> tuple[ev.Event, ...]:
        return self.pathway.events

    @property
    def facts(self) -> Facts:
        return facts_of(self.pathway)

    @property
    def stage(self) -> Stage | None:
        return self.pathway.stage if self.events else None

    @property
    def last(self) -> dt.datetime:
        return self.pathway.last_event_at or T0

    def do(self, *events: ev.Event) -> Script:
        for event in events:
            before = self.facts.state
            try:
                self.pathway.apply(event)
            except Rejected as refused:
                raise ScriptError(f"{event.kind} refused: {', '.join(refused.codes)}") from None
            self.trail.append((before, type(event), self.facts.state))
        return self

    # -- targets ------------------------------------------------------------------

    def target(self, side: Side = Side.LEFT, *, joint: str | None = None) -> ev.Target:
        return ev.Target(joint or _PRIMARY[self.region], side)

    def other(self, side: Side = Side.LEFT) -> ev.Target:
        """A joint whose nerves no block or neurotomy of the defaults touched."""
        return ev.Target(_OTHER[self.region], side)

    def foreign(self) -> ev.Target:
        """A joint of another region."""
        return ev.Target(_FOREIGN[self.region], Side.LEFT)

    # -- event makers (not applied) -------------------------------------------------

    def referral(self, **changes: Any) -> ev.Referred:
        return attrs.evolve(ev.Referred(
            at=T0, pathway_id="path", patient_id="patient", region=self.region,
            **referral_record(self.policy, self.region),
        ), **changes)

    def _fresh_id(self) -> str:
        used = self.facts.visit_ids
        number = len(used) + 1
        while f"v{number}" in used:
            number += 1
        return f"v{number}"

    def block_slot(self) -> dt.datetime:
        """A week ahead, or later if the policy's gap or yearly cap needs it."""
        f, policy = self.facts, self.policy
        slot = self.last + 7 * DAY
        if policy.min_block_gap is not None and f.block_times:
            slot = max(slot, f.block_times[-1] + policy.min_block_gap)
        cap = policy.max_blocks_per_year
        if cap is not None and len(f.block_times) >= cap:
            slot = max(slot, sorted(f.block_times)[-cap] + YEAR)
        return slot

    def neurotomy_slot(self) -> dt.datetime:
        f, policy = self.facts, self.policy
        slot = self.last + 7 * DAY
        if policy.min_neurotomy_interval is not None and f.neurotomy_at is not None:
            slot = max(slot, f.neurotomy_at + policy.min_neurotomy_interval)
        cap = policy.max_neurotomies_per_year
        if cap is not None and len(f.neurotomy_times) >= cap:
            slot = max(slot, sorted(f.neurotomy_times)[-cap] + YEAR)
        return slot

    def book_block(self, **changes: Any) -> ev.BlockScheduled:
        fields: dict[str, Any] = {
            "at": self.last, "visit_id": self._fresh_id(), "targets": (self.target(),),
            "escort_confirmed": True,
        }
        fields.update(changes)
        fields.setdefault("visit_at", self.block_slot())
        return ev.BlockScheduled(**fields)

    def book_neurotomy(self, **changes: Any) -> ev.NeurotomyScheduled:
        f = self.facts
        repeat = f.state == Stage.RECURRENCE and f.neurotomy_targets
        fields: dict[str, Any] = {
            "at": self.last, "visit_id": self._fresh_id(),
            "targets": f.neurotomy_targets if repeat else self._confirmed(),
            "escort_confirmed": True,
        }
        fields.update(changes)
        fields.setdefault("visit_at", self.neurotomy_slot())
        return ev.NeurotomyScheduled(**fields)

    def _confirmed(self) -> tuple[ev.Target, ...]:
        """The primary joint's sides still confirmed and untreated (staged care: the other
        side); the left side when none is."""
        f = self.facts
        sides = tuple(t for t in (self.target(), self.target(Side.RIGHT))
                      if {(n, t.side) for n in t.nerves} <= f.treatable)
        return sides or (self.target(),)

    def _visit(self) -> tuple[str, dt.datetime, tuple[ev.Target, ...]]:
        visit = self.facts.open_visit
        if visit is None:
            return "v1", self.last, (self.target(),)
        return visit.visit_id, visit.visit_at, visit.targets

    def check_in(self, **changes: Any) -> ev.CheckedIn:
        visit_id, visit_at, _ = self._visit()
        return attrs.evolve(ev.CheckedIn(at=max(self.last, visit_at), visit_id=visit_id,
                                         escort_present=True), **changes)

    def perform_block(self, **changes: Any) -> ev.BlockPerformed:
        visit_id, _, targets = self._visit()
        return attrs.evolve(ev.BlockPerformed(at=self.last + 20 * MINUTE, visit_id=visit_id,
                                              targets=targets, baseline_pain=BASELINE,
                                              **block_record(self.policy)), **changes)

    def lesion(self, target: ev.Target, **changes: Any) -> ev.Lesion:
        policy = self.policy
        seconds = 90.0
        if policy.lesion_min_seconds is not None:
            seconds = max(seconds, policy.lesion_min_seconds)
        if policy.lesion_max_seconds is not None:
            seconds = min(seconds, policy.lesion_max_seconds)
        low, high = policy.lesion_min_temperature_c, policy.lesion_max_temperature_c
        heat: float | None = None
        if low is not None or high is not None:
            heat = 85.0
            if low is not None:
                too_cold = heat <= low if policy.lesion_temperature_strict else heat < low
                heat = low + 1 if too_cold else heat
            if high is not None and heat > high:
                heat = high
        return attrs.evolve(ev.Lesion(target, seconds, heat, **lesion_record(policy)), **changes)

    def perform_neurotomy(self, **changes: Any) -> ev.NeurotomyPerformed:
        visit_id, _, targets = self._visit()
        return attrs.evolve(ev.NeurotomyPerformed(
            at=self.last + 20 * MINUTE, visit_id=visit_id,
            lesions=tuple(self.lesion(t) for t in targets), **neurotomy_record(self.policy),
        ), **changes)

    def discharge(self, **changes: Any) -> ev.Discharged:
        f, policy = self.facts, self.policy
        ready = self.last
        if f.state == Stage.BLOCK_OBSERVATION and f.block_at is not None:
            ready = f.block_at + policy.block_observation
        elif f.neurotomy_at is not None:
            ready = f.neurotomy_at + policy.neurotomy_recovery
        visit_id, _, _ = self._visit()
        return attrs.evolve(ev.Discharged(at=max(self.last, ready), visit_id=visit_id,
                                          escort_present=True), **changes)

    def diary(self, score: int = 0, **changes: Any) -> ev.ReliefDiaryRecorded:
        block = self.facts.block_at or self.last
        # At 30 min and when the assessment may conclude: one reading under every relief
        # measure (a sustained one needs the relief seen again at that time).
        entries = (ev.PainEntry(block + 30 * MINUTE, score),
                   ev.PainEntry(block + self.policy.relief_window_min, score))
        fields: dict[str, Any] = {"entries": entries}
        fields.update(changes)
        latest = max(e.at for e in fields["entries"])
        fields.setdefault("at", max(self.last, latest))
        return ev.ReliefDiaryRecorded(**fields)

    def assess(self, **changes: Any) -> ev.ReliefAssessed:
        block = self.facts.block_at or self.last
        at = max(self.last, block + self.policy.relief_window_min)
        return attrs.evolve(ev.ReliefAssessed(at=at), **changes)

    def follow_up(self, score: int = 0, **changes: Any) -> ev.FollowUpRecorded:
        return attrs.evolve(ev.FollowUpRecorded(at=self.last + 14 * DAY, pain_score=score),
                            **changes)

    def pain_returned(self, **changes: Any) -> ev.PainReturned:
        """Just when the policy's repeat rule allows a repeat (a month without one)."""
        f = self.facts
        lasting = self.policy.repeat_min_relief_duration or 30 * DAY
        at = max(self.last, (f.neurotomy_at or self.last) + max(lasting, 30 * DAY))
        return attrs.evolve(ev.PainReturned(at=at, pain_score=8), **changes)

    def cancel(self, **changes: Any) -> ev.VisitCancelled:
        visit_id, _, _ = self._visit()
        return attrs.evolve(ev.VisitCancelled(at=self.last, visit_id=visit_id,
                                              reason="patient request"), **changes)

    def miss(self, **changes: Any) -> ev.VisitMissed:
        visit_id, _, _ = self._visit()
        return attrs.evolve(ev.VisitMissed(at=self.last, visit_id=visit_id), **changes)

    def close(self, **changes: Any) -> ev.Closed:
        return attrs.evolve(ev.Closed(at=self.last, reason="care completed"), **changes)

    def withdraw(self, **changes: Any) -> ev.Withdrawn:
        return attrs.evolve(ev.Withdrawn(at=self.last, reason="patient request"), **changes)

    def change_policy(self, **changes: Any) -> ev.PolicyChanged:
        """The policy restated (the same rules): the stage and the facts stay."""
        return attrs.evolve(ev.PolicyChanged(at=self.last, policy=self.policy,
                                             reason="payer confirmed"), **changes)

    # -- moves (applied) -------------------------------------------------------------

    def refer(self, **changes: Any) -> Script:
        return self.do(self.referral(**changes))

    def visit_for_block(self, **booking: Any) -> Script:
        """Book, check in and give a block: the pathway is then in observation."""
        self.do(self.book_block(**booking))
        self.do(self.check_in())
        return self.do(self.perform_block())

    def block(self, positive: bool = True, **booking: Any) -> Script:
        """A whole block visit and its assessment (a diary only when positive)."""
        self.visit_for_block(**booking)
        self.do(self.discharge())
        if positive:
            self.do(self.diary(0))
        return self.do(self.assess())

    def positive(self, **booking: Any) -> Script:
        """As many positive blocks as the policy requires before a neurotomy."""
        self.block(True, **booking)
        while self.facts.positive_blocks < self.policy.blocks_required:
            self.block(True, **booking)
        return self

    def neurotomy(self, **booking: Any) -> Script:
        """Book, check in, treat and discharge: the pathway is then in follow-up."""
        self.do(self.book_neurotomy(**booking))
        self.do(self.check_in())
        self.do(self.perform_neurotomy())
        return self.do(self.discharge())

    def not_relieved(self) -> Script:
        """A follow-up without relief, after the settling period: no relief."""
        performed = self.facts.neurotomy_at or self.last
        at = max(self.last, performed + self.policy.follow_up_settling + DAY)
        return self.do(self.follow_up(BASELINE, at=at))

    def recurrence(self, **returned: Any) -> Script:
        """Referral to recurrence: positive blocks, neurotomy, relief, pain back."""
        if self.facts.state == START:
            self.refer()
        self.positive().neurotomy()
        self.do(self.follow_up(0))
        return self.do(self.pain_returned(**returned))
