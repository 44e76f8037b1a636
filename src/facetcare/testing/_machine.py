"""`PathwayMachine`: a Hypothesis state machine for testing a scheduling adapter.

A scheduling system keeps its own state (bookings, worklists, reminders)
beside each pathway. Subclass `PathwayMachine`, mirror what happened in
`on_accepted` / `on_refused`, and assert your own invariants in
``@invariant()`` methods: Hypothesis then drives a real `Pathway` with
valid steps, near misses and arbitrary events, checks facetcare's own
guarantees after every step, and shrinks any failure to a short program.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.errors import Reason, Rejected
from facetcare.facts import Nerve, nerves_of
from facetcare.machine import Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.testing._corrections import corrections
from facetcare.testing._journeys import near_misses, next_events, referrals
from facetcare.testing._strategies import any_referrals, events

__all__ = ["PathwayMachine"]


class PathwayMachine(RuleBasedStateMachine):
    """Drives one real `Pathway` and checks facetcare's guarantees after every step.

    Half the steps are valid next events (now and then a payer change to
    another shipped profile, after which steps and checks follow the policy
    in force); the others are near misses (one detail broken) or arbitrary
    events (wrong stage, unknown visit, any time and zone). After each one:
    a refused event changed nothing (stage, events, document);
    `Pathway.check` agreed with `Pathway.apply`; replaying the events and
    reading the JSON document back both give the same pathway; no neurotomy
    was performed without the policy's positive blocks (or, for a repeat, an
    earlier neurotomy); no check-in or discharge went ahead without an escort
    where the policy requires one; every accepted diary entry lies in its
    block's relief window; a cancelled or missed visit returned the pathway to
    the stage it was booked from.

    Subclass it: set `policy` and `region`, override `on_accepted` and
    `on_refused` to mirror the events into the system under test, add
    ``@invariant()`` methods for that system, and expose
    ``TestX = MyMachine.TestCase`` to pytest.
    """

    #: The policy the pathway starts under.
    policy: ClassVar[Policy] = Policy.seed()
    #: The spinal region of the referral; any region when None.
    region: ClassVar[Region | None] = None

    def __init__(self) -> None:
        super().__init__()
        #: The pathway under test; read it, never change it outside the rules.
        self.pathway = Pathway(policy=self.policy)
        self._reset_audit()

    def _reset_audit(self) -> None:
        #: Positive blocks per nerve: a negative result clears the nerves it tested, a
        #: neurotomy the nerves it treated (docs/payer-rules.md#results-per-target).
        self._confirmed: dict[Nerve, int] = {}
        self._treated: frozenset[Nerve] = frozenset()
        self._block_nerves: frozenset[Nerve] = frozenset()
        self._block_at: dt.datetime | None = None
        self._booked_from: Stage | None = None
        self._required_at_booking = self.policy.blocks_required
        self._in_force = self.policy

    # -- hooks for subclasses ---------------------------------------------------

    def on_accepted(self, event: ev.Event, stage: Stage) -> None:
        """Called after ``event`` was accepted and moved the pathway to ``stage``.

        Mirror the event into the system under test here. Does nothing by default.
        """

    def on_refused(self, event: ev.Event, reasons: tuple[Reason, ...]) -> None:
        """Called after ``event`` was refused for ``reasons`` (the pathway is unchanged).

        A system under test that was offered the same event should refuse it too.
        Does nothing by default.
        """

    def on_corrected(self, correction: ev.Correction, stage: Stage) -> None:
        """Called after ``correction`` was accepted; ``self.pathway.events`` is the new history.

        A system that mirrors events should rebuild its view from the effective
        history here (or apply the correction its own way). Does nothing by default.
        """

    # -- rules --------------------------------------------------------------------

    @initialize(data=st.data())
    def refer(self, data: st.DataObject) -> None:
        """Open the pathway; a referral missing the entry criteria is tried first, sometimes."""
        if data.draw(st.booleans(), label="try an unqualified referral first"):
            attempt = data.draw(any_referrals(self.region), label="referral")
            self._offer(attempt)
        if not self.pathway.events:
            self._offer(data.draw(referrals(self.policy, self.region), label="referral"),
                        must_accept=True)

    @precondition(lambda self: not (self.pathway.events and self.pathway.stage.is_final))
    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        """A step the pathway accepts."""
        self._offer(data.draw(next_events(self.pathway), label="event"), must_accept=True)

    @rule(data=st.data())
    def attempt(self, data: st.DataObject) -> None:
        """A step with one detail broken, or any event at all: the rules decide."""
        wrong = st.one_of(near_misses(self.pathway), events(self.region))
        self._offer(data.draw(wrong, label="event"))

    @precondition(lambda self: bool(self.pathway.log))
    @rule(data=st.data())
    def correct(self, data: st.DataObject) -> None:
        """A correction of the log, valid or not: a refused one changes nothing."""
        self._offer(data.draw(corrections(self.pathway), label="correction"))

    # -- invariants ---------------------------------------------------------------

    @invariant()
    def replay_and_document_give_the_same_pathway(self) -> None:
        pathway = self.pathway
        if not pathway.events:
            return
        again = Pathway.replay(pathway.log, policy=self.policy)
        assert again == pathway, "replaying the log gave another pathway"
        assert again.stage == pathway.stage
        effective = Pathway.replay(pathway.events, policy=self.policy)
        assert effective.stage == pathway.stage, "the effective history gave another stage"
        text = pathway.to_json()
        back = Pathway.from_json(text)
        assert back == pathway, "the JSON document read back is another pathway"
        assert back.stage == pathway.stage
        assert back.to_json() == text, "equal pathways gave different documents"

    # -- the step and its checks ----------------------------------------------------

    def _snapshot(self) -> tuple[Stage | None, tuple[ev.Event, ...], tuple[ev.Event, ...], str]:
        pathway = self.pathway
        stage = pathway.stage if pathway.events else None
        return stage, pathway.log, pathway.events, pathway.to_json()

    def _offer(self, event: ev.Event, *, must_accept: bool = False) -> None:
        pathway = self.pathway
        before = self._snapshot()
        correction = isinstance(event, ev.Correction)
        allowed_types = pathway.allowed_events()
        verdict = pathway.check(event)
        assert self._snapshot() == before, "check() changed the pathway"
        if not correction and type(event) not in allowed_types:
            assert "invalid_transition" in verdict.codes, (
                f"{event.kind} is not valid in this stage, yet check() gave {verdict.codes}"
            )
        try:
            stage = pathway.apply(event)
        except Rejected as refused:
            assert not verdict.allowed, f"check() allowed {event!r}, apply() refused: {refused}"
            assert refused.reasons == verdict.reasons, "apply() and check() gave other reasons"
            assert correction or refused.event is event
            assert self._snapshot() == before, "a refused event changed the pathway"
            assert not must_accept, f"a step drawn as valid was refused: {refused}"
            self.on_refused(event, refused.reasons)
            return
        assert verdict.allowed, f"check() refused {verdict.codes}, apply() accepted"
        assert stage == pathway.stage
        assert pathway.log == (*before[1], event), "the log is append-only"
        if isinstance(event, ev.Correction):
            # The safety properties hold for the corrected effective history as a whole.
            self._reset_audit()
            replayed = Pathway(policy=self.policy)
            for done in pathway.events:
                source = replayed.stage if replayed.events else None
                self._audit(done, source, replayed.apply(done))
            self.on_corrected(event, stage)
            return
        assert pathway.events == (*before[2], event)
        self._audit(event, before[0], stage)
        self.on_accepted(event, stage)

    def _audit(self, event: ev.Event, source: Stage | None, stage: Stage) -> None:
        """Safety properties, judged from the events alone, not from the core's record."""
        if isinstance(event, ev.PolicyChanged):
            self._in_force = event.policy  # later events are judged under it
        policy = self._in_force
        if isinstance(event, ev.CheckedIn | ev.Discharged) and policy.escort_required:
            assert event.escort_present, f"{event.kind} without an escort was accepted"
        if isinstance(event, ev.BlockScheduled | ev.NeurotomyScheduled):
            self._booked_from = source
            self._required_at_booking = policy.blocks_required
        elif isinstance(event, ev.VisitCancelled | ev.VisitMissed):
            assert stage == self._booked_from, (
                f"{event.kind} went to {stage}, the visit was booked from {self._booked_from}"
            )
        elif isinstance(event, ev.BlockPerformed):
            self._block_at = event.at
            self._block_nerves = nerves_of(event.targets)
        elif isinstance(event, ev.ReliefDiaryRecorded):
            assert self._block_at is not None
            # Not `timing.relief_window`: the rule asks it, so this oracle does the sum itself.
            end = self._block_at + policy.relief_window_end
            for entry in event.entries:
                assert self._block_at <= entry.at <= end, (
                    f"a diary entry at {entry.at} outside the window {self._block_at}–{end}"
                )
        elif isinstance(event, ev.ReliefAssessed):
            for nerve in self._block_nerves:
                if stage == Stage.BLOCK_POSITIVE:
                    self._confirmed[nerve] = self._confirmed.get(nerve, 0) + 1
                else:
                    self._confirmed.pop(nerve, None)
        elif isinstance(event, ev.NeurotomyPerformed):
            treated = nerves_of(tuple(lesion.target for lesion in event.lesions))
            # Both the policy at booking and the one in force now must be met.
            required = max(self._required_at_booking, policy.blocks_required)
            for nerve in treated:
                repeat = self._booked_from == Stage.RECURRENCE and nerve in self._treated
                assert repeat or self._confirmed.get(nerve, 0) >= required, (
                    f"a neurotomy of {nerve} after {self._confirmed.get(nerve, 0)} positive "
                    f"block(s); the policy requires {required}"
                )
            self._treated = treated
            for nerve in treated:
                self._confirmed.pop(nerve, None)
