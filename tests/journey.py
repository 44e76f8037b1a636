"""Builders for example tests: clinical times, and walks to any stage.

A `Journey` drives one real `Pathway` through the public API, keeping a
clinical clock (``now``, the time of the last event) so each step reads like
the clinic's day: book, check in, block, diary, discharge, assess, and so on.
Every helper applies its events through `Pathway.apply`, so a walk that the
rules refuse fails loudly where it went wrong.

`reach(stage, policy, origin=...)` returns a journey standing at ``stage``;
``origin`` picks the stage a visit is booked from (where a cancelled or
missed visit returns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import facetcare as fc
from facetcare import events as ev

UTC = dt.UTC
#: A Monday morning; every example is measured from here.
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

SEED = fc.Policy.seed()
MEDICARE = fc.Policy.medicare_l38803()
CONSENSUS = fc.Policy.consensus_2020()
POLICIES = (SEED, MEDICARE, CONSENSUS)
POLICY_IDS = [p.name for p in POLICIES]

S = fc.Stage
L = fc.Side.LEFT
R = fc.Side.RIGHT


def t(days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> dt.datetime:
    """A time measured from `T0`."""
    return T0 + dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def targets(*joints: str, side: fc.Side = L) -> tuple[fc.Target, ...]:
    return tuple(fc.Target(joint, side) for joint in joints)


L45 = targets("L4-L5")
#: The right side of L4-L5, the second stage of a staged bilateral neurotomy.
R45 = targets("L4-L5", side=fc.Side.RIGHT)
L23 = targets("L2-L3")


def referral(at: dt.datetime = T0, **fields: object) -> ev.Referred:
    """A lumbar referral that meets every profile's entry criteria unless overridden."""
    values: dict[str, object] = {
        "pathway_id": "pw-1",
        "patient_id": "pt-1",
        "region": fc.Region.LUMBAR,
        "pain_months": 6,
        "conservative_care_failed": True,
        "conservative_care_weeks": 8,
        "axial_pain": True,
        "baseline_function_scale": fc.FunctionalScale.ODI,
        "baseline_function_score": 40,
        "untreated_radicular_pain": False,
        "non_facet_cause_excluded": True,
        "diagnosis": "M47.816",
    }
    values.update(fields)
    return ev.Referred(at=at, **values)  # type: ignore[arg-type]


def lesions_for(
    treated: Iterable[fc.Target], seconds: float = 90, temperature_c: float | None = 85
) -> tuple[fc.Lesion, ...]:
    """One conventional thermal lesion per target; 90 s at 85 °C satisfies every profile."""
    return tuple(fc.Lesion(target, seconds, temperature_c, fc.Modality.CONVENTIONAL_THERMAL)
                 for target in treated)


#: How every block and neurotomy here is done: fluoroscopy, no sedation, lidocaine.
BLOCK_RECORD = {"guidance": fc.Guidance.FLUOROSCOPY, "sedation": fc.Sedation.NONE,
                "agent": fc.Agent.LIDOCAINE}
NEUROTOMY_RECORD = {"guidance": fc.Guidance.FLUOROSCOPY, "sedation": fc.Sedation.MINIMAL}


def snapshot(pw: fc.Pathway, now: dt.datetime) -> tuple[object, ...]:
    """Everything a refusal must leave untouched."""
    stage = pw.stage if pw.events else None
    return (stage, pw.events, pw.to_json(), pw.due(now), pw.allowed_events())


class Journey:
    """One pathway walked step by step on a clinical clock."""

    def __init__(
        self, policy: fc.Policy = SEED, *, at: dt.datetime = T0, **fields: object
    ) -> None:
        self.policy = policy
        self.pw = fc.Pathway.start(referral(at, **fields), policy=policy)
        self.now = at
        self.visit_id: str | None = None
        self.visit_at: dt.datetime | None = None
        self.booked: tuple[fc.Target, ...] = ()
        self.block_at: dt.datetime | None = None
        self.block_times: list[dt.datetime] = []
        self.neurotomy_at: dt.datetime | None = None
        self.neurotomy_times: list[dt.datetime] = []
        self._visits = 0

    @property
    def stage(self) -> fc.Stage:
        return self.pw.stage

    def go(self, event: ev.Event) -> Journey:
        """Apply ``event``; the clock moves to its time."""
        self.pw.apply(event)
        self.now = event.at
        return self

    # -- bookings and visits ----------------------------------------------------

    def booking(
        self,
        kind: type[ev.BlockScheduled] | type[ev.NeurotomyScheduled],
        treated: tuple[fc.Target, ...] = L45,
        *,
        visit_at: dt.datetime | None = None,
        visit_id: str | None = None,
        at: dt.datetime | None = None,
        escort_confirmed: bool = True,
    ) -> ev.BlockScheduled | ev.NeurotomyScheduled:
        """A booking event (not applied); the visit defaults to 14 days ahead."""
        at = self.now if at is None else at
        name = "block" if kind is ev.BlockScheduled else "rf"
        return kind(
            at=at,
            visit_id=visit_id or f"{name}-{self._visits + 1}",
            visit_at=visit_at if visit_at is not None else at + 14 * DAY,
            targets=treated,
            escort_confirmed=escort_confirmed,
        )

    def book(self, event: ev.BlockScheduled | ev.NeurotomyScheduled) -> Journey:
        self.go(event)
        self._visits += 1
        self.visit_id, self.visit_at, self.booked = event.visit_id, event.visit_at, event.targets
        return self

    def book_block(self, treated: tuple[fc.Target, ...] = L45, **options: object) -> Journey:
        return self.book(self.booking(ev.BlockScheduled, treated, **options))  # type: ignore[arg-type]

    def book_neurotomy(self, treated: tuple[fc.Target, ...] = L45, **options: object) -> Journey:
        return self.book(self.booking(ev.NeurotomyScheduled, treated, **options))  # type: ignore[arg-type]

    def check_in(self, *, escort: bool = True) -> Journey:
        assert self.visit_id is not None and self.visit_at is not None
        return self.go(ev.CheckedIn(at=max(self.visit_at, self.now), visit_id=self.visit_id,
                                    escort_present=escort))

    def perform_block(self, *, baseline: int = 8, after: dt.timedelta = 10 * MINUTE) -> Journey:
        assert self.visit_id is not None
        self.go(ev.BlockPerformed(at=self.now + after, visit_id=self.visit_id,
                                  targets=self.booked, baseline_pain=baseline, **BLOCK_RECORD))
        self.block_at = self.now
        self.block_times.append(self.now)
        return self

    def perform_neurotomy(
        self, lesions: tuple[fc.Lesion, ...] | None = None, *,
        after: dt.timedelta = 15 * MINUTE,
    ) -> Journey:
        assert self.visit_id is not None
        self.go(ev.NeurotomyPerformed(at=self.now + after, visit_id=self.visit_id,
                                      lesions=lesions or lesions_for(self.booked),
                                      **NEUROTOMY_RECORD))
        self.neurotomy_at = self.now
        self.neurotomy_times.append(self.now)
        return self

    def discharge(self, *, escort: bool = True) -> Journey:
        """Discharge as soon as the policy's observation or recovery allows."""
        assert self.visit_id is not None
        if self.stage == S.BLOCK_OBSERVATION:
            assert self.block_at is not None
            ready = self.block_at + self.policy.block_observation
        else:
            assert self.neurotomy_at is not None
            ready = self.neurotomy_at + self.policy.neurotomy_recovery
        self.go(ev.Discharged(at=max(ready, self.now), visit_id=self.visit_id,
                              escort_present=escort))
        self.visit_id = None
        return self

    def diary(self, *scores: tuple[dt.timedelta, int], at: dt.datetime | None = None) -> Journey:
        """Diary entries as (time after the block, score), recorded at ``at``."""
        assert self.block_at is not None
        entries = [fc.PainEntry(self.block_at + offset, score) for offset, score in scores]
        recorded = at if at is not None else max(self.now, *(e.at for e in entries))
        return self.go(ev.ReliefDiaryRecorded(at=recorded, entries=entries))

    def assess(self, *, after: dt.timedelta | None = None) -> Journey:
        """Conclude the assessment, by default as early as the policy allows."""
        assert self.block_at is not None
        after = self.policy.relief_window_min if after is None else after
        return self.go(ev.ReliefAssessed(at=max(self.block_at + after, self.now)))

    # -- whole steps --------------------------------------------------------------

    def block(
        self,
        treated: tuple[fc.Target, ...] = L45,
        *,
        positive: bool = True,
        baseline: int = 8,
        visit_at: dt.datetime | None = None,
    ) -> Journey:
        """A whole block visit and its assessment: positive (8 → 1) or negative (8 → 8).

        The positive diary holds 8 → 1 at 30 min, 2 h and 4 h, so it is
        positive under every relief measure (best and sustained).
        """
        self.book_block(treated, visit_at=visit_at).check_in().perform_block(baseline=baseline)
        self.discharge()
        lowest = 1 if positive else baseline
        self.diary((30 * MINUTE, lowest), (2 * HOUR, lowest),
                   (self.policy.relief_window_min, lowest))
        return self.assess()

    def positive_blocks(self, treated: tuple[fc.Target, ...] = L45) -> Journey:
        """As many positive blocks as the policy requires before a neurotomy."""
        for _ in range(self.policy.blocks_required):
            self.block(treated)
        assert self.stage == S.BLOCK_POSITIVE
        return self

    def neurotomy(
        self, treated: tuple[fc.Target, ...] = L45, *, visit_at: dt.datetime | None = None
    ) -> Journey:
        """Book, check in, treat and discharge: ends in follow-up."""
        self.book_neurotomy(treated, visit_at=visit_at).check_in().perform_neurotomy()
        return self.discharge()

    def follow_up(self, score: int, *, after: dt.timedelta = 7 * DAY) -> Journey:
        """A follow-up report ``after`` the neurotomy."""
        assert self.neurotomy_at is not None
        return self.go(ev.FollowUpRecorded(at=max(self.neurotomy_at + after, self.now),
                                           pain_score=score))

    def pain_returned(self, *, after: dt.timedelta = 200 * DAY, score: int = 7) -> Journey:
        """Pain back ``after`` the neurotomy (200 d clears every repeat-relief rule)."""
        assert self.neurotomy_at is not None
        return self.go(ev.PainReturned(at=max(self.neurotomy_at + after, self.now),
                                       pain_score=score))

    def recurrence(self, treated: tuple[fc.Target, ...] = L45) -> Journey:
        """Blocks, neurotomy, relief (8 → 2, 75%) and the pain coming back."""
        self.positive_blocks(treated).neurotomy(treated).follow_up(2)
        return self.pain_returned()


def reach(stage: fc.Stage, policy: fc.Policy = SEED, *, origin: fc.Stage | None = None) -> Journey:
    """A journey standing at ``stage``; visits are booked from ``origin`` where relevant."""
    block_stages = (S.BLOCK_SCHEDULED, S.BLOCK_VISIT, S.BLOCK_OBSERVATION, S.RELIEF_ASSESSMENT)
    rf_stages = (S.NEUROTOMY_SCHEDULED, S.NEUROTOMY_VISIT, S.NEUROTOMY_RECOVERY)
    if stage == S.REFERRED:
        return Journey(policy)
    if stage in block_stages:
        j = reach(origin or S.REFERRED, policy).book_block()
        if stage == S.BLOCK_SCHEDULED:
            return j
        j.check_in()
        if stage == S.BLOCK_VISIT:
            return j
        j.perform_block()
        if stage == S.BLOCK_OBSERVATION:
            return j
        return j.discharge()
    if stage == S.BLOCK_POSITIVE:
        return Journey(policy).positive_blocks()
    if stage == S.BLOCK_NEGATIVE:
        # L4-L5 confirmed, then a negative block elsewhere: L4-L5 stays bookable.
        return Journey(policy).positive_blocks().block(L23, positive=False)
    if stage in rf_stages:
        if origin in (S.FOLLOW_UP, S.SUSTAINED_RELIEF):
            j = staged(origin, policy).book_neurotomy(R45)
        else:
            j = reach(origin or S.BLOCK_POSITIVE, policy).book_neurotomy()
        if stage == S.NEUROTOMY_SCHEDULED:
            return j
        j.check_in()
        if stage == S.NEUROTOMY_VISIT:
            return j
        return j.perform_neurotomy()
    if stage == S.FOLLOW_UP:
        return Journey(policy).positive_blocks().neurotomy()
    if stage == S.SUSTAINED_RELIEF:
        return reach(S.FOLLOW_UP, policy).follow_up(2)
    if stage == S.NO_RELIEF:
        return reach(S.FOLLOW_UP, policy).follow_up(8, after=22 * DAY)
    if stage == S.RECURRENCE:
        return Journey(policy).recurrence()
    if stage == S.CLOSED:
        j = Journey(policy)
        return j.go(ev.Closed(at=j.now + DAY, reason="discharged to primary care"))
    if stage == S.WITHDRAWN:
        j = Journey(policy)
        return j.go(ev.Withdrawn(at=j.now + DAY, reason="moved away"))
    raise AssertionError(f"no walk to {stage}")


def staged(stage: fc.Stage, policy: fc.Policy = SEED) -> Journey:
    """Both sides of L4-L5 confirmed, the left side treated: at ``stage`` (follow-up or
    sustained relief), the right side is confirmed and untreated (staged bilateral care)."""
    j = Journey(policy).positive_blocks(L45 + R45).neurotomy(L45)
    if stage == S.SUSTAINED_RELIEF:
        j.follow_up(2)
    assert j.stage == stage
    return j
