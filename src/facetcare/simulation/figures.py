"""The cohort's headline figures, each with one stated denominator, and its table rows.

`FIGURES` are the numbers a policy comparison turns on, as floats (so
replications can give each an interval): the label says what is counted
and over which patients. `rows` is the plain table of a `Summary`,
built from the same counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from facetcare.simulation.journey import CLOSE_REASONS

if TYPE_CHECKING:
    from facetcare.simulation.counts import Histogram
    from facetcare.simulation.summary import Summary

__all__ = ["FIGURES", "Figure", "rows"]


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@attrs.frozen
class Figure:
    """One headline figure: what it is, over which patients, how it is computed."""

    key: str
    label: str
    denominator: str
    unit: str
    value: Callable[[Summary], float | None]


def _median(hist: Histogram) -> float | None:
    found = hist.median
    return None if found is None else float(found)


FIGURES: tuple[Figure, ...] = (
    # Per referral as well as per patient: a policy whose entry criteria screen
    # referrals out treats fewer of those referred than its per-patient share says.
    Figure("screened_out", "screened out by the entry criteria", "per referral", "share",
           lambda s: _share(s.screened_out, s.n + s.screened_out)),
    Figure("treated_per_referral", "reached a first neurotomy", "per referral", "share",
           lambda s: _share(s.reached_neurotomy, s.n + s.screened_out)),
    Figure("treated", "reached a first neurotomy", "per patient", "share",
           lambda s: _share(s.reached_neurotomy, s.n)),
    Figure("success_per_patient", "first neurotomy relieved ≥ 3 months", "per patient", "share",
           lambda s: _share(s.successes, s.n)),
    Figure("success_per_treated", "first neurotomy relieved ≥ 3 months", "per patient treated",
           "share", lambda s: _share(s.successes, s.reached_neurotomy)),
    Figure("facet_among_treated", "true facet pain (latent)", "per patient treated", "share",
           lambda s: _share(s.facet_treated, s.reached_neurotomy)),
    Figure("blocks_per_patient", "blocks", "per patient", "count",
           lambda s: _share(s.blocks, s.n)),
    Figure("positive_blocks", "positive blocks", "per block", "share",
           lambda s: _share(s.positive_blocks, s.blocks)),
    Figure("referral_to_neurotomy", "referral → first neurotomy, median days",
           "per patient treated", "days", lambda s: _median(s.referral_to_neurotomy)),
    Figure("first_block_to_neurotomy", "first block → first neurotomy, median days",
           "per patient treated", "days", lambda s: _median(s.first_block_to_neurotomy)),
    Figure("room_hours", "procedure-room hours (upper estimate)", "per 100 patients",
           "hours", lambda s: _share(100 * sum(t.room_minutes[1] for t in s.room.values()),
                                     60 * s.n)),
    Figure("cost_per_patient", "billed (fee schedule)", "per patient", "usd",
           lambda s: _share(s.cost_cents, 100 * s.n)),
    Figure("cost_per_neurotomy", "billed (fee schedule)", "per neurotomy", "usd",
           lambda s: _share(s.cost_cents, 100 * s.neurotomies)),
    Figure("cost_per_success", "billed (fee schedule)", "per success (relief ≥ 3 months)",
           "usd", lambda s: _share(s.cost_cents, 100 * s.successes)),
)


def _percent(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.1f}%)" if whole else "–"  # no denominator


def _days(hist: Histogram) -> str:
    return f"{hist.median} / {hist.p90}" if hist.total else "–"


def _money(cents: int, whole: int) -> str:
    return f"${cents / 100 / whole:,.0f}" if whole else "–"


def _text(value: int | None) -> str:
    return "–" if value is None else str(value)


def rows(s: Summary) -> list[tuple[str, str]]:
    """(label, value) pairs; each label names its denominator; stable across summaries."""
    n, treated = s.n, s.reached_neurotomy
    out = [
        ("patients", str(n)),
        ("referrals screened out (of all referrals)", _percent(s.screened_out,
                                                              n + s.screened_out)),
        ("reached a first neurotomy (of patients)", _percent(treated, n)),
        ("first neurotomy relieved ≥ 3 months (of patients)", _percent(s.successes, n)),
        ("first neurotomy relieved ≥ 3 months (of patients treated)",
         _percent(s.successes, treated)),
        ("true facet pain, latent (of patients treated)", _percent(s.facet_treated, treated)),
    ]
    out += [(f"final stage: {stage} (of patients)", _percent(count, n))
            for stage, count in s.by_stage.items()]
    reasons = list(CLOSE_REASONS) + [r for r in s.closed if r not in CLOSE_REASONS]
    out += [(f"closed: {reason} (patients)", str(s.closed.get(reason, 0)))
            for reason in reasons]
    visits, relief, repeat = s.visits, s.relief, s.repeat_relief
    out += [
        ("referral → first block, days (median / p90, of patients blocked)",
         _days(s.referral_to_block)),
        ("first block → first neurotomy, days (median / p90, of treated)",
         _days(s.first_block_to_neurotomy)),
        ("last block → first neurotomy, days (median / p90, of treated)",
         _days(s.block_to_neurotomy)),
        ("referral → first neurotomy, days (median / p90, of treated)",
         _days(s.referral_to_neurotomy)),
        ("blocks (positive / negative)",
         f"{s.blocks} ({s.positive_blocks} / {s.negative_blocks})"),
        ("neurotomies (repeats)", f"{s.neurotomies} ({s.repeat_neurotomies})"),
        ("lesions per neurotomy", f"{s.lesions / s.neurotomies:.2f}" if s.neurotomies else "–"),
        ("minor complications (lesions)", str(s.minor_complications)),
    ]
    for procedure, time in s.room.items():
        low, high = time.room_minutes
        out.append((f"room hours: {procedure} (whole cohort)", f"{low / 60:,.0f}–{high / 60:,.0f}"))
    out += [
        ("billed per patient", _money(s.cost_cents, n)),
        ("billed per neurotomy", _money(s.cost_cents, s.neurotomies)),
        ("billed per success (first neurotomy relieved ≥ 3 months)",
         _money(s.cost_cents, s.successes)),
        ("visits booked", str(visits.booked)),
        ("visits attended / cancelled / missed / open",
         f"{visits.attended} / {visits.cancelled} / {visits.missed} / {visits.open}"),
        ("refused check-ins (no driver)", str(s.refused_checkins)),
        ("relief episodes (ended / censored)",
         f"{relief.episodes} ({relief.ended.total} / {relief.censored.total})"),
        ("relief, KM median days", _text(relief.median)),
        ("repeat relief episodes", str(repeat.episodes)),
        ("repeat relief, KM median days", _text(repeat.median)),
        ("recurrences", str(s.recurrences)),
        ("events", str(s.events)),
    ]
    return out
