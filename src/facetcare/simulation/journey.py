"""One simulated patient: a `Journey` produced by driving a real `Pathway`.

Every event goes through `Pathway.apply` (DESIGN principle 6), so a
simulated journey is by construction one that `Pathway.replay` accepts. The
generator decides *what the patient and the clinic do*; the pathway decides
*what that means* (positive or negative block, relief or not, whether a
repeat neurotomy is allowed), and the generator follows.

Randomness comes from the patient's own streams (`facetcare.simulation.draws`):
one for the referral, one for the clinical course, so the course draws do
not shift with the number of referrals a policy screens out. Times are whole
minutes or days.

The course, in order (DOMAIN.md "The pathway"):

1. Referral, drawn until it meets the policy's entry criteria; the refused
   ones are counted (`Journey.screened_out`) and never become journeys.
2. Diagnostic blocks on a drawn set of targets until the policy's number of
   positive blocks; a negative block resets the series and another set of
   targets is tried; after ``max_negative_blocks`` the pathway is closed.
   Each block's outcome is drawn from the patient's true pain source
   (positive 0.95 with facet pain, else the false-positive rate), each
   block independently of the others (assumption), and the diary is written
   so that the policy's own threshold gives that outcome: the cited rates
   hold whatever the threshold (assumption). A missing diary is negative.
3. A neurotomy on the confirmed targets, follow-up reports, then either no
   relief (closed) or relief lasting a drawn number of days, then
   `PainReturned`. Any neurotomy after the first uses the repeat success
   rate and relief median.
4. After recurrence the repeat is booked; `Pathway.apply` accepts it or
   refuses it, changing nothing. Caps and intervals are waited out; a
   refusal for ``reblock_required`` starts new blocks on the same targets;
   any other refusal closes the pathway.

Every booked visit may be missed (``VisitMissed``) or, with the driver
missing at check-in, refused: the refused `CheckedIn` is not an accepted
event, so what the journey records is what happened next, a
``VisitCancelled(reason="no_escort")``; both are rebooked under a new visit
id. The journey stops at the horizon, wherever the patient stands.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import attrs

from facetcare import events as ev
from facetcare.anatomy import Side
from facetcare.errors import Reason, Rejected
from facetcare.machine import Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.simulation.draws import Draws
from facetcare.simulation.params import CohortParams
from facetcare.simulation.plan import Plan

__all__ = ["CLOSE_REASONS", "Journey", "patient_ids", "simulate_patient"]

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
#: Patients arrive a quarter of an hour before their slot.
ARRIVAL = dt.timedelta(minutes=15)
DAY = dt.timedelta(days=1)
YEAR = dt.timedelta(days=365)

#: Clinic slots: 08:00 to 15:30 every 30 minutes, Monday to Friday (assumption).
SLOT_TIMES = tuple(dt.time(8 + k // 2, 30 * (k % 2)) for k in range(16))
#: A referral this many times below the entry criteria means the params cannot meet them.
MAX_SCREENED = 1000
#: Why a simulated pathway is closed.
CLOSE_REASONS = ("negative_blocks", "no_relief", "repeat_not_allowed")
#: The stages the course branches on (a module constant is quicker to read than Stage's).
BLOCK_POSITIVE, FOLLOW_UP, NO_RELIEF = Stage.BLOCK_POSITIVE, Stage.FOLLOW_UP, Stage.NO_RELIEF
#: Timing refusals the generator waits out (it books at the earliest allowed date).
TIMING_CODES = frozenset({"block_interval", "annual_limit", "repeat_too_soon"})


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
    [4.5] (no pathway event records them).
    """

    patient_id: str
    events: tuple[ev.Event, ...]
    stage: Stage
    stages: tuple[Stage, ...] = ()
    screened_out: int = 0
    minor_complications: int = 0

    @classmethod
    def packed(
        cls, patient_id: str, data: object, *, stage: Stage, stages: tuple[Stage, ...] = (),
        screened_out: int = 0, minor_complications: int = 0,
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
                            ("minor_complications", minor_complications), ("_packed", data)):
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
    return f"pt-{index + 1:06d}", f"pw-{index + 1:06d}"


class _Horizon(Exception):
    """The next event would fall after the horizon: the journey stops where it stands."""


class _Walk:
    """Drives one patient's `Pathway`; see the module docstring for the course."""

    def __init__(
        self, plan: Plan, seed: int, index: int, start: dt.datetime, end: dt.datetime
    ) -> None:
        self.plan = plan
        self.params = plan.params
        self.policy = plan.policy
        self.seed = seed
        self.index = index
        self.draw = Draws(seed, index)
        self.start = start
        self.end = end
        self.zone = start.tzinfo
        #: A fixed-offset zone has no rules to follow: its slots need no per-day offset.
        self.fixed = (dt.timezone(start.utcoffset() or dt.timedelta(0))
                      if isinstance(self.zone, dt.timezone) else None)
        self.patient_id, self.pathway_id = patient_ids(index)
        self.pw = Pathway(policy=plan.policy)
        self.apply = self.pw.apply
        self.stages: list[Stage] = []
        self.record = self.stages.append
        self.now = start
        self.screened = 0
        self.complications = 0
        self.visits = 0
        self.visit_id = ""
        self.visit_at = start
        self.escort = True
        self.block_times: list[dt.datetime] = []
        self.neurotomy_times: list[dt.datetime] = []
        self.baseline = 0  # of the last positive block: what follow-up relief is measured on
        self.facet = False

    # -- the pathway ----------------------------------------------------------------

    def emit(self, event: ev.Event) -> Stage:
        """Apply an event the course expects the rules to accept."""
        if event.at > self.end:
            raise _Horizon
        try:
            stage = self.apply(event)
        except Rejected as refused:
            raise RuntimeError(
                f"{self.patient_id}: the simulation produced an event the rules refuse: "
                f"{refused}"
            ) from refused
        self.record(stage)
        self.now = event.at
        return stage

    def attempt(self, event: ev.Event) -> Stage:
        """Apply an event the rules may refuse: `Rejected` leaves the pathway unchanged.

        One ``apply`` runs the rules once; a ``check`` first would run them
        twice for every accepted event, so ``check`` is kept for the events
        that are usually refused.
        """
        if event.at > self.end:
            raise _Horizon
        stage = self.apply(event)
        self.record(stage)
        self.now = event.at
        return stage

    def run(self) -> Journey:
        try:
            self.refer()
            self.course()
        except _Horizon:
            pass
        events = self.pw.events
        return Journey(
            patient_id=self.patient_id,
            events=events,
            stage=self.pw.stage,
            stages=tuple(self.stages),
            screened_out=self.screened,
            minor_complications=self.complications,
        )

    def refer(self) -> None:
        """Draw referrals until one meets the entry criteria; count the others."""
        draw = Draws(self.seed, self.index, "referral")
        params = self.params
        for _ in range(MAX_SCREENED):
            referral = ev.Referred(
                at=self.start,
                pathway_id=self.pathway_id,
                patient_id=self.patient_id,
                region=params.region,
                pain_months=draw.integer_in(params.pain_months),
                conservative_care_failed=draw.chance(params.conservative_care_failed),
            )
            try:
                self.attempt(referral)
            except Rejected as refused:
                if refused.codes != ("entry_criteria",):
                    raise RuntimeError(f"referral refused for {refused.codes}") from refused
                self.screened += 1
                continue
            return
        raise ValueError(
            f"{MAX_SCREENED} referrals in a row failed {self.policy.name}'s entry criteria: "
            "the CohortParams cannot meet them (see pain_months, conservative_care_failed)"
        )

    def course(self) -> None:
        params = self.params
        self.facet = self.draw.chance(params.facet_prevalence)
        targets: tuple[ev.Target, ...] | None = self.draw_targets()
        while targets is not None:
            targets = self.work_up(targets)
            if targets is None:
                return
            targets = self.treat(targets)

    def close(self, reason: str) -> None:
        self.emit(ev.Closed(at=self.now, reason=reason))

    # -- diagnostic blocks --------------------------------------------------------

    def draw_targets(self) -> tuple[ev.Target, ...]:
        """Contiguous levels, one side or both; no more levels than the policy allows."""
        params = self.params
        joints = params.joints
        levels = 2 if len(joints) > 1 and self.draw.chance(params.two_levels) else 1
        cap = self.policy.max_block_levels
        if cap is not None:
            levels = min(levels, cap)
        first = self.draw.integer(0, len(joints) - levels)
        if self.draw.chance(params.bilateral):
            sides: tuple[Side, ...] = (Side.LEFT, Side.RIGHT)
        else:
            sides = (Side.LEFT,) if self.draw.chance(0.5) else (Side.RIGHT,)
        return self.plan.targets(first, levels, sides)

    def work_up(self, targets: tuple[ev.Target, ...]) -> tuple[ev.Target, ...] | None:
        """Blocks until the policy's number of positive ones; None when closed."""
        positives = negatives = 0
        while positives < self.policy.blocks_required:
            if self.block(targets):
                positives += 1
                continue
            positives = 0
            negatives += 1
            if negatives >= self.params.max_negative_blocks:
                self.close("negative_blocks")
                return None
            targets = self.draw_targets()  # other nerves may be tried
        return targets

    def block(self, targets: tuple[ev.Target, ...]) -> bool:
        """One block visit, diary and assessment; True when assessed positive."""
        params, plan = self.params, self.plan
        first = not self.block_times
        refused = self.attend("block", targets,
                              params.referral_to_block_days if first else params.booking_days)
        if refused:
            raise RuntimeError(f"{self.patient_id}: block booking refused: {refused}")
        given = self.visit_at + self.draw.integer_in(plan.block_minutes) * MINUTE
        baseline = self.draw.integer_in(params.baseline_pain)
        self.emit(ev.BlockPerformed(at=given, visit_id=self.visit_id, targets=targets,
                                    baseline_pain=baseline))
        self.block_times.append(given)
        responds = self.draw.chance(
            params.block_positive_if_facet if self.facet else params.block_false_positive
        )
        discharge = ev.Discharged(
            at=given + self.draw.integer_in(plan.discharge_minutes) * MINUTE,
            visit_id=self.visit_id, escort_present=self.escort)
        diary: ev.ReliefDiaryRecorded | None = None
        if not self.draw.chance(params.diary_missing):
            reached, short = plan.block_scores[baseline]
            scores = reached if responds else short
            if scores:  # no score can give this outcome: a missing diary is negative
                diary_at = given + (plan.window_minutes + self.draw.integer(0, 14 * 60)) * MINUTE
                diary = ev.ReliefDiaryRecorded(
                    at=diary_at, entries=self.diary(given, baseline, self.draw.pick(scores)))
        if diary is not None and diary.at < discharge.at:  # in time order, discharge first on a tie
            self.emit(diary)
            self.emit(discharge)
        else:
            self.emit(discharge)
            if diary is not None:
                self.emit(diary)
        # The clinic reviews the diary the next day (assumption).
        assessed = max(given + DAY, self.now, given + self.policy.relief_window_min)
        positive = self.emit(ev.ReliefAssessed(at=assessed)) == BLOCK_POSITIVE
        if positive:
            self.baseline = baseline
        return positive

    def diary(self, given: dt.datetime, baseline: int, lowest: int) -> tuple[ev.PainEntry, ...]:
        """Relief from about 30 min to 4 h, wearing off by the end of the window [3.4]."""
        return tuple([ev.PainEntry(given + offset, score)
                      for offset, score in self.plan.diary(baseline, lowest)])

    # -- visits ---------------------------------------------------------------------

    def earliest(self, kind: str) -> dt.datetime:
        """The first time a visit of ``kind`` clears the policy's gaps and yearly caps."""
        policy = self.policy
        if kind == "block":
            times, gap, cap = self.block_times, policy.min_block_gap, policy.max_blocks_per_year
        else:
            times = self.neurotomy_times
            gap, cap = policy.min_neurotomy_interval, policy.max_neurotomies_per_year
        moment = self.now
        if gap is not None and times:
            moment = max(moment, times[-1] + gap)
        if cap is not None and len(times) >= cap:
            moment = max(moment, sorted(times)[-cap] + YEAR)
        return moment

    def slot(self, not_before: dt.datetime) -> dt.datetime:
        """A clinic slot on a weekday in the start's time zone, no earlier than ``not_before``.

        The slot keeps its UTC offset but not the zone's rules, so every
        later step (minutes, hours, days) is elapsed time, as the rules
        measure it, even across a daylight-saving change.
        """
        day = not_before.astimezone(self.zone).date()
        time = SLOT_TIMES[self.draw.integer(0, len(SLOT_TIMES) - 1)]
        fixed = self.fixed
        while True:
            if day.weekday() < 5:
                if fixed is not None:
                    moment = dt.datetime.combine(day, time, tzinfo=fixed)
                else:
                    local = dt.datetime.combine(day, time, tzinfo=self.zone)
                    offset = local.utcoffset() or dt.timedelta(0)
                    moment = local.replace(tzinfo=dt.timezone(offset))
                if moment >= not_before:
                    return moment
            day += DAY

    def attend(
        self, kind: str, targets: tuple[ev.Target, ...], delay: tuple[int, int]
    ) -> tuple[Reason, ...]:
        """Book until the patient is checked in; the booking's refusal reasons, if any.

        A missed visit or a check-in refused for want of a driver is rebooked
        under a new visit id (``booking_days`` later).
        """
        booking_type = ev.BlockScheduled if kind == "block" else ev.NeurotomyScheduled
        while True:
            wanted = self.now + self.draw.integer_in(delay) * DAY
            self.visits += 1
            visit_id = f"{self.pathway_id}-v{self.visits:02d}"
            visit_at = self.slot(max(wanted, self.earliest(kind)))
            booking = booking_type(at=self.now, visit_id=visit_id, visit_at=visit_at,
                                   targets=targets)
            try:
                self.attempt(booking)
            except Rejected as refused:  # a repeat neurotomy the policy does not allow
                return refused.reasons
            self.visit_id, self.visit_at = visit_id, visit_at
            delay = self.params.booking_days
            if self.draw.chance(self.params.no_show):
                self.emit(ev.VisitMissed(at=visit_at + HOUR, visit_id=visit_id))
                continue
            arrived = visit_at - ARRIVAL
            escort = not self.draw.chance(self.params.escort_missing)
            check_in = ev.CheckedIn(at=arrived, visit_id=visit_id, escort_present=escort)
            if not escort:
                if arrived > self.end:
                    raise _Horizon
                # Refused wherever the policy requires a driver: ask first, as that is usual.
                verdict = self.pw.check(check_in)
                if not verdict.allowed:
                    if verdict.codes != ("no_escort",):
                        raise RuntimeError(f"check-in refused for {verdict.codes}")
                    self.emit(ev.VisitCancelled(at=arrived, visit_id=visit_id,
                                                reason="no_escort"))
                    continue
            self.emit(check_in)
            self.escort = escort
            return ()

    # -- neurotomy, follow-up, recurrence -----------------------------------------

    def treat(self, targets: tuple[ev.Target, ...]) -> tuple[ev.Target, ...] | None:
        """Neurotomies and repeats; the targets for new blocks, or None when done."""
        while True:
            refused = self.attend("neurotomy", targets, self.params.booking_days)
            if refused:
                codes = {r.code for r in refused}
                if self.pw.stage != Stage.RECURRENCE:
                    raise RuntimeError(f"{self.patient_id}: neurotomy refused: {sorted(codes)}")
                if codes <= TIMING_CODES | {"reblock_required"} and "reblock_required" in codes:
                    return targets  # new diagnostic blocks on the same nerves
                self.close("repeat_not_allowed")
                return None
            if not self.neurotomy(targets):
                self.close("no_relief")
                return None

    def neurotomy(self, targets: tuple[ev.Target, ...]) -> bool:
        """Perform, discharge and follow up; True when relief came and then ended."""
        params, plan = self.params, self.plan
        repeat = bool(self.neurotomy_times)
        procedure, recovery = plan.neurotomy_minutes(targets)
        performed = self.visit_at + self.draw.integer_in(procedure) * MINUTE
        lesions = self.lesions(targets)
        self.emit(ev.NeurotomyPerformed(at=performed, visit_id=self.visit_id, lesions=lesions))
        self.neurotomy_times.append(performed)
        chance, minor = self.draw.chance, params.minor_complication_per_lesion
        for _ in lesions:
            self.complications += chance(minor)
        self.emit(ev.Discharged(at=performed + self.draw.integer_in(recovery) * MINUTE,
                                visit_id=self.visit_id, escort_present=self.escort))
        if repeat:
            p = params.repeat_success_if_facet if self.facet else params.repeat_success_if_not
        else:
            p = params.neurotomy_success_if_facet if self.facet else params.neurotomy_success_if_not
        relieved_scores, pain_scores = plan.follow_scores[self.baseline]
        success = self.draw.chance(p) if relieved_scores and pain_scores else bool(relieved_scores)
        if not success:
            for offset in plan.follow_ups:
                stage = self.emit(ev.FollowUpRecorded(at=performed + offset,
                                                      pain_score=self.draw.pick(pain_scores)))
                if stage == NO_RELIEF:
                    return False
            if stage == FOLLOW_UP:  # still settling: one report after it
                self.emit(ev.FollowUpRecorded(
                    at=performed + self.policy.follow_up_settling + DAY,
                    pain_score=self.draw.pick(pain_scores)))
            return False
        lasting = self.relief_days(repeat)
        reports = [days * DAY for days in params.follow_up_days if days < lasting]
        for offset in reports or [lasting * DAY / 2]:
            self.emit(ev.FollowUpRecorded(at=performed + offset,
                                          pain_score=self.draw.pick(relieved_scores)))
        self.emit(ev.PainReturned(at=performed + lasting * DAY,
                                  pain_score=self.draw.pick(pain_scores)))
        return True

    def lesions(self, targets: tuple[ev.Target, ...]) -> tuple[ev.Lesion, ...]:
        """Mean 5, sd 3, at least one per target [3.2]; duration and heat within the policy."""
        plan, params, integer_in = self.plan, self.params, self.draw.integer_in
        seconds, temperature = plan.lesion_seconds, plan.lesion_temperature
        width = len(targets)
        count = max(1, round(self.draw.normal(params.lesions_mean, params.lesions_sd)), width)
        return tuple([
            ev.Lesion(targets[i % width], integer_in(seconds), integer_in(temperature))
            for i in range(count)
        ])

    def relief_days(self, repeat: bool) -> int:
        """Whole days of relief, around the cited median (distribution: an assumption)."""
        params = self.params
        median = params.repeat_relief_median_days if repeat else params.relief_median_days
        if params.relief_distribution == "lognormal":
            days = self.draw.lognormal(median, params.relief_sigma)
        else:
            days = self.draw.exponential(median)
        return max(1, math.ceil(days))


def simulate_patient(
    index: int,
    *,
    seed: int,
    params: CohortParams,
    policy: Policy,
    start: dt.datetime,
    horizon: dt.timedelta,
    plan: Plan | None = None,
) -> Journey:
    """The journey of the patient at 0-based ``index``; the same for any chunking."""
    plan = plan if plan is not None else Plan(params, policy)
    return _Walk(plan, seed, index, start, start + horizon).run()
