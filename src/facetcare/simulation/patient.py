"""The latent patient: who truly has facet pain, how blocks and neurotomies feel to them.

A simulated patient carries two things the clinic never sees, fixed for
the whole journey:

- ``facet``: whether the facet joints are the pain source [4.1];
- ``propensity``: the chance that any one block gives a placebo /
  non-specific response, drawn from a Beta with mean ``placebo_mean`` and
  concentration ``placebo_concentration``. Because it is fixed per patient,
  a patient who responded once to a placebo-like effect is likelier to do
  so again: repeated blocks are correlated, as the comparative-block
  studies found [4.2]. On every block after the first the chance is
  multiplied by ``placebo_repeat``: Schwarzer's figures (47% respond once,
  15% twice, fewer than 47% × 47%) need a placebo response that fades
  when repeated, since blocks independent given the patient could not
  confirm fewer than the square of the first-block rate.

A block's **peak relief** is the larger of a specific effect (facet pain
only: the anaesthetic reaches the painful nerves with probability
``block_reach``, then a Kumaraswamy(``block_relief_shape``, 1) share) and a
non-specific one (with probability ``propensity``, a Kumaraswamy(1,
``placebo_relief_shape``) share). The relief follows a **trajectory** over
the window: the peak from the first entry at 15 minutes until the
anaesthetic wears off (its duration drawn from ``anaesthetic_minutes``,
4–6 h [3.4]), then gone within an hour. Diary entries sample it every 15 minutes for the
first hour, then hourly (UW Health [3.4]), as NRS scores rounded half up.
Whether that diary is a positive block is then the pathway's decision,
under the policy's own threshold: nothing here knows the threshold.

A **neurotomy** in true facet pain gives ≥ 50% relief with
``neurotomy_success_if_facet`` (a repeat after a successful first with
``repeat_success_if_facet`` [4.4]), lasting a Weibull(``relief_median_days``
or ``repeat_relief_median_days``, ``relief_shape``) number of days. Without
facet pain it gives what the sham arm of Lord 1996 had [4.3]: with
``neurotomy_success_if_not`` (1: the arm's curve is every sham patient's), a
response lasting a Weibull(``sham_relief_median_days``, ``sham_relief_shape``)
number of days: median 8 days, 1 in 12 still relieved at 27 weeks, a
quarter gone within a day. Relief is complete with ``complete_relief``,
else partial (55–95%, assumption), whatever its cause (assumption: the
sham arm's one lasting response was complete, and no source separates the
two). A relief over before the first follow-up report is never seen by the
clinic (`facetcare.simulation.treatment`). `facetcare.simulation.fitting`
computes the same figures in closed form; a test checks the two agree.
"""

from __future__ import annotations

import math

from facetcare.simulation.draws import Draws
from facetcare.simulation.params import CohortParams

__all__ = ["DIARY_MINUTES", "LONGEST_RELIEF_DAYS", "ONSET_MINUTES", "Outcome", "Patient",
           "block_relief", "diary_scores", "neurotomy_outcome", "score"]

#: Diary entries: every 15 min for the first hour, then hourly [3.4 UW Health].
DIARY_MINUTES = (15, 30, 45, 60, 120, 180, 240, 300, 360)
#: Minutes until a block's relief reaches its peak (assumption; see `diary_scores`).
ONSET_MINUTES = 15
#: Partial relief after a neurotomy, as a share (assumption: 55–95%).
PARTIAL_RELIEF = (0.55, 0.95)
#: No meaningful relief after a neurotomy, as a share (assumption: 0–40%).
NO_RELIEF = 0.40
#: The longest relief drawn, in days: a century, past any horizon a run accepts, so that
#: a small Weibull shape cannot draw a date past the calendar.
LONGEST_RELIEF_DAYS = 36_525


class Patient:
    """The latent truth of one patient (see the module docstring)."""

    __slots__ = ("facet", "propensity")

    def __init__(self, facet: bool, propensity: float) -> None:
        self.facet = facet
        self.propensity = propensity

    @classmethod
    def draw(cls, draw: Draws, params: CohortParams) -> Patient:
        facet = draw.chance(params.facet_prevalence)
        mean, kappa = params.placebo_mean, params.placebo_concentration
        if mean <= 0 or mean >= 1:
            return cls(facet, mean)
        return cls(facet, draw.beta(mean * kappa, (1 - mean) * kappa))


def block_relief(draw: Draws, patient: Patient, params: CohortParams, first: bool) -> float:
    """The peak relief (a share, 0..1) of one block (the patient's ``first`` or a later one)."""
    specific = 0.0
    if patient.facet and draw.chance(params.block_reach):
        specific = draw.kumaraswamy(params.block_relief_shape, 1.0)
    placebo = 0.0
    if draw.chance(patient.propensity if first else patient.propensity * params.placebo_repeat):
        placebo = draw.kumaraswamy(1.0, params.placebo_relief_shape)
    return max(specific, placebo)


def score(baseline: int, relief: float) -> int:
    """The NRS score a patient with ``baseline`` pain writes at ``relief``, rounded half up."""
    return min(baseline, max(0, math.floor(baseline * (1 - relief) + 0.5)))


def diary_scores(baseline: int, peak: float, lasting: int,
                 minutes: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """(minutes after the block, score) on the diary cadence for a relief trajectory.

    Relief rises to the peak by 15 min (the first entry of the cadence), holds
    it until ``lasting`` minutes, then wears off linearly over the next 60
    minutes. Assumption: a local anaesthetic on a medial branch acts within
    minutes; no gathered source gives an onset time. A slower onset would
    put a first entry below the peak, which a payer judging every entry up
    to the expected duration (the sustained measure, docs/payer-rules.md#relief)
    counts against the block.
    """
    held = score(baseline, peak)  # every entry while the peak holds: worked out once
    entries = []
    for m in minutes:
        if m < ONSET_MINUTES:
            entries.append((m, score(baseline, peak * (m / ONSET_MINUTES))))
        elif m <= lasting:
            entries.append((m, held))
        else:
            entries.append((m, score(baseline, peak * max(0.0, 1 - (m - lasting) / 60))))
    return tuple(entries)


class Outcome:
    """A neurotomy's effect: relief share, whether complete, and days it lasts (0: none)."""

    __slots__ = ("complete", "days", "relief", "relieved")

    def __init__(self, relieved: bool, complete: bool, relief: float, days: int) -> None:
        self.relieved = relieved
        self.complete = complete
        self.relief = relief
        self.days = days


def neurotomy_outcome(draw: Draws, patient: Patient, params: CohortParams,
                      repeat: bool) -> Outcome:
    """What a (first or repeat) neurotomy does for this patient."""
    if not patient.facet:  # a sham response [4.3]
        p = params.repeat_success_if_not if repeat else params.neurotomy_success_if_not
        median, shape = params.sham_relief_median_days, params.sham_relief_shape
    elif repeat:
        p, median = params.repeat_success_if_facet, params.repeat_relief_median_days
        shape = params.relief_shape
    else:
        p, median = params.neurotomy_success_if_facet, params.relief_median_days
        shape = params.relief_shape
    if not draw.chance(p):
        return Outcome(False, False, NO_RELIEF * draw.unit(), 0)
    complete = draw.chance(params.complete_relief)
    low, high = PARTIAL_RELIEF
    relief = 1.0 if complete else low + (high - low) * draw.unit()
    try:
        drawn = draw.weibull(median, shape)
    except OverflowError:  # a shape near 0 and a draw far in the tail
        drawn = LONGEST_RELIEF_DAYS
    days = max(1, math.ceil(min(drawn, LONGEST_RELIEF_DAYS)))
    return Outcome(True, complete, relief, days)
