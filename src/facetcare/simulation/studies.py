"""Published study protocols run as simulated cohorts, and the measures read from them.

Each `facetcare.simulation.calibration.Study` becomes a policy (the study's
threshold and number of blocks, otherwise `Policy.seed`) and parameters
(the study population's prevalence; every diary returned; one series of
blocks, as the studies report the first). The cohort runs through the
real `Pathway` rules with `simulate`, and every measure is read from the
accepted events (plus the latent truth for "prevalence"). The no-block arm
of Cohen 2010 has no route through the pathway (a neurotomy needs a
positive block), so it draws each patient and a first neurotomy straight
from the same patient model (`facetcare.simulation.patient`).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping

import attrs

from facetcare import events as ev
from facetcare.anatomy import Side
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.simulation import fitted
from facetcare.simulation.calibration import MONTH, Study
from facetcare.simulation.counts import Histogram, ReliefCurve
from facetcare.simulation.draws import Draws
from facetcare.simulation.facts import SUCCESS_DAYS
from facetcare.simulation.fees import DEFAULT, FeeSchedule
from facetcare.simulation.journey import Journey
from facetcare.simulation.params import CohortParams
from facetcare.simulation.patient import Patient, neurotomy_outcome
from facetcare.simulation.runner import Submitter, simulate

__all__ = ["measure_study", "study_params", "study_policy"]

Measures = dict[str, float | None]


def study_policy(study: Study) -> Policy:
    """The study's selection as a policy: its threshold and number of blocks."""
    if study.threshold is None:
        raise ValueError(f"{study.key} gives no block: it has no policy to run")
    return attrs.evolve(Policy.seed(), name=f"study-{study.key}",
                        relief_threshold=study.threshold, blocks_required=study.blocks)


def study_params(study: Study, params: CohortParams,
                 prevalences: Mapping[str, float] = fitted.STUDY_PREVALENCE) -> CohortParams:
    """The region's parameters in the study's population, under study conditions.

    ``prevalences`` are the study populations' own (fitted; drawn per
    replication under PSA, `facetcare.simulation.psa.sample_study_prevalences`).
    """
    prevalence = (params.facet_prevalence if study.population == "default"
                  else prevalences[study.population])
    return attrs.evolve(params, facet_prevalence=prevalence, diary_missing=0.0,
                        max_negative_blocks=1)


@attrs.define
class _Tally:
    n: int = 0
    facet: int = 0
    first: int = 0
    both: int = 0
    assessed: int = 0
    denervated: int = 0
    success_3m: int = 0
    complete_6m: int = 0
    pain_free_27w: int = 0
    repeats: int = 0
    repeat_relieved: int = 0
    cost: int = 0
    reliefs: list[int] = attrs.field(factory=list)
    all_days: list[int] = attrs.field(factory=list)
    ended: dict[int, int] = attrs.field(factory=dict)
    censored: dict[int, int] = attrs.field(factory=dict)
    repeat_ended: dict[int, int] = attrs.field(factory=dict)
    repeat_censored: dict[int, int] = attrs.field(factory=dict)

    def first_episode(self, days: int, complete: bool, ended: bool) -> None:
        self.denervated += 1
        self.all_days.append(days)
        if days:
            self.reliefs.append(days)
            counts = self.ended if ended else self.censored
            counts[days] = counts.get(days, 0) + 1
        self.success_3m += days >= SUCCESS_DAYS
        self.complete_6m += complete and days >= 183
        self.pain_free_27w += complete and days >= 189


def _read(journey: Journey, tally: _Tally, end: dt.datetime, fees: FeeSchedule) -> None:
    """Add one journey's study facts (the first two blocks, the first neurotomy, repeats)."""
    tally.n += 1
    tally.facet += journey.facet
    outcomes: list[bool] = []
    episode: tuple[dt.datetime, bool] | None = None
    neurotomies = 0
    for event, stage in zip(journey.events, journey.stages, strict=True):
        if isinstance(event, ev.BlockPerformed) and neurotomies == 0:
            tally.cost += fees.block_cents([(t.joint, t.side) for t in event.targets])
        elif isinstance(event, ev.ReliefAssessed):
            outcomes.append(stage is Stage.BLOCK_POSITIVE)
        elif isinstance(event, ev.NeurotomyPerformed):
            if neurotomies == 0:
                tally.cost += fees.neurotomy_cents({(lesion.target.joint, lesion.target.side)
                                                    for lesion in event.lesions})
            neurotomies += 1
            episode = (event.at, False)
            if neurotomies > 1:
                tally.repeats += 1
        elif isinstance(event, ev.FollowUpRecorded) and episode is not None:
            if stage is Stage.SUSTAINED_RELIEF and event.pain_score == 0:
                episode = (episode[0], True)
        elif isinstance(event, ev.PainReturned) and episode is not None:
            _episode(tally, neurotomies, (event.at - episode[0]).days, episode[1], True)
            episode = None
    if episode is not None:
        relieved = journey.stage is Stage.SUSTAINED_RELIEF
        days = (end - episode[0]).days if relieved else 0
        if relieved or journey.stage in (Stage.NO_RELIEF, Stage.CLOSED):
            _episode(tally, neurotomies, days, episode[1], False)
        elif neurotomies > 1:  # a repeat still being followed up: not yet an outcome
            tally.repeats -= 1
    if outcomes:
        tally.assessed += 1
        tally.first += outcomes[0]
        tally.both += len(outcomes) > 1 and outcomes[0] and outcomes[1]


def _episode(tally: _Tally, neurotomies: int, days: int, complete: bool, ended: bool) -> None:
    if neurotomies == 1:
        tally.first_episode(days, complete, ended)
        return
    tally.repeat_relieved += days > 0
    if days:
        counts = tally.repeat_ended if ended else tally.repeat_censored
        counts[days] = counts.get(days, 0) + 1


def _no_block(n: int, seed: int, params: CohortParams, tally: _Tally,
              fees: FeeSchedule) -> None:
    """Cohen 2010's no-block arm: everyone denervated on drawn targets."""
    joints = params.joints
    for index in range(n):
        draw = Draws(seed, index, "no-block")
        patient = Patient.draw(draw, params)
        levels = 2 if len(joints) > 1 and draw.chance(params.two_levels) else 1
        first = draw.integer(0, len(joints) - levels)
        if draw.chance(params.bilateral):
            sides: tuple[Side, ...] = (Side.LEFT, Side.RIGHT)
        else:
            sides = (Side.LEFT,) if draw.chance(0.5) else (Side.RIGHT,)
        targets = [(joint, side) for joint in joints[first:first + levels] for side in sides]
        tally.cost += fees.neurotomy_cents(targets)
        outcome = neurotomy_outcome(draw, patient, params, repeat=False)
        tally.n += 1
        tally.facet += patient.facet
        # As in the walk: a relief over before the first follow-up report is not seen.
        seen = outcome.days > params.follow_up_days[0]
        tally.first_episode(outcome.days if seen else 0, seen and outcome.complete, True)


def measure_study(study: Study, n: int, seed: int, params: CohortParams, *,
                  fees: FeeSchedule = DEFAULT, executor: Submitter | None = None,
                  prevalences: Mapping[str, float] = fitted.STUDY_PREVALENCE) -> Measures:
    """Every measure of ``study`` on ``n`` simulated patients (None where undefined)."""
    params = study_params(study, params, prevalences)
    tally = _Tally()
    if study.threshold is None:
        _no_block(n, seed, params, tally, fees)
    else:
        horizon = dt.timedelta(days=study.horizon_days)
        cohort = simulate(n, seed, params=params, policy=study_policy(study), horizon=horizon,
                          executor=executor)
        for journey in cohort.journeys:
            _read(journey, tally, cohort.end, fees)
    return _measures(tally, study)


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _km_median(ended: dict[int, int], censored: dict[int, int]) -> float | None:
    median = ReliefCurve(Histogram(ended), Histogram(censored)).median
    return None if median is None else median / MONTH


def _measures(t: _Tally, study: Study) -> Measures:
    first = _ratio(t.first, t.assessed) if study.threshold is not None else None
    both = _ratio(t.both, t.assessed) if study.blocks >= 2 else None
    return {
        "prevalence": _ratio(t.facet, t.n),
        "first_block_positive": first,
        "both_blocks_positive": both,
        "confirmed_given_first": None if both is None or not first else both / first,
        "ppv": None if both is None or not first else both / first,
        "false_positive": (None if both is None or first is None or both == 1
                           else (first - both) / (1 - both)),
        "denervated": _ratio(t.denervated, t.n),
        "success_3m": _ratio(t.success_3m, t.denervated),
        "success_overall": _ratio(t.success_3m, t.n),
        "success_complete_6m": _ratio(t.complete_6m, t.denervated),
        "pain_free_27w": _ratio(t.pain_free_27w, t.denervated),
        "relief_median": _km_median(t.ended, t.censored),
        "repeat_relief_median": _km_median(t.repeat_ended, t.repeat_censored),
        "relief_mean": statistics.fmean(t.reliefs) / MONTH if t.reliefs else None,
        "return_median_all": statistics.median(t.all_days) / MONTH if t.all_days else None,
        "repeat_success": _ratio(t.repeat_relieved, t.repeats),
        "cost_per_success": _ratio(t.cost / 100, t.success_3m),
    }
