"""facetcare.testing: its strategies, its state machine, its path coverage, its example."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
from pathlib import Path as FilePath
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, Phase, example, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable
from hypothesis.stateful import run_state_machine_as_test

import facetcare as fc
from facetcare import events as ev
from facetcare import rules
from facetcare.errors import CODES
from facetcare.machine import PATHWAY
from facetcare.testing import (
    PathwayMachine,
    aware_datetimes,
    events,
    journeys,
    lesions,
    next_events,
    pain_entries,
    paths,
    referrals,
    targets,
)
from facetcare.testing import _strategies as strategies

PROFILES = [fc.Policy.seed(), fc.Policy.medicare_l38803(), fc.Policy.consensus_2020()]
by_name = pytest.mark.parametrize("policy", PROFILES, ids=lambda p: p.name)
DAY = dt.timedelta(days=1)
#: A clinic's profile with every rule switched on, so every guard can be shown.
EVERY_RULE = attrs.evolve(
    fc.Policy.medicare_l38803(), name="every-rule", min_neurotomy_interval=90 * DAY,
    max_neurotomy_levels=1, lesion_min_seconds=60, lesion_max_seconds=120,
    lesion_max_temperature_c=90, min_block_gap=14 * DAY, regions=(fc.Region.LUMBAR,),
    neurotomy_levels_contiguous=True,
)
ROWS = {(step.event.kind, source, step.dest or source) for step in PATHWAY
        for source in step.sources}


# -- value strategies ------------------------------------------------------------------


LOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HIGH = dt.datetime(2026, 1, 3, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


@given(aware_datetimes(LOW, HIGH))
def test_aware_datetimes_are_aware_and_inside_their_bounds(moment: dt.datetime) -> None:
    assert moment.utcoffset() is not None
    assert LOW <= moment <= HIGH


def test_aware_datetimes_refuses_naive_bounds() -> None:
    with pytest.raises(ValueError, match="aware"):
        aware_datetimes(dt.datetime(2026, 1, 1))


@given(region=st.sampled_from(list(fc.Region)), data=st.data())
def test_targets_stay_in_their_region(region: fc.Region, data: st.DataObject) -> None:
    assert data.draw(targets(region)).region == region


@given(pain_entries(LOW, HIGH))
def test_pain_entries_are_valid_diary_lines(entry: fc.PainEntry) -> None:
    assert 0 <= entry.score <= 10
    assert LOW <= entry.at <= HIGH


@by_name
@given(data=st.data())
def test_lesions_for_a_policy_pass_its_lesion_rules(
    policy: fc.Policy, data: st.DataObject
) -> None:
    burns = data.draw(st.lists(lesions(policy=policy), min_size=1, max_size=4))
    performed = ev.NeurotomyPerformed(at=LOW, visit_id="v1", lesions=burns)
    assert rules.lesion_duration(None, performed, policy) is None  # type: ignore[arg-type]
    assert rules.lesion_temperature(None, performed, policy) is None  # type: ignore[arg-type]


# Invisible on screen though not a mark or a format character by category: U+115F and
# U+3164 are Hangul fillers (letters), U+200B a zero-width space.
@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).filter(str.strip))
@example("\u115f")
@example("\u3164 \u200b")
def test_drawn_ids_and_reasons_are_text_the_events_accept(raw: str) -> None:
    """The kit's ids and reasons follow the core's text rule, not a copy of it."""
    shown = strategies._shown(raw)
    ev.VisitMissed(at=LOW, visit_id=shown)
    ev.Closed(at=LOW, reason=shown)


@pytest.mark.parametrize(("make", "said"), [
    (lambda: pain_entries(dt.datetime(1800, 1, 1, tzinfo=dt.UTC)), "min_value 1800-01-01"),
    (lambda: events(max_value=dt.datetime(9500, 1, 1, tzinfo=dt.UTC)), "max_value 9500-01-01"),
    (lambda: events(visit_ids=["v1", "v\u202e2"]), "visit_ids holds the bidirectional"),
])
def test_bounds_no_event_could_hold_are_refused_at_once(make: Any, said: str) -> None:
    with pytest.raises(ValueError) as refused:
        make()
    assert said in str(refused.value)


def test_journeys_and_referrals_refuse_a_region_the_policy_does_not_cover() -> None:
    cervical = fc.Policy.consensus_cervical_2022()
    for make in (journeys, referrals):
        with pytest.raises(ValueError, match="covers cervical only, not the lumbar region"):
            make(cervical, "lumbar")


def test_events_draws_every_event_type() -> None:
    seen: set[type[ev.Event]] = set()

    @settings(max_examples=300, derandomize=True, database=None)
    @given(events())
    def draw(event: ev.Event) -> None:
        seen.add(type(event))

    draw()
    assert seen == set(ev.EVENT_TYPES)


def test_next_events_has_nothing_to_offer_after_a_final_stage() -> None:
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    pathway = fc.Pathway.start(ev.Referred(at=at, pathway_id="p", patient_id="q",
                                           region=fc.Region.LUMBAR))
    pathway.apply(ev.Closed(at=at, reason="care completed"))
    with pytest.raises(Unsatisfiable):
        find(next_events(pathway), lambda _: True, settings=settings(max_examples=5))


# -- journeys ---------------------------------------------------------------------------


@by_name
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(region=st.sampled_from(list(fc.Region)), data=st.data())
def test_every_journey_replays(policy: fc.Policy, region: fc.Region, data: st.DataObject) -> None:
    if policy.regions is not None and region not in policy.regions:
        region = policy.regions[0]  # a guideline for one region (consensus-2020: lumbar)
    journey = data.draw(journeys(policy, region), label="journey")
    assert isinstance(journey[0], ev.Referred)
    assert journey[0].region == region
    pathway = fc.Pathway.replay(journey, policy=policy)
    assert pathway.events == journey


def _taken(policy: fc.Policy, journey: tuple[ev.Event, ...]) -> set[tuple[str, str, str]]:
    pathway = fc.Pathway(policy=policy)
    taken = set()
    for event in journey:
        source = str(pathway.stage) if pathway.events else "start"
        pathway.apply(event)
        taken.add((event.kind, source, str(pathway.stage)))
    return taken


#: The branches a journey generator must reach ("*": from or to any stage): both
#: block results, cancelled and missed visits, every follow-up outcome,
#: recurrence to a repeat neurotomy and to a new block, closing and withdrawal.
BRANCHES = {
    ("ReliefAssessed", "*", "block_positive"),
    ("ReliefAssessed", "*", "block_negative"),
    ("VisitCancelled", "*", "*"),
    ("VisitMissed", "*", "*"),
    ("FollowUpRecorded", "follow_up", "sustained_relief"),
    ("FollowUpRecorded", "follow_up", "follow_up"),
    ("FollowUpRecorded", "follow_up", "no_relief"),
    ("PainReturned", "*", "recurrence"),
    ("NeurotomyScheduled", "recurrence", "*"),
    ("BlockScheduled", "recurrence", "*"),
    ("BlockScheduled", "no_relief", "*"),
    ("Closed", "*", "*"),
    ("Withdrawn", "*", "*"),
}
#: Where a policy needs two positive blocks, a confirmatory one.
CONFIRMATORY = ("BlockScheduled", "block_positive", "*")


def _matches(branch: tuple[str, str, str], taken: tuple[str, str, str]) -> bool:
    return all(want in ("*", got) for want, got in zip(branch, taken, strict=True))


@by_name
def test_journeys_reach_every_branch(policy: fc.Policy) -> None:
    wanted = BRANCHES | ({CONFIRMATORY} if policy.blocks_required > 1 else set())
    missing = set(wanted)

    def everything_seen(journey: tuple[ev.Event, ...]) -> bool:
        for taken in _taken(policy, journey):
            missing.difference_update({b for b in missing if _matches(b, taken)})
        return not missing

    try:
        find(journeys(policy), everything_seen, settings=settings(
            max_examples=600, phases=[Phase.generate], derandomize=True, database=None))
    except NoSuchExample:
        pytest.fail(f"600 journeys never took {sorted(missing)}")


# -- the state machine ---------------------------------------------------------------------

MACHINE_SETTINGS = settings(max_examples=10, stateful_step_count=35, deadline=None,
                            suppress_health_check=[HealthCheck.too_slow])


def _machine(policy: fc.Policy) -> type[PathwayMachine]:
    return type(f"Machine_{policy.name}", (PathwayMachine,), {"policy": policy})


SeedMachine = _machine(PROFILES[0])
MedicareMachine = _machine(PROFILES[1])
ConsensusMachine = _machine(PROFILES[2])
for _machine_class in (SeedMachine, MedicareMachine, ConsensusMachine):
    _machine_class.TestCase.settings = MACHINE_SETTINGS
TestSeedMachine = SeedMachine.TestCase
TestMedicareMachine = MedicareMachine.TestCase
TestConsensusMachine = ConsensusMachine.TestCase


def test_the_machine_calls_its_hooks() -> None:
    calls: dict[str, int] = {"accepted": 0, "refused": 0}

    class Counting(PathwayMachine):
        def on_accepted(self, event: ev.Event, stage: fc.Stage) -> None:
            assert self.pathway.stage == stage
            assert self.pathway.events[-1] is event
            calls["accepted"] += 1

        def on_refused(self, event: ev.Event, reasons: tuple[fc.Reason, ...]) -> None:
            assert reasons
            calls["refused"] += 1

    run_state_machine_as_test(Counting, settings=settings(
        MACHINE_SETTINGS, max_examples=3, derandomize=True, database=None))
    assert calls["accepted"] > 0
    assert calls["refused"] > 0


def test_the_machine_reports_a_broken_adapter() -> None:
    class Broken(PathwayMachine):
        def on_refused(self, event: ev.Event, reasons: tuple[fc.Reason, ...]) -> None:
            raise AssertionError("this adapter cannot handle a refusal")

    with pytest.raises(AssertionError, match="cannot handle a refusal"):
        run_state_machine_as_test(Broken, settings=settings(
            MACHINE_SETTINGS, derandomize=True, database=None, phases=[Phase.generate]))


# -- paths() --------------------------------------------------------------------------------


def _outcome(policy: fc.Policy, events: tuple[ev.Event, ...]) -> tuple[Any, tuple[str, ...]]:
    """Replay all but the last event, then check and apply the last, independently of Path."""
    *before, last = events
    pathway = fc.Pathway.replay(before, policy=policy) if before else fc.Pathway(policy=policy)
    verdict = pathway.check(last)
    if not verdict.allowed:
        return (pathway.stage if before else None), verdict.codes
    return pathway.apply(last), ()


#: Every profile with every region it covers (a profile of one region covers no other).
COVERED = [pytest.param(policy, region, id=f"{policy.name}-{region}")
           for policy in fc.Policy.profiles().values() for region in fc.Region
           if policy.regions is None or region in policy.regions]


@pytest.mark.parametrize(("policy", "region"), COVERED)
def test_paths_cover_every_transition_and_every_coverable_guard(
    policy: fc.Policy, region: fc.Region
) -> None:
    suite = paths(policy, region)
    report = suite.report
    assert report.failures == ()
    assert report.complete
    rows = dict((name, (covered, total)) for name, covered, total in report.rows())
    assert rows["stages"] == (16, 16)
    assert rows["transitions"] == (len(ROWS), len(ROWS))
    assert rows["guard outcomes"][0] == rows["guard outcomes"][1] > 40
    assert rows["branch edges"] == (6, 6)


@by_name
def test_each_path_does_what_it_claims(policy: fc.Policy) -> None:
    for path in paths(policy):
        stage, codes = _outcome(policy, path.events)
        assert stage == path.stage, path.name
        if path.refused is None:
            assert codes == (), path.name
        else:
            assert path.refused in codes, path.name
        assert isinstance(path.events[0], ev.Referred)
        assert path.holds()


def test_paths_show_every_reason_code_under_a_policy_with_every_rule() -> None:
    suite = paths(EVERY_RULE)
    assert suite.report.complete, str(suite.report)
    refused = {path.refused for path in suite} - {None}
    corrections = {"correction_conflict", "unknown_event", "amend_type_mismatch",
                   "duplicate_event_id"}
    assert refused == set(CODES) - corrections
    assert suite.report.not_coverable == ()


def _path(suite: Any, prefix: str) -> Any:
    return next(p for p in suite if p.name.startswith(prefix))


def _after(path: Any, kind: type[ev.Event], moment: dt.datetime) -> dt.timedelta:
    """How long after the last ``kind`` event of the path ``moment`` is."""
    anchor = [e for e in path.events if isinstance(e, kind)][-1]
    return moment - anchor.at


@by_name
def test_paths_stand_on_the_time_boundaries(policy: fc.Policy) -> None:
    suite = paths(policy)
    h, m = dt.timedelta(hours=1), dt.timedelta(minutes=1)
    expected = {
        "relief_window_open@ReliefAssessed: refused": (ev.BlockPerformed, 3 * h + 59 * m),
        "relief_window_open@ReliefAssessed: passed": (ev.BlockPerformed, 4 * h),
        "observation_incomplete@Discharged (after the block): refused":
            (ev.BlockPerformed, 59 * m),
        "observation_incomplete@Discharged (after the block): passed": (ev.BlockPerformed, 60 * m),
        "observation_incomplete@Discharged (after the neurotomy): refused":
            (ev.NeurotomyPerformed, 29 * m),
        "observation_incomplete@Discharged (after the neurotomy): passed":
            (ev.NeurotomyPerformed, 30 * m),
        "follow_up_settling@FollowUpRecorded: follow_up": (ev.NeurotomyPerformed, 21 * DAY),
        "follow_up_settling@FollowUpRecorded: no_relief":
            (ev.NeurotomyPerformed, 21 * DAY + dt.timedelta(seconds=1)),
    }
    for prefix, (kind, offset) in expected.items():
        path = _path(suite, prefix)
        assert _after(path, kind, path.events[-1].at) == offset, prefix
    for prefix, offset in (("outside_relief_window@ReliefDiaryRecorded (after the window): "
                            "refused", 6 * h + m),
                           ("outside_relief_window@ReliefDiaryRecorded (after the window): "
                            "passed", 6 * h)):
        path = _path(suite, prefix)
        diary = path.events[-1]
        assert isinstance(diary, ev.ReliefDiaryRecorded)
        assert _after(path, ev.BlockPerformed, diary.entries[0].at) == offset, prefix


def test_the_relief_threshold_edge_follows_a_strict_threshold() -> None:
    # "More than 50 %" [2.2]: 50 % relief is negative, 60 % (score 4 of 10) the edge.
    policy = fc.Policy.profiles()["consensus-cervical-2022"]
    assert policy.relief_threshold_strict
    suite = paths(policy, fc.Region.CERVICAL)
    assert suite.report.failures == ()
    assert "relief_threshold@ReliefAssessed: block_positive" in suite.report.branches.covered
    for outcome, lowest in (("block_positive", 4), ("block_negative", 5)):
        path = _path(suite, f"relief_threshold@ReliefAssessed: {outcome}")
        diaries = [e for e in path.events if isinstance(e, ev.ReliefDiaryRecorded)]
        assert min(entry.score for entry in diaries[-1].entries) == lowest
        assert path.holds()


def test_medicare_paths_stand_on_the_repeat_edges() -> None:
    suite = paths(fc.Policy.medicare_l38803())
    # "Two years or more" [1.3 Palmetto]: 730 d itself needs new blocks.
    for outcome, offset in (("refused", dt.timedelta(days=730)),
                            ("passed", dt.timedelta(days=730) - dt.timedelta(seconds=1))):
        path = _path(suite, f"reblock_required@NeurotomyScheduled: {outcome}")
        booking = path.events[-1]
        assert isinstance(booking, ev.NeurotomyScheduled)
        assert _after(path, ev.NeurotomyPerformed, booking.visit_at) == offset
    for outcome, offset in (("refused", dt.timedelta(days=183) - dt.timedelta(seconds=1)),
                            ("passed", dt.timedelta(days=183))):
        path = _path(suite, f"insufficient_prior_relief@NeurotomyScheduled (relief too short)"
                            f": {outcome}")
        assert _after(path, ev.NeurotomyPerformed, path.events[-2].at) == offset


@pytest.mark.parametrize("zone", ["America/Chicago", "Australia/Lord_Howe", "Pacific/Apia"])
def test_paths_judge_the_calendar_day_in_the_clinics_time_zone(zone: str) -> None:
    policy = attrs.evolve(fc.Policy.medicare_l38803(), name=f"medicare-{zone}", time_zone=zone)
    suite = paths(policy)
    assert suite.report.complete, str(suite.report)
    for outcome, local in (("refused", dt.time(23, 59, 59)), ("passed", dt.time(0))):
        path = _path(suite, f"same_visit@NeurotomyScheduled (same calendar day): {outcome}")
        booking = path.events[-1]
        assert isinstance(booking, ev.NeurotomyScheduled)
        assert booking.visit_at.astimezone(ZoneInfo(zone)).time() == local


def test_journeys_change_payer_and_then_follow_the_new_policy() -> None:
    seed = fc.Policy.seed()

    def changed_then_went_on(journey: tuple[ev.Event, ...]) -> bool:
        kinds = [type(e) for e in journey]
        return any(isinstance(e, ev.PolicyChanged) and e.policy != seed
                   and ev.BlockScheduled in kinds[i:] for i, e in enumerate(journey))

    journey = find(journeys(seed), changed_then_went_on, settings=settings(
        max_examples=300, phases=[Phase.generate], derandomize=True, database=None))
    pathway = fc.Pathway.replay(journey, policy=seed)
    last_change = [e for e in journey if isinstance(e, ev.PolicyChanged)][-1]
    assert pathway.policy == seed
    assert pathway.policy_in_force == last_change.policy


def test_the_report_says_what_cannot_be_covered_and_why() -> None:
    report = paths(fc.Policy.seed()).report
    reasons = dict(report.not_coverable)
    assert "min_block_gap" in reasons["block_interval@BlockScheduled"]
    assert ("transitions", len(ROWS), len(ROWS)) in report.rows()
    text = str(report)
    assert "transitions" in text
    assert "block_interval@BlockScheduled: no minimum gap" in text


def test_a_path_that_does_not_hold_is_reported() -> None:
    path = _path(paths(fc.Policy.seed()), "relief_window_open@ReliefAssessed: refused")
    wrong = attrs.evolve(path, refused="no_escort")
    assert path.holds()
    assert not wrong.holds()


# -- the example a scheduling developer copies -------------------------------------------------


@functools.cache
def _example() -> Any:
    where = FilePath(__file__).parent.parent / "examples" / "test_my_scheduler.py"
    spec = importlib.util.spec_from_file_location("example_test_my_scheduler", where)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TestExampleScheduler = _example().TestClinicScheduler


def test_the_example_catches_a_scheduler_that_forgets_cancellations() -> None:
    example = _example()

    class Forgetful(example.ClinicScheduler):  # type: ignore[misc]
        def handle(self, event: ev.Event) -> None:
            if not isinstance(event, ev.VisitCancelled | ev.VisitMissed):
                super().handle(event)

    class Machine(example.ClinicSchedulerMachine):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.scheduler = Forgetful()

    with pytest.raises(AssertionError, match="the book holds"):
        run_state_machine_as_test(Machine, settings=settings(
            MACHINE_SETTINGS, max_examples=60, derandomize=True, database=None,
            phases=[Phase.generate]))


def test_paths_default_to_a_region_the_policy_covers_and_refuse_one_it_does_not() -> None:
    cervical = fc.Policy.profiles()["consensus-cervical-2022"]
    assert cervical.regions == (fc.Region.CERVICAL,)
    suite = paths(cervical)
    assert suite.region == fc.Region.CERVICAL and suite.report.complete
    assert paths(fc.Policy.seed()).region == fc.Region.LUMBAR
    with pytest.raises(ValueError, match="covers cervical only, not the lumbar region"):
        paths(cervical, "lumbar")


def test_a_cap_that_a_longer_interval_outlasts_passes_where_every_rule_allows() -> None:
    """eviCore: 2 neurotomies a year but 183 d apart, so a third is first allowed past 365 d."""
    evicore = fc.Policy.profiles()["evicore-cmm208"]
    suite = paths(evicore)
    assert suite.report.failures == () and suite.report.complete
    refused, passed = (p for p in suite.paths
                       if p.name.startswith("annual_limit@NeurotomyScheduled"))
    booking = passed.events[-1]
    assert isinstance(booking, ev.NeurotomyScheduled)
    before = fc.Pathway.replay(passed.events[:-1], policy=evicore)
    assert booking.visit_at == fc.timing.earliest_neurotomy_visit(before.facts, evicore)
    assert before.check(attrs.evolve(booking, visit_at=booking.visit_at - dt.timedelta(
        seconds=1))).codes == ("repeat_too_soon",)
    assert "annual_limit" in fc.Pathway.replay(
        refused.events[:-1], policy=evicore).check(refused.events[-1]).codes
