"""The fitting procedure: `CohortParams.lumbar()` / `.cervical()` from the calibration targets.

Run ``python -m facetcare.simulation.fitting`` to reproduce
`facetcare.simulation.fitted` (``--check`` only compares). The procedure:

1. Every calibration target of `facetcare.simulation.calibration` is a
   probability or a median the patient model (`facetcare.simulation.patient`)
   gives **in closed form**: a block is positive at threshold θ with
   baseline b exactly when the peak relief R exceeds ``1 − (⌊b(1 − θ)⌋ + ½)/b``
   (the diary's lowest score is R rounded half up), and given the patient,
   P(positive) is linear in the placebo propensity u (ρu on a later block),
   so two blocks need only E[u] and E[u²] of its Beta. Outcomes are
   mixtures over P(facet | selected).
   No Monte Carlo is involved: the fit is exact and deterministic.
2. The loss is Σ ((model − published) / se)², se from each target's 95%
   interval, plus weak priors (each free parameter on a logit or log scale,
   `PRIORS`, documented as assumptions) so that parameters the targets do not
   identify stay at plausible values rather than drifting.
3. Nelder–Mead (pure Python, fixed start at the prior centres, restarted
   until the loss stops improving) minimises it; values are rounded to four
   significant figures.
4. Lumbar fits the block, prevalence and outcome parameters. Cervical fits
   its block and prevalence parameters; its outcome parameters are the
   lumbar ones (assumption: no cervical outcome figure is a calibration
   target, so the cervical outcome figures are validation of that transfer).

The simulated validation (`facetcare.simulation.validation`) then runs the
same protocols through the real `Pathway` rules and shows every target
with its interval.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from facetcare.simulation.calibration import CALIBRATION, MONTH, STUDIES, Published, Study
from facetcare.simulation.facts import SUCCESS_DAYS
from facetcare.simulation.params import REPEAT_SUCCESS, CohortParams
from facetcare.simulation.patient import PARTIAL_RELIEF

__all__ = ["PRIORS", "figure", "fit", "loss", "main"]

Values = Mapping[str, float]
LN2 = math.log(2)

_DEFAULTS: dict[str, Any] = {f.name: f.default for f in attrs.fields(CohortParams)
             if not isinstance(f.default, attrs.Factory)}  # type: ignore[arg-type]
#: The day of the first follow-up report: a relief is seen only when it outlasts it.
FIRST_REPORT: int = _DEFAULTS["follow_up_days"][0]
#: Free parameter → (scale, prior centre, prior sd on that scale). Assumptions.
PRIORS: dict[str, tuple[str, float, float]] = {
    "facet_prevalence": ("logit", 0.3, 1.5),
    "prevalence_schwarzer": ("logit", 0.3, 1.5),
    "prevalence_cohen": ("logit", 0.3, 1.5),
    "block_reach": ("logit", 0.9, 1.0),
    "block_relief_shape": ("log", 4.0, 0.7),
    "placebo_mean": ("logit", 0.3, 1.0),
    "placebo_concentration": ("log", 2.0, 1.0),
    "placebo_relief_shape": ("log", 1.0, 0.7),
    "placebo_repeat": ("logit", 0.6, 1.0),
    "neurotomy_success_if_facet": ("logit", 0.75, 1.5),
    "complete_relief": ("logit", 0.6, 1.5),
    "relief_median_days": ("log", 15 * MONTH, 1.0),
    "repeat_relief_median_days": ("log", 13 * MONTH, 1.0),
}
BLOCK = ("facet_prevalence", "block_reach", "block_relief_shape", "placebo_mean",
         "placebo_concentration", "placebo_repeat", "placebo_relief_shape")
OUTCOME = ("neurotomy_success_if_facet", "complete_relief", "relief_median_days",
           "repeat_relief_median_days")
FREE = {
    "lumbar": (*BLOCK, "prevalence_schwarzer", "prevalence_cohen", *OUTCOME),
    "cervical": BLOCK,
}


def _to(scale: str, x: float) -> float:
    return math.log(x / (1 - x)) if scale == "logit" else math.log(x)


def _from(scale: str, z: float) -> float:
    if scale == "logit":
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
    return math.exp(max(-30.0, min(30.0, z)))


def _value(v: Values, name: str) -> float:
    return float(v[name]) if name in v else float(_DEFAULTS[name])


def _block(v: Values, facet: bool, threshold: Fraction) -> tuple[float, float]:
    """(α, β): P(positive | patient) = α + β·u, averaged over the baseline range."""
    low, high = _DEFAULTS["baseline_pain"]
    reach, shape = _value(v, "block_reach"), _value(v, "block_relief_shape")
    placebo = _value(v, "placebo_relief_shape")
    alpha = beta = 0.0
    for b in range(low, high + 1):
        m = math.floor(b * (1 - threshold))
        x = max(0.0, 1 - (m + 0.5) / b)
        below = (1 - reach) + reach * x ** shape if facet else 1.0
        alpha += 1 - below
        beta += below * (1 - x) ** placebo
    count = high - low + 1
    return alpha / count, beta / count


def _prevalence(v: Values, study: Study) -> float:
    if study.population == "default":
        return _value(v, "facet_prevalence")
    return _value(v, f"prevalence_{study.population}")


def _selected(v: Values, study: Study) -> tuple[float, float]:
    """(P(selected), P(facet | selected)) under the study's blocks."""
    pi = _prevalence(v, study)
    if study.threshold is None:
        return 1.0, pi
    mu = _value(v, "placebo_mean")
    m2 = mu * mu + mu * (1 - mu) / (_value(v, "placebo_concentration") + 1)
    shares = []
    for facet in (True, False):
        a, b = _block(v, facet, study.threshold)
        rho = _value(v, "placebo_repeat")
        shares.append(a + b * mu if study.blocks == 1
                      else a * a + a * b * (1 + rho) * mu + rho * b * b * m2)
    selected = pi * shares[0] + (1 - pi) * shares[1]
    return selected, pi * shares[0] / selected


def _truths(v: Values, study: Study) -> tuple[tuple[float, bool], tuple[float, bool]]:
    """(P(truth | selected), truth) for true facet pain and for none, under the study."""
    facet = _selected(v, study)[1]
    return (facet, True), (1 - facet, False)


def _curve(v: Values, facet: bool, repeat: bool) -> tuple[float, float, float]:
    """(P(relief), Weibull median in days, shape) of a neurotomy for one latent truth."""
    if not facet:  # a sham response [4.3], first or repeat
        p = _value(v, "repeat_success_if_not" if repeat else "neurotomy_success_if_not")
        return p, _value(v, "sham_relief_median_days"), _value(v, "sham_relief_shape")
    if repeat:
        return (_value(v, "repeat_success_if_facet"), _value(v, "repeat_relief_median_days"),
                _value(v, "relief_shape"))
    return (_value(v, "neurotomy_success_if_facet"), _value(v, "relief_median_days"),
            _value(v, "relief_shape"))


def _lasts(median: float, shape: float, days: float) -> float:
    """P(a relief lasts at least ``days`` whole days) (whole days are rounded up)."""
    return math.exp(-LN2 * (max(0.0, days - 1) / median) ** shape)


def _relieved_at(v: Values, study: Study, days: int) -> float:
    """P(≥ 50% relief still at ``days`` after a first neurotomy), over both truths."""
    total = 0.0
    for weight, facet in _truths(v, study):
        p, median, shape = _curve(v, facet, repeat=False)
        total += weight * p * _lasts(median, shape, days)
    return total


def _complete(v: Values) -> float:
    """P(a relief reads as complete): drawn complete, or partial but scored 0 on the NRS.

    A partial relief r writes the score ⌊b(1 − r) + ½⌋, which is 0 when
    r > 1 − ½/b; the baseline b is taken as uniform on its range (the
    selection's pull on it is left out).
    """
    complete = _value(v, "complete_relief")
    low, high = _DEFAULTS["baseline_pain"]
    least, most = PARTIAL_RELIEF
    rounds = [max(0.0, most - max(least, 1 - 0.5 / b)) / (most - least)
              for b in range(low, high + 1)]
    return complete + (1 - complete) * sum(rounds) / len(rounds)


def _seen_median(parts: list[tuple[float, float, float]]) -> float:
    """The Kaplan–Meier median, in days, of the reliefs the clinic sees.

    ``parts`` are (weight, median, shape) of a mixture of Weibull reliefs; a
    relief is seen when it outlasts the first follow-up report (day F), so
    each part is conditioned on lasting past F. The median is the day d at
    which half the seen reliefs have ended, found by bisection.
    """
    first = FIRST_REPORT
    seen = [(w * _lasts(m, k, first + 1), m, k) for w, m, k in parts]
    total = sum(w for w, _, _ in seen)

    def still(d: float) -> float:
        return sum(w * _lasts(m, k, d + 1) / _lasts(m, k, first + 1)
                   for w, m, k in seen) / total

    low, high = float(first), float(first)
    while still(high) > 0.5:
        high *= 2
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if still(middle) > 0.5 else (low, middle)
    return high


def _relief_median(v: Values, study: Study, repeat: bool) -> float:
    """Median seen relief after a first neurotomy, or after a repeat, in months.

    A repeat follows a seen relief that ended, and each repeat's seen relief
    may lead to another: a patient of truth t has a_t·b_t/(1 − b_t) seen
    repeat reliefs, a_t and b_t the chances a first and a repeat relief are
    seen. Censoring at the horizon is left out: the Kaplan–Meier median of
    the simulation allows for it.
    """
    first = FIRST_REPORT
    parts = []
    for weight, facet in _truths(v, study):
        p, median, shape = _curve(v, facet, repeat=False)
        if not repeat:
            parts.append((weight * p, median, shape))
            continue
        seen_first = p * _lasts(median, shape, first + 1)
        p_r, median_r, shape_r = _curve(v, facet, repeat=True)
        seen_repeat = min(p_r * _lasts(median_r, shape_r, first + 1), 1 - 1e-9)
        parts.append((weight * seen_first * seen_repeat / (1 - seen_repeat), median_r, shape_r))
    return _seen_median(parts) / MONTH


def figure(v: Values, measure: str, study: Study) -> float:
    """A calibration measure of ``study`` under parameter values ``v``, in closed form."""
    v = {"repeat_success_if_facet": REPEAT_SUCCESS[study.region]} | dict(v)
    if measure == "relief_median":
        return _relief_median(v, study, repeat=False)
    if measure == "repeat_relief_median":
        return _relief_median(v, study, repeat=True)
    if measure in ("first_block_positive", "both_blocks_positive", "confirmed_given_first",
                   "false_positive"):
        one = _selected(v, attrs.evolve(study, blocks=1))[0]
        two = _selected(v, attrs.evolve(study, blocks=2))[0]
        return {"first_block_positive": one, "both_blocks_positive": two,
                "confirmed_given_first": two / one,
                "false_positive": (one - two) / (1 - two)}[measure]
    if measure == "denervated":
        return _selected(v, study)[0]
    if measure == "success_3m":
        return _relieved_at(v, study, SUCCESS_DAYS)
    if measure == "success_complete_6m":
        return _complete(v) * _relieved_at(v, study, 183)
    raise ValueError(f"no closed form for the measure {measure!r}")


def loss(v: Values, region: str, targets: tuple[Published, ...] = CALIBRATION) -> float:
    total = 0.0
    for target in targets:
        if target.region == region:
            total += ((figure(v, target.measure, STUDIES[target.study]) - target.value)
                      / target.se) ** 2
    for name in FREE[region]:
        scale, centre, sd = PRIORS[name]
        total += ((_to(scale, v[name]) - _to(scale, centre)) / sd) ** 2
    return total


def _nelder_mead(f: Callable[[list[float]], float], start: list[float],
                 step: float = 0.5, iterations: int = 4000) -> list[float]:
    n = len(start)
    simplex = [list(start)] + [[x + (step if i == j else 0.0) for j, x in enumerate(start)]
                               for i in range(n)]
    scores = [f(p) for p in simplex]
    for _ in range(iterations):
        order = sorted(range(n + 1), key=scores.__getitem__)
        simplex, scores = [simplex[i] for i in order], [scores[i] for i in order]
        if scores[-1] - scores[0] < 1e-10:
            break
        centre = [sum(p[j] for p in simplex[:-1]) / n for j in range(n)]
        worst = simplex[-1]

        def towards(t: float, worst: list[float] = worst,
                    centre: list[float] = centre) -> list[float]:
            return [c + t * (w - c) for c, w in zip(centre, worst, strict=True)]

        reflected = towards(-1.0)
        r = f(reflected)
        if r < scores[0]:
            expanded = towards(-2.0)
            e = f(expanded)
            simplex[-1], scores[-1] = (expanded, e) if e < r else (reflected, r)
        elif r < scores[-2]:
            simplex[-1], scores[-1] = reflected, r
        else:
            contracted = towards(0.5)
            c = f(contracted)
            if c < scores[-1]:
                simplex[-1], scores[-1] = contracted, c
            else:
                best = simplex[0]
                simplex = [best] + [[b + 0.5 * (x - b) for b, x in zip(best, p, strict=True)]
                                    for p in simplex[1:]]
                scores = [scores[0]] + [f(p) for p in simplex[1:]]
    return simplex[min(range(n + 1), key=scores.__getitem__)]


def _round(x: float) -> float:
    return float(f"{x:.4g}")


def fit(region: str, fixed: Values | None = None) -> dict[str, float]:
    """The fitted free parameters of ``region`` (``fixed`` values are held, e.g. outcomes)."""
    names = FREE[region]
    base = dict(fixed or {})

    def values(z: list[float]) -> dict[str, float]:
        return base | {name: _from(PRIORS[name][0], x) for name, x in zip(names, z, strict=True)}

    z = [_to(PRIORS[name][0], PRIORS[name][1]) for name in names]
    best = math.inf
    for _ in range(20):
        z = _nelder_mead(lambda point: loss(values(point), region), z)
        now = loss(values(z), region)
        if best - now < 1e-9:
            break
        best = now
    return {name: _round(value) for name, value in values(z).items() if name in names}


def fit_all() -> dict[str, dict[str, float]]:
    """Lumbar, then cervical with the lumbar outcome parameters."""
    lumbar = fit("lumbar")
    outcome = {name: lumbar[name] for name in OUTCOME}
    cervical = fit("cervical", fixed=outcome) | outcome
    return {"lumbar": lumbar, "cervical": cervical}


def render(result: Mapping[str, Mapping[str, float]]) -> str:
    def block(values: Mapping[str, float], names: tuple[str, ...]) -> str:
        return "".join(f"    {name!r}: {values[name]!r},\n" for name in names)

    lumbar, cervical = result["lumbar"], result["cervical"]
    params = BLOCK + OUTCOME
    return (
        '"""Generated by ``python -m facetcare.simulation.fitting``: do not edit by hand.\n\n'
        "The procedure and the targets are in `facetcare.simulation.fitting` and\n"
        '`facetcare.simulation.calibration`; docs/simulation.md explains both.\n"""\n\n'
        "LUMBAR: dict[str, float] = {\n" + block(lumbar, params) + "}\n"
        "CERVICAL: dict[str, float] = {\n" + block(cervical, params) + "}\n"
        "#: Prevalence of facet pain in the populations of studies with their own (lumbar).\n"
        "STUDY_PREVALENCE: dict[str, float] = {\n"
        f"    'schwarzer': {lumbar['prevalence_schwarzer']!r},\n"
        f"    'cohen': {lumbar['prevalence_cohen']!r},\n"
        "}\n"
    ).replace("'", '"')


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render(fit_all())
    target = Path(__file__).with_name("fitted.py")
    if "--check" in args:
        same = target.read_text(encoding="utf-8") == text
        print("fitted.py is current" if same else "fitted.py differs from a fresh fit")
        return 0 if same else 1
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
