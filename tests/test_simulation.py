"""The cohort simulator: real rules, reproducible output, summaries that add up."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import attrs
import pytest

import facetcare as fc
from facetcare import events as ev
from facetcare.simulation import (
    Cohort,
    CohortParams,
    Journey,
    Summary,
    fitting,
    read_jsonl,
    simulate,
    summarize,
    write_cohort,
)
from facetcare.simulation.export import CSV_COLUMNS

S = fc.Stage
POLICIES = {p.name: p for p in fc.Policy.profiles().values()}
REGIONS = {"lumbar": CohortParams.lumbar(), "cervical": CohortParams.cervical()}
#: (policy, region) pairs the policy covers: a lumbar guideline judges no cervical cohort.
COVERED = [(policy, region) for policy in sorted(POLICIES) for region in sorted(REGIONS)
           if POLICIES[policy].regions is None or region in POLICIES[policy].regions]
N = 200


def home_region(policy: str) -> str:
    """Lumbar, unless the policy covers other regions only (the cervical consensus)."""
    regions = POLICIES[policy].regions
    return "lumbar" if regions is None or fc.Region.LUMBAR in regions else str(regions[0])


@cache
def cohort(policy: str = "seed", region: str | None = None, n: int = N,
           seed: int = 11) -> Cohort:
    params = REGIONS[region or home_region(policy)]
    return simulate(n, seed, params=params, policy=POLICIES[policy], chunk_size=64)


def jsonl(c: Cohort) -> str:
    buffer = io.StringIO()
    c.to_jsonl(buffer)
    return buffer.getvalue()


def csv_text(c: Cohort) -> str:
    buffer = io.StringIO()
    c.to_csv(buffer)
    return buffer.getvalue()


# -- parameters -------------------------------------------------------------------


def test_every_parameter_names_its_source_or_says_assumption() -> None:
    for name, source in CohortParams.sources().items():
        assert source, name


def test_defaults_are_the_fitted_and_cited_numbers() -> None:
    from facetcare.simulation import fitted

    lumbar, cervical = CohortParams.lumbar(), CohortParams.cervical()
    for params, values in ((lumbar, fitted.LUMBAR), (cervical, fitted.CERVICAL)):
        for name, value in values.items():
            assert getattr(params, name) == value, name
            assert "fitted" in CohortParams.sources()[name]
    assert (lumbar.repeat_success_if_facet, cervical.repeat_success_if_facet) == (0.59, 0.81)
    # Lord 1996's sham arm [4.3]: every sham patient on the arm's curve, median 8 days,
    # a shape leaving 1 of 12 relieved at 27 weeks (189 days).
    assert lumbar.neurotomy_success_if_not == lumbar.repeat_success_if_not == 1.0
    assert lumbar.sham_relief_median_days == 8
    still = math.exp(-math.log(2) * (188 / 8) ** lumbar.sham_relief_shape)
    assert abs(still - 1 / 12) < 1e-4
    assert (lumbar.escort_missing, lumbar.no_show, lumbar.diary_missing) == (0.03, 0.05, 0.05)
    assert lumbar.referral_to_block_days == lumbar.booking_days == (14, 42)
    assert (lumbar.lesions_mean, lumbar.lesions_sd) == (5, 3)
    assert lumbar.anaesthetic_minutes == (240, 360)  # [3.4] 4–6 h in most sources


@pytest.mark.parametrize(
    "change",
    [
        {"no_show": 1.5},
        {"no_show": True},
        {"joints": ("C4-C5",)},
        {"joints": ("L9-L10",)},
        {"baseline_pain": (5, 11)},
        {"referral_to_block_days": (42, 14)},
        {"follow_up_days": (42, 14)},
        {"max_negative_blocks": 0},
        {"relief_shape": 0},
        {"placebo_mean": 1.2},
        {"anaesthetic_minutes": (30, 360)},
    ],
)
def test_bad_parameters_are_refused(change: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        attrs.evolve(CohortParams.lumbar(), **change)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        simulate(1, 1, start=dt.datetime(2026, 1, 5))
    with pytest.raises(ValueError, match="chunk_size"):
        simulate(1, 1, chunk_size=0)
    with pytest.raises(ValueError, match="n must"):
        simulate(-1, 1)
    with pytest.raises(TypeError, match="seed"):
        simulate(1, "1")  # type: ignore[arg-type]


# -- the real rules ---------------------------------------------------------------


@pytest.mark.parametrize(("policy", "region"), COVERED)
def test_every_journey_replays_to_the_same_stages(policy: str, region: str) -> None:
    c = cohort(policy, region)
    for journey in c.journeys:
        pw = fc.Pathway(policy=c.policy)
        stages = tuple(pw.apply(event) for event in journey.events)
        assert stages == journey.stages
        assert fc.Pathway.replay(journey.events, policy=c.policy).stage == journey.stage
        assert journey.events[0].patient_id == journey.patient_id  # type: ignore[attr-defined]
    assert c.summary().reached_neurotomy > 0


def test_a_cohort_of_a_region_the_policy_does_not_cover_is_refused() -> None:
    with pytest.raises(ValueError, match="for a cervical cohort use consensus-cervical-2022"):
        simulate(10, 1, params=REGIONS["cervical"], policy=POLICIES["consensus-2020"])
    with pytest.raises(ValueError, match="consensus-cervical-2022 covers the cervical region"):
        simulate(10, 1, params=REGIONS["lumbar"], policy=POLICIES["consensus-cervical-2022"])


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_referrals_meet_the_entry_criteria_and_the_others_are_counted(policy: str) -> None:
    c = cohort(policy)
    screened = c.summary().screened_out
    chosen = POLICIES[policy]
    screens = (chosen.entry_min_pain_months is not None
               or chosen.entry_requires_failed_conservative_care)
    assert (screened == 0) == (not screens)
    for journey in c.journeys:
        referral = journey.events[0]
        assert isinstance(referral, ev.Referred)
        if chosen.entry_min_pain_months is not None:
            assert referral.pain_months is not None
            assert referral.pain_months >= chosen.entry_min_pain_months
        if chosen.entry_requires_failed_conservative_care:
            assert referral.conservative_care_failed is True
        # The other entry rules' findings are recorded as met (facetcare.records).
        assert referral.axial_pain is True and referral.untreated_radicular_pain is False
        assert referral.non_facet_cause_excluded is True
        assert referral.baseline_function_scale is not None
        covered = chosen.covered_diagnoses
        assert covered is None or referral.diagnosis in covered


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_procedures_record_what_the_policy_asks(policy: str) -> None:
    chosen = POLICIES[policy]
    c = cohort(policy)
    performed = [e for j in c.journeys for e in j.events
                 if isinstance(e, ev.BlockPerformed | ev.NeurotomyPerformed)]
    assert any(isinstance(e, ev.NeurotomyPerformed) for e in performed)
    for event in performed:
        assert event.guidance is not None and event.sedation is not None
        if isinstance(event, ev.BlockPerformed):
            assert chosen.block_guidance is None or event.guidance in chosen.block_guidance
            assert event.agent is not None
        else:
            assert (chosen.neurotomy_guidance is None
                    or event.guidance in chosen.neurotomy_guidance)
            modalities = chosen.lesion_modalities
            assert all(modalities is None or lesion.modality in modalities
                       for lesion in event.lesions)


def test_a_missing_driver_is_a_refused_check_in_then_a_cancellation_and_a_new_visit() -> None:
    c = cohort("medicare-l38803", n=400)
    seen = 0
    for journey in c.journeys:
        events = journey.events
        for i, event in enumerate(events):
            if not (isinstance(event, ev.VisitCancelled) and event.reason == "no_escort"):
                continue
            seen += 1
            before = fc.Pathway.replay(events[:i], policy=c.policy)
            refused = before.check(ev.CheckedIn(at=event.at, visit_id=event.visit_id,
                                                escort_present=False))
            assert refused.codes == ("no_escort",)
            later = [e for e in events[i + 1:] if isinstance(e, ev.BlockScheduled
                                                              | ev.NeurotomyScheduled)]
            if later:
                assert later[0].visit_id != event.visit_id
    assert seen > 0


def test_visit_ids_are_never_reused_and_patient_ids_are_sequential() -> None:
    c = cohort()
    assert [j.patient_id for j in c.journeys[:3]] == ["pt-000001", "pt-000002", "pt-000003"]
    for journey in c.journeys:
        booked = [e.visit_id for e in journey.events
                  if isinstance(e, ev.BlockScheduled | ev.NeurotomyScheduled)]
        assert len(booked) == len(set(booked))


def test_nothing_happens_after_the_horizon() -> None:
    horizon = dt.timedelta(days=75)
    c = simulate(N, 5, horizon=horizon)
    assert all(e.at <= c.end for j in c.journeys for e in j.events)
    assert c.summary().by_stage[S.CLOSED] < N  # many are cut off mid-pathway


def test_any_time_zone_works_and_clinic_slots_are_weekday_mornings_to_afternoons() -> None:
    zone = dt.timezone(dt.timedelta(hours=-7))
    c = simulate(50, 2, start=dt.datetime(2026, 3, 2, 8, 0, tzinfo=zone),
                 policy=POLICIES["consensus-2020"])
    for journey in c.journeys:
        fc.Pathway.replay(journey.events, policy=c.policy)
        for e in journey.events:
            if isinstance(e, ev.BlockScheduled | ev.NeurotomyScheduled):
                assert e.visit_at.utcoffset() == dt.timedelta(hours=-7)
                assert e.visit_at.weekday() < 5
                assert dt.time(8) <= e.visit_at.time() <= dt.time(15, 30)


def test_clinic_hours_follow_the_local_clock_across_daylight_saving() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        zone = zoneinfo.ZoneInfo("America/New_York")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database")
    start = dt.datetime(2026, 2, 2, 8, 0, tzinfo=zone)
    c = simulate(80, 4, start=start, policy=POLICIES["medicare-l38803"])
    offsets = set()
    for journey in c.journeys:
        fc.Pathway.replay(journey.events, policy=c.policy)
        for e in journey.events:
            if isinstance(e, ev.BlockScheduled | ev.NeurotomyScheduled):
                local = e.visit_at.astimezone(zone)
                offsets.add(e.visit_at.utcoffset())
                assert dt.time(8) <= local.time() <= dt.time(15, 30)
    assert len(offsets) == 2  # visits on both sides of the change
    assert summarize(80, 4, start=start, policy=POLICIES["medicare-l38803"]) == c.summary()


# -- reproducibility ----------------------------------------------------------------


def test_same_inputs_give_byte_identical_files_whatever_the_chunk_size() -> None:
    reference = cohort()
    for size in (1, 7, 200, 5000):
        again = simulate(N, 11, chunk_size=size)
        assert jsonl(again) == jsonl(reference)
        assert csv_text(again) == csv_text(reference)
        assert again.summary() == reference.summary()


def test_a_patient_does_not_depend_on_the_cohort_size_or_other_seeds() -> None:
    assert simulate(20, 11).journeys == cohort().journeys[:20]
    assert simulate(20, 12).journeys != cohort().journeys[:20]


def test_threads_give_the_serial_result() -> None:
    with ThreadPoolExecutor(2) as pool:
        threaded = simulate(N, 11, executor=pool, chunk_size=30)
        streamed = summarize(N, 11, executor=pool, chunk_size=30)
    assert jsonl(threaded) == jsonl(cohort())
    assert streamed == cohort().summary()


def test_progress_is_reported_per_chunk_in_the_caller() -> None:
    seen: list[int] = []
    simulate(100, 1, chunk_size=30, progress=seen.append)
    assert seen == [30, 30, 30, 10]
    seen.clear()
    with ThreadPoolExecutor(2) as pool:
        summarize(100, 1, chunk_size=40, progress=seen.append, executor=pool)
    assert seen == [40, 40, 20]


# -- summaries ------------------------------------------------------------------------


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_summary_counts_add_up(policy: str) -> None:
    c = cohort(policy, n=300)
    s = c.summary()
    assert s.n == c.n == sum(s.by_stage.values()) == 300
    assert list(s.by_stage) == list(S)
    visits = s.visits
    assert visits.booked == visits.attended + visits.cancelled + visits.missed + visits.open
    assert visits.open == s.by_stage[S.BLOCK_SCHEDULED] + s.by_stage[S.NEUROTOMY_SCHEDULED]
    assert 0 < s.refused_checkins <= visits.cancelled
    assert sum(s.closed.values()) == s.by_stage[S.CLOSED]
    assert s.neurotomies == s.reached_neurotomy + s.repeat_neurotomies
    assert s.proportion_treated == s.reached_neurotomy / s.n
    assert s.room["block"].procedures == s.blocks
    assert s.room["neurotomy"].procedures == s.neurotomies
    unassessed = s.by_stage[S.BLOCK_OBSERVATION] + s.by_stage[S.RELIEF_ASSESSMENT]
    assert s.blocks == s.positive_blocks + s.negative_blocks + unassessed
    assert s.recurrences == s.relief.ended.total + s.repeat_relief.ended.total
    assert s.relief.censored.total + s.repeat_relief.censored.total == (
        s.by_stage[S.SUSTAINED_RELIEF])
    assert s.referral_to_block.total == sum(1 for j in c.journeys if any(
        isinstance(e, ev.BlockPerformed) for e in j.events))
    assert s.events == sum(len(j.events) for j in c.journeys)
    low, high = s.room_minutes["block"]
    assert (low, high) == (20 * s.blocks, 30 * s.blocks)
    median, p90 = s.referral_to_block_days
    assert median is not None and p90 is not None
    assert 14 <= median <= p90 <= 60


def test_streaming_summary_equals_the_cohort_summary() -> None:
    for size in (1, 33, 1000):
        assert summarize(N, 11, chunk_size=size) == cohort().summary()
    medicare = POLICIES["medicare-l38803"]
    assert summarize(N, 11, policy=medicare, params=REGIONS["lumbar"], chunk_size=64) == (
        cohort("medicare-l38803").summary())


def test_an_empty_cohort_has_an_empty_summary() -> None:
    empty = simulate(0, 1)
    assert empty.journeys == ()
    assert empty.summary() == Summary() == summarize(0, 1)
    assert dict(Summary().rows())["patients"] == "0"
    assert Summary().survival() == [(0.0, 1.0)]


def test_merging_is_associative_with_an_identity() -> None:
    a, b, c = (summarize(60, seed) for seed in (1, 2, 3))
    assert (a + b) + c == a + (b + c) == Summary.combine([a, b, c])
    assert a + Summary() == a == Summary() + a
    assert (a + b).n == 120


def test_summary_outputs_are_json_ready_and_deterministic() -> None:
    s = cohort("consensus-2020").summary()
    text = json.dumps(s.to_dict(), sort_keys=False)
    assert text == json.dumps(summarize(N, 11, policy=POLICIES["consensus-2020"],
                                        chunk_size=17).to_dict())
    labels = [label for label, _ in s.rows()]
    assert len(labels) == len(set(labels))
    assert labels == [label for label, _ in cohort("medicare-l38803").summary().rows()]
    assert labels == [label for label, _ in Summary().rows()]
    assert all(isinstance(value, str) for _, value in s.rows())


def test_survival_is_a_kaplan_meier_step_curve() -> None:
    s = cohort(n=400).summary()
    curve = s.survival()
    assert curve[0] == (0.0, 1.0)
    days = [d for d, _ in curve]
    still = [f for _, f in curve]
    assert days == sorted(days) and still == sorted(still, reverse=True)
    assert 0 <= still[-1] < 1
    assert s.survival(repeat=True)[0] == (0.0, 1.0)


def test_the_cohort_follows_its_parameters() -> None:
    """Large-sample checks with wide margins (the draws are fixed, so this is not flaky)."""
    params = REGIONS["lumbar"]
    c = simulate(1500, 3, params=params, chunk_size=500)
    assert abs(sum(j.facet for j in c.journeys) / c.n - params.facet_prevalence) < 0.04
    s = c.summary()
    assert s.relief.median is not None
    # The reliefs the clinic saw: true-facet ones and the sham responses of the others,
    # in the shares treated, each outlasting the first follow-up report.
    facet = s.facet_treated / s.reached_neurotomy
    expected = fitting._seen_median([
        (facet * params.neurotomy_success_if_facet, params.relief_median_days,
         params.relief_shape),
        ((1 - facet) * params.neurotomy_success_if_not, params.sham_relief_median_days,
         params.sham_relief_shape)])
    assert abs(s.relief.median - expected) < 0.15 * expected, (s.relief.median, expected)
    assert abs(s.lesions / s.neurotomies - 5.3) < 0.5  # mean 5, at least one per target
    assert abs(s.visits.missed / s.visits.booked - params.no_show) < 0.02


# -- files --------------------------------------------------------------------------------


def test_jsonl_round_trips_into_replayable_pathways(tmp_path: object) -> None:
    c = cohort("medicare-l38803", "cervical")
    path = f"{tmp_path}/cohort.jsonl"
    c.to_jsonl(path)
    read = list(read_jsonl(path))
    assert [patient for patient, _ in read] == [j.patient_id for j in c.journeys]
    for (_, events), journey in zip(read, c.journeys, strict=True):
        assert events == journey.events
        assert fc.Pathway.replay(events, policy=c.policy).stage == journey.stage
    first = json.loads(jsonl(c).splitlines()[0])
    assert list(first) == ["patient_id", "event"]
    assert first["event"]["type"] == "Referred"


def test_jsonl_refuses_interleaved_or_malformed_lines() -> None:
    lines = jsonl(cohort()).splitlines(keepends=True)
    a = [line for line in lines if "pt-000001" in line]
    b = [line for line in lines if "pt-000002" in line]
    with pytest.raises(fc.SerializationError, match="consecutive"):
        list(read_jsonl(io.StringIO("".join(a[:2] + b + a[2:]))))
    with pytest.raises(fc.SerializationError, match="line 1"):
        list(read_jsonl(io.StringIO('{"patient_id": "x"}\n')))


def test_csv_has_one_row_per_journey_consistent_with_the_summary(tmp_path: object) -> None:
    c = cohort("medicare-l38803")
    path = f"{tmp_path}/cohort.csv"
    c.to_csv(path)
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    assert "\r" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["patient_id"] for r in rows] == [j.patient_id for j in c.journeys]
    s = c.summary()
    assert sum(int(r["blocks"]) for r in rows) == s.blocks
    assert sum(int(r["visits_booked"]) for r in rows) == s.visits.booked
    assert sum(r["stage"] == "closed" for r in rows) == s.by_stage[S.CLOSED]
    assert all(r["referred_at"] == "2026-01-05T08:00:00+00:00" for r in rows)


def test_write_cohort_streams_the_same_files_and_summary(tmp_path: object) -> None:
    c = cohort("consensus-cervical-2022", "cervical")
    args = {"params": c.params, "policy": c.policy}
    paths = {name: f"{tmp_path}/out.{name}" for name in ("jsonl", "csv")}
    summary = write_cohort(N, 11, jsonl=paths["jsonl"], csv=paths["csv"], chunk_size=37, **args)
    assert summary == c.summary()
    with open(paths["jsonl"], encoding="utf-8", newline="") as handle:
        assert handle.read() == jsonl(c)
    with open(paths["csv"], encoding="utf-8", newline="") as handle:
        assert handle.read() == csv_text(c)
    only_csv = io.StringIO()
    with ThreadPoolExecutor(2) as pool:
        again = write_cohort(N, 11, csv=only_csv, executor=pool, chunk_size=50, **args)
    assert again == summary and only_csv.getvalue() == csv_text(c)
    assert write_cohort(N, 11, **args) == summary


def test_a_journey_is_a_frozen_value() -> None:
    journey = cohort().journeys[0]
    assert isinstance(journey, Journey)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        journey.stage = S.CLOSED  # type: ignore[misc]
    assert journey.replay(cohort().policy).stage == journey.stage
