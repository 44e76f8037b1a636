"""Replications, probabilistic sensitivity analysis, and costs from the fee schedule."""

from __future__ import annotations

import statistics

import attrs
import pytest

import facetcare as fc
from facetcare.anatomy import Side
from facetcare.coding import block_lines, neurotomy_lines
from facetcare.simulation import CohortParams, simulate
from facetcare.simulation.fees import DEFAULT, FeeSchedule
from facetcare.simulation.psa import UNCERTAIN, sample
from facetcare.simulation.replicate import interval, replicate, replication_seed

LUMBAR = CohortParams.lumbar()


def test_replications_are_reproducible_independent_and_prefix_stable() -> None:
    three = replicate(60, 7, 3, workers=1)
    again = replicate(60, 7, 2, workers=1)
    assert three.summaries[:2] == again.summaries  # adding replications changes none
    assert three.summaries[0] != three.summaries[1]
    seeds = {replication_seed(7, r) for r in range(100)}
    assert len(seeds) == 100 and replication_seed(7, 0) != replication_seed(8, 0)


def test_replications_give_the_same_result_on_processes() -> None:
    assert replicate(40, 2, 2, workers=2).summaries == replicate(40, 2, 2, workers=1).summaries


def test_intervals_cover_the_replications() -> None:
    found = replicate(80, 3, 4, psa=True, workers=1).intervals()
    treated = found["treated"]
    assert treated is not None and treated.low <= treated.mean <= treated.high
    assert treated.replications == 4
    assert interval([None, None]) is None
    assert interval([1.0, 2.0, 3.0]) == interval([3.0, 1.0, 2.0])


def test_psa_draws_every_uncertain_parameter_reproducibly_and_validly() -> None:
    one, two = sample(LUMBAR, 1, 0), sample(LUMBAR, 1, 1)
    assert one == sample(LUMBAR, 1, 0)
    for u in UNCERTAIN:
        assert getattr(one, u.name) != getattr(two, u.name), u.name
    draws = [sample(LUMBAR, 5, r).neurotomy_success_if_facet for r in range(200)]
    mean = sum(draws) / len(draws)
    assert abs(mean - LUMBAR.neurotomy_success_if_facet) < 0.02  # Beta centred on the value
    assert all(0 < d < 1 for d in draws)


def test_psa_keeps_the_relief_shape_above_one_and_centred_on_its_value() -> None:
    # The model assumes a rising hazard (shape > 1); a draw below 1 would contradict it.
    shapes = [sample(LUMBAR, 5, r).relief_shape for r in range(400)]
    assert min(shapes) > 1
    assert abs(statistics.median(shapes) - LUMBAR.relief_shape) < 0.05


def test_psa_draws_the_study_populations_prevalences_too() -> None:
    from facetcare.simulation import fitted
    from facetcare.simulation.psa import STUDY_SIZES, sample_study_prevalences

    draws = [sample_study_prevalences(fitted.STUDY_PREVALENCE, 5, r) for r in range(300)]
    assert draws[0] == sample_study_prevalences(fitted.STUDY_PREVALENCE, 5, 0)
    for name, value in fitted.STUDY_PREVALENCE.items():
        found = [d[name] for d in draws]
        assert abs(statistics.fmean(found) - value) < 0.01, name
        # A Beta with the study's size: its spread is the binomial one.
        expected = (value * (1 - value) / (STUDY_SIZES[name] + 1)) ** 0.5
        assert abs(statistics.stdev(found) / expected - 1) < 0.2, name


# -- costs -------------------------------------------------------------------------


def test_bilateral_lines_are_paid_at_150_percent_and_add_ons_at_their_own_amount() -> None:
    both = [("L4-L5", Side.LEFT), ("L4-L5", Side.RIGHT)]
    assert DEFAULT.block_cents(both) == DEFAULT.fee("64493").cents * 150 // 100
    two_levels = [("L4-L5", Side.LEFT), ("L5-S1", Side.LEFT)]
    assert DEFAULT.neurotomy_cents(two_levels) == (DEFAULT.fee("64635").cents
                                                   + DEFAULT.fee("64636").cents)
    assert DEFAULT.fee("64636").add_on and not DEFAULT.fee("64635").add_on
    assert all(fee.year and fee.setting and "assumption" in fee.source for fee in DEFAULT.fees)
    with pytest.raises(KeyError, match="64999"):
        DEFAULT.fee("64999")


def test_a_journey_costs_the_sum_of_its_claim_lines() -> None:
    cohort = simulate(40, 4, policy=fc.Policy.medicare_l38803())
    for journey, facts in zip(cohort.journeys, cohort.facts(), strict=True):
        lines = []
        for event in journey.events:
            if isinstance(event, fc.events.BlockPerformed):
                lines += block_lines([(t.joint, t.side) for t in event.targets])
            elif isinstance(event, fc.events.NeurotomyPerformed):
                lines += neurotomy_lines({(x.target.joint, x.target.side) for x in event.lesions})
        assert facts.cost_cents == DEFAULT.cost_cents(lines)
    s = cohort.summary()
    assert s.cost_cents == sum(f.cost_cents for f in cohort.facts())
    figures = s.figures()
    assert figures["cost_per_patient"] == pytest.approx(s.cost_cents / 100 / s.n)


def test_a_schedule_of_ones_own() -> None:
    mine = FeeSchedule.of("mine", {"64493": 100.0, "64494": 50.0}, year=2025, setting="facility",
                          source="clinic contract")
    assert mine.block_cents([("L4-L5", Side.LEFT), ("L5-S1", Side.LEFT)]) == 15000
    assert attrs.evolve(mine, bilateral_percent=200).block_cents(
        [("L4-L5", Side.LEFT), ("L4-L5", Side.RIGHT)]) == 20000


def test_a_figure_missing_from_some_replications_says_how_many_it_has() -> None:
    from facetcare.simulation import summarize
    from facetcare.simulation.replicate import Replicated

    # One patient per replication: some replications treat nobody, so have no
    # cost per success; the interval is over the others, and says so.
    summaries = tuple(summarize(1, seed, workers=1) for seed in range(12))
    treated = sum(1 for s in summaries if s.successes)
    assert 0 < treated < len(summaries)
    rows = {(figure, per): text for figure, per, text in Replicated(summaries).rows()}
    cost = rows["billed (fee schedule)", "per success (relief ≥ 3 months)"]
    assert cost.endswith(f"[{treated} of 12 replications]")
    assert not rows["billed (fee schedule)", "per patient"].endswith("replications]")


def test_per_referral_figures_count_the_referrals_a_policy_screens_out() -> None:
    from facetcare import Policy
    from facetcare.simulation import summarize

    for policy in (Policy.seed(), Policy.medicare_l38803()):
        found = summarize(300, 5, policy=policy, workers=1)
        figures = found.figures()
        referrals = found.n + found.screened_out
        assert figures["screened_out"] == found.screened_out / referrals
        assert figures["treated_per_referral"] == found.reached_neurotomy / referrals
        if found.screened_out:
            assert figures["treated_per_referral"] < figures["treated"]
        else:
            assert figures["treated_per_referral"] == figures["treated"]
    # Medicare's entry criteria screen referrals out; the seed policy's fewer.
    medicare = summarize(300, 5, policy=Policy.medicare_l38803(), workers=1)
    assert medicare.screened_out > 0


def test_a_share_with_no_denominator_is_shown_as_a_dash() -> None:
    from facetcare.simulation import summarize

    untreated = next(s for s in (summarize(1, seed, workers=1) for seed in range(40))
                     if s.reached_neurotomy == 0)
    rows = dict(untreated.rows())
    assert rows["first neurotomy relieved ≥ 3 months (of patients treated)"] == "–"
    assert rows["reached a first neurotomy (of patients)"] == "0 (0.0%)"
