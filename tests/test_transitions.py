"""Every row of the pathway table, walked on a real pathway.

The transition tests are generated from `facetcare.machine.PATHWAY`, so a row
added to the table without an example here fails (no event builder for it);
the expected table below is transcribed from DESIGN.md "Events" so the table
itself is checked against the contract.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import pytest

import facetcare as fc
from facetcare import events as ev
from facetcare.machine import PATHWAY, START, Step
from journey import (
    BLOCK_RECORD,
    DAY,
    HOUR,
    L45,
    MINUTE,
    NEUROTOMY_RECORD,
    POLICIES,
    POLICY_IDS,
    R45,
    SEED,
    Journey,
    S,
    lesions_for,
    reach,
    snapshot,
    staged,
)

# -- the contract, transcribed from DESIGN.md "Events" -------------------------------

BLOCK_FROM = ("referred", "block_positive", "block_negative", "recurrence", "no_relief")
RF_FROM = ("block_positive", "block_negative", "follow_up", "sustained_relief", "recurrence")
ONGOING = tuple(s.value for s in fc.Stage if s not in (S.CLOSED, S.WITHDRAWN))

#: (event, source, destination); None keeps the stage.
DESIGN_ROWS: set[tuple[str, str, str | None]] = {
    ("Referred", START, "referred"),
    *{("BlockScheduled", s, "block_scheduled") for s in BLOCK_FROM},
    *{("NeurotomyScheduled", s, "neurotomy_scheduled") for s in RF_FROM},
    ("CheckedIn", "block_scheduled", "block_visit"),
    ("CheckedIn", "neurotomy_scheduled", "neurotomy_visit"),
    ("BlockPerformed", "block_visit", "block_observation"),
    ("NeurotomyPerformed", "neurotomy_visit", "neurotomy_recovery"),
    ("Discharged", "block_observation", "relief_assessment"),
    ("Discharged", "neurotomy_recovery", "follow_up"),
    ("ReliefDiaryRecorded", "block_observation", None),
    ("ReliefDiaryRecorded", "relief_assessment", None),
    ("ReliefAssessed", "relief_assessment", "block_positive"),
    ("ReliefAssessed", "relief_assessment", "block_negative"),
    ("FollowUpRecorded", "follow_up", "sustained_relief"),
    ("FollowUpRecorded", "follow_up", "no_relief"),
    ("FollowUpRecorded", "follow_up", None),
    ("FollowUpRecorded", "sustained_relief", None),
    ("PainReturned", "sustained_relief", "recurrence"),
    *{("VisitCancelled", v, o) for v in ("block_scheduled", "block_visit") for o in BLOCK_FROM},
    *{("VisitCancelled", v, o)
      for v in ("neurotomy_scheduled", "neurotomy_visit") for o in RF_FROM},
    *{("VisitMissed", "block_scheduled", o) for o in BLOCK_FROM},
    *{("VisitMissed", "neurotomy_scheduled", o) for o in RF_FROM},
    *{("Closed", s, "closed") for s in (
        "referred", "block_positive", "block_negative", "sustained_relief", "no_relief",
        "recurrence")},
    *{("Withdrawn", s, "withdrawn") for s in ONGOING},
    *{("PolicyChanged", s, None) for s in ONGOING},
}


def _rows() -> list[tuple[Step, str]]:
    return [(step, source) for step in PATHWAY for source in step.sources]


def _row_id(row: tuple[Step, str]) -> str:
    step, source = row
    branch = f"[{step.branch}]" if step.branch else ""
    return f"{step.event.kind}:{source}->{step.dest or 'same'}{branch}"


ROWS = _rows()


def test_the_table_is_the_design_table() -> None:
    table = {(step.event.kind, source, step.dest) for step, source in ROWS}
    assert table == DESIGN_ROWS


def test_allowed_events_follow_the_design_table() -> None:
    for stage in fc.Stage:
        expected = {name for name, source, _ in DESIGN_ROWS if source == stage}
        j = reach(stage)
        assert {kind.__name__ for kind in j.pw.allowed_events()} == expected, stage


# -- one example per row -----------------------------------------------------------


def _origin(step: Step) -> fc.Stage | None:
    """Rows that return a cancelled visit name the stage it was booked from."""
    if step.event in (ev.VisitCancelled, ev.VisitMissed):
        assert step.branch is not None
        return fc.Stage(step.branch)
    return None


def _event_for(j: Journey, step: Step, source: str) -> ev.Event:
    """The event that takes ``step`` from ``source``; may first record a diary."""
    kind, branch = step.event, step.branch
    assert j.visit_id is not None or kind not in (ev.CheckedIn, ev.BlockPerformed)
    if kind is ev.BlockScheduled:
        return j.booking(ev.BlockScheduled, visit_id="block-new")
    if kind is ev.NeurotomyScheduled:
        other_side = source in ("follow_up", "sustained_relief")
        return j.booking(ev.NeurotomyScheduled, R45 if other_side else L45, visit_id="rf-new")
    if kind is ev.CheckedIn:
        assert j.visit_at is not None and j.visit_id is not None
        return ev.CheckedIn(at=j.visit_at, visit_id=j.visit_id, escort_present=True)
    if kind is ev.BlockPerformed:
        assert j.visit_id is not None
        return ev.BlockPerformed(at=j.now + 10 * MINUTE, visit_id=j.visit_id, targets=j.booked,
                                 baseline_pain=8, **BLOCK_RECORD)
    if kind is ev.NeurotomyPerformed:
        assert j.visit_id is not None
        return ev.NeurotomyPerformed(at=j.now + 15 * MINUTE, visit_id=j.visit_id,
                                     lesions=lesions_for(j.booked), **NEUROTOMY_RECORD)
    if kind is ev.Discharged:
        assert j.visit_id is not None
        return ev.Discharged(at=j.now + HOUR, visit_id=j.visit_id, escort_present=True)
    if kind is ev.ReliefDiaryRecorded:
        assert j.block_at is not None
        entry_at = max(j.now, j.block_at + 5 * MINUTE)
        return ev.ReliefDiaryRecorded(at=entry_at, entries=[fc.PainEntry(entry_at, 3)])
    if kind is ev.ReliefAssessed:
        assert j.block_at is not None
        score = 1 if branch == "positive" else 7
        j.diary((30 * MINUTE, score), (4 * HOUR, score))  # positive for best and sustained
        return ev.ReliefAssessed(at=j.block_at + 4 * HOUR)
    if kind is ev.FollowUpRecorded:
        assert j.neurotomy_at is not None
        score, after = {
            "relieved": (2, 7 * DAY),
            "not_relieved": (8, 22 * DAY),
            "settling": (8, 7 * DAY),
            None: (3, 30 * DAY),
        }[branch]
        return ev.FollowUpRecorded(at=max(j.now, j.neurotomy_at + after), pain_score=score)
    if kind is ev.PainReturned:
        return ev.PainReturned(at=j.now + 60 * DAY, pain_score=7)
    if kind is ev.PolicyChanged:
        return ev.PolicyChanged(at=j.now + HOUR, policy=fc.Policy.consensus_2020(),
                                reason="payer changed")
    if kind is ev.VisitCancelled:
        assert j.visit_id is not None
        return ev.VisitCancelled(at=j.now + HOUR, visit_id=j.visit_id, reason="patient unwell")
    if kind is ev.VisitMissed:
        assert j.visit_id is not None
        return ev.VisitMissed(at=j.now + HOUR, visit_id=j.visit_id)
    if kind is ev.Closed:
        return ev.Closed(at=j.now + DAY, reason="care completed")
    if kind is ev.Withdrawn:
        return ev.Withdrawn(at=j.now + DAY, reason="moved away")
    raise AssertionError(f"no example for {kind.__name__} (a new row needs one)")


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
@pytest.mark.parametrize("row", ROWS, ids=[_row_id(r) for r in ROWS])
def test_every_transition(row: tuple[Step, str], policy: fc.Policy) -> None:
    step, source = row
    if source == START:
        pw = fc.Pathway.start(Journey(policy).pw.events[0], policy=policy)
        assert pw.stage == step.dest
        return
    if step.event is ev.NeurotomyScheduled and source in ("follow_up", "sustained_relief"):
        j = staged(fc.Stage(source), policy)
    else:
        j = reach(fc.Stage(source), policy, origin=_origin(step))
    assert j.stage == source
    event = _event_for(j, step, source)
    assert j.stage == source  # a diary recorded first keeps the stage
    assert step.event in j.pw.allowed_events()
    assert j.pw.check(event).allowed, j.pw.check(event).reasons
    before = len(j.pw.events)
    expected = fc.Stage(step.dest if step.dest is not None else source)
    assert j.pw.apply(event) == expected
    assert j.pw.stage == expected
    assert j.pw.events[before:] == (event,)


@pytest.mark.parametrize("origin", BLOCK_FROM)
@pytest.mark.parametrize("visit", ["block_scheduled", "block_visit"])
def test_a_cancelled_block_returns_to_where_it_was_booked(origin: str, visit: str) -> None:
    j = reach(fc.Stage(visit), origin=fc.Stage(origin))
    assert j.visit_id is not None
    j.go(ev.VisitCancelled(at=j.now + HOUR, visit_id=j.visit_id, reason="equipment fault"))
    assert j.stage == origin
    # The visit is closed: the same visit cannot be cancelled twice or checked into.
    verdict = j.pw.check(ev.CheckedIn(at=j.now + HOUR, visit_id=j.visit_id,
                                      escort_present=True))
    assert verdict.codes == ("invalid_transition",)


@pytest.mark.parametrize("origin", RF_FROM)
def test_a_missed_neurotomy_returns_to_where_it_was_booked(origin: str) -> None:
    j = reach(S.NEUROTOMY_SCHEDULED, origin=fc.Stage(origin))
    assert j.visit_id is not None
    j.go(ev.VisitMissed(at=j.now + HOUR, visit_id=j.visit_id))
    assert j.stage == origin
    # A new neurotomy can be booked again from there, under a new visit id.
    again = j.booking(ev.NeurotomyScheduled, j.booked, visit_id="rf-rebooked")
    assert j.pw.apply(again) == S.NEUROTOMY_SCHEDULED


def test_a_stay_row_records_the_event() -> None:
    j = reach(S.SUSTAINED_RELIEF)
    events = j.pw.events
    j.follow_up(1, after=60 * DAY)
    assert j.stage == S.SUSTAINED_RELIEF
    assert j.pw.events[:-1] == events
    assert j.pw.best_relief == Fraction(7, 8)  # baseline 8 → 1 beats 8 → 2
    j.follow_up(5, after=90 * DAY)
    assert j.stage == S.SUSTAINED_RELIEF  # a worse report stays: the best relief counts
    assert j.pw.best_relief == Fraction(7, 8)


# -- what is not in the table ----------------------------------------------------------

SAMPLE_ID = "v-other"


def _sample(kind: type[ev.Event], j: Journey) -> ev.Event:
    """A well-formed event of ``kind`` an hour after the journey's last event."""
    at = j.now + HOUR
    samples: dict[type[ev.Event], ev.Event] = {
        ev.Referred: ev.Referred(at=at, pathway_id="pw-2", patient_id="pt-2",
                                 region=fc.Region.LUMBAR),
        ev.BlockScheduled: ev.BlockScheduled(at=at, visit_id="b-x", visit_at=at + 3 * DAY,
                                             targets=L45, escort_confirmed=True),
        ev.NeurotomyScheduled: ev.NeurotomyScheduled(at=at, visit_id="rf-x",
                                                     visit_at=at + 3 * DAY, targets=L45),
        ev.CheckedIn: ev.CheckedIn(at=at, visit_id=SAMPLE_ID, escort_present=True),
        ev.BlockPerformed: ev.BlockPerformed(at=at, visit_id=SAMPLE_ID, targets=L45,
                                             baseline_pain=7),
        ev.NeurotomyPerformed: ev.NeurotomyPerformed(at=at, visit_id=SAMPLE_ID,
                                                     lesions=[fc.Lesion(L45[0], 90, 85)]),
        ev.Discharged: ev.Discharged(at=at, visit_id=SAMPLE_ID, escort_present=True),
        ev.ReliefDiaryRecorded: ev.ReliefDiaryRecorded(at=at, entries=[fc.PainEntry(at, 2)]),
        ev.ReliefAssessed: ev.ReliefAssessed(at=at),
        ev.FollowUpRecorded: ev.FollowUpRecorded(at=at, pain_score=2),
        ev.PainReturned: ev.PainReturned(at=at, pain_score=7),
        ev.VisitCancelled: ev.VisitCancelled(at=at, visit_id=SAMPLE_ID, reason="r"),
        ev.VisitMissed: ev.VisitMissed(at=at, visit_id=SAMPLE_ID),
        ev.Closed: ev.Closed(at=at, reason="done"),
        ev.Withdrawn: ev.Withdrawn(at=at, reason="left"),
        ev.PolicyChanged: ev.PolicyChanged(at=at, policy=fc.Policy.seed(), reason="payer"),
    }
    return samples[kind]


@functools.cache
def _standing(stage: fc.Stage) -> Journey:
    """Shared journeys for read-only checks (refusals change nothing)."""
    return reach(stage)


INVALID = [
    (stage, kind)
    for stage in fc.Stage
    for kind in ev.EVENT_TYPES
    if (kind.__name__, stage.value) not in {(n, s) for n, s, _ in DESIGN_ROWS}
]


@pytest.mark.parametrize(
    ("stage", "kind"), INVALID, ids=[f"{k.__name__}@{s.value}" for s, k in INVALID]
)
def test_events_outside_the_table_are_invalid_transitions(
    stage: fc.Stage, kind: type[ev.Event]
) -> None:
    j = _standing(stage)
    event = _sample(kind, j)
    before = snapshot(j.pw, event.at)
    verdict = j.pw.check(event)
    assert verdict.codes == ("invalid_transition",)
    assert kind.__name__ in verdict.reasons[0].message
    assert stage.value in verdict.reasons[0].message
    with pytest.raises(fc.Rejected) as refused:
        j.pw.apply(event)
    assert refused.value.codes == ("invalid_transition",)
    assert refused.value.event is event
    assert snapshot(j.pw, event.at) == before


@pytest.mark.parametrize("final", [S.CLOSED, S.WITHDRAWN])
def test_final_stages_accept_nothing(final: fc.Stage) -> None:
    j = reach(final)
    assert j.pw.allowed_events() == frozenset()
    assert final.is_final
    for kind in ev.EVENT_TYPES:
        assert j.pw.check(_sample(kind, j)).codes == ("invalid_transition",)


def test_before_referral_only_a_referral_is_valid() -> None:
    empty = fc.Pathway(policy=SEED)
    with pytest.raises(ValueError, match="Referred"):
        _ = empty.stage
    assert empty.allowed_events() == frozenset({ev.Referred})
    j = Journey()
    for kind in ev.EVENT_TYPES:
        verdict = empty.check(_sample(kind, j))
        if kind is ev.Referred:
            assert verdict.allowed
        else:
            assert verdict.codes == ("invalid_transition",)
            assert "before referral" in verdict.reasons[0].message
    with pytest.raises(TypeError, match="Referred"):
        fc.Pathway.start(_sample(ev.Closed, j))  # type: ignore[arg-type]


def test_an_invalid_event_that_is_also_late_gives_both_codes_only() -> None:
    j = reach(S.BLOCK_SCHEDULED)
    late = ev.ReliefAssessed(at=j.now - DAY)
    assert j.pw.check(late).codes == ("invalid_transition", "out_of_order")
    # Invalid and against other rules too: only the stage and time are reported.
    booked_in_past = ev.BlockScheduled(at=j.now, visit_id="b-x", visit_at=j.now - DAY,
                                       targets=L45)
    assert j.pw.check(booked_in_past).codes == ("invalid_transition",)


class _Model:
    def __init__(self, state: str) -> None:
        self.state = state


@pytest.mark.parametrize(
    "step, source",
    [(step, source) for step in PATHWAY for source in step.sources],
    ids=lambda value: value.event.kind if isinstance(value, Step) else str(value),
)
def test_fire_takes_the_row_the_machine_itself_takes(step: Step, source: str) -> None:
    """`fire` runs a row's Transition directly; the machine's own event reaches the same stage."""
    from facetcare.machine import MACHINE, fire

    direct, engine = _Model(source), _Model(source)
    assert fire(direct, step.event.kind, step.branch)
    args = () if step.branch is None else (step.branch,)
    assert MACHINE.events[step.event.kind].trigger(engine, *args)
    assert direct.state == engine.state == (step.dest if step.dest is not None else source)


def test_fire_refuses_a_row_the_table_does_not_have() -> None:
    from facetcare.machine import fire

    model = _Model("referred")
    assert not fire(model, "ReliefAssessed", "positive")
    assert not fire(model, "BlockScheduled", "positive")
    assert model.state == "referred"


def test_a_stage_with_callbacks_still_runs_them() -> None:
    """The machine's stages skip entering and leaving only when nothing listens."""
    from facetcare.machine import _Machine

    seen: list[str] = []
    machine = _Machine(model=None, states=["a", "b"], initial="a", auto_transitions=False,
                       transitions=[{"trigger": "go", "source": "a", "dest": "b"}])
    machine.get_state("a").add_callback("exit", lambda: seen.append("left a"))
    machine.get_state("b").add_callback("enter", lambda: seen.append("entered b"))
    model = _Model("a")
    assert machine.events["go"].trigger(model)
    assert model.state == "b"
    assert seen == ["left a", "entered b"]
