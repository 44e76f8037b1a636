"""`CohortParams`: the numbers a simulated cohort is drawn from, with their sources.

The patient model (`facetcare.simulation.patient`) has a latent truth (facet
pain or not) and a placebo propensity per patient; the parameters that
shape them and the neurotomy outcome are **fitted** to the calibration
targets of `facetcare.simulation.calibration` by the procedure in
`facetcare.simulation.fitting` (``python -m facetcare.simulation.fitting``),
whose result is `facetcare.simulation.fitted`. Everything else is an input
from a cited source or a marked assumption. Bracketed references are
keys of docs/sources.md; each field's ``source``
metadata says which kind it is, and `CohortParams.sources()` lists them.

Months are converted with 365/12 days, matching the policies' day counts.
"""

from __future__ import annotations

from typing import Any

import attrs

from facetcare.anatomy import JOINTS, Region
from facetcare.simulation import fitted
from facetcare.simulation._checks import (
    MAX_DAYS,
    MAX_LESIONS,
    as_tuple,
    at_most,
    days,
    int_range,
    joints,
    non_negative,
    positive,
    probability,
    source,
)

__all__ = ["REPEAT_SUCCESS", "CohortParams"]

#: Repeat neurotomy success after a successful first, true facet pain [4.4] Smuck 2012:
#: the middle of the lumbar (33–85%) and cervical (67–95%) ranges. An input, not fitted.
REPEAT_SUCCESS = {"lumbar": 0.59, "cervical": 0.81}
_FIT = "fitted to the calibration targets (docs/simulation.md)"


def _values(found: dict[str, float]) -> dict[str, Any]:
    """The fitted values as keyword arguments (every one a float field)."""
    return dict(found)


@attrs.frozen(kw_only=True)
class CohortParams:
    """How a simulated cohort behaves; use `lumbar` or `cervical` for the fitted defaults.

    Probabilities are per patient, per block, per visit or per lesion as
    named. Day ranges are inclusive and drawn uniformly.
    """

    region: Region = attrs.field(converter=Region, metadata=source("the pathway's spinal region"))

    # -- who the patients are ---------------------------------------------------
    facet_prevalence: float = attrs.field(
        validator=probability,
        metadata=source(f"{_FIT}: latent share with facet-mediated pain [4.1]"))
    pain_months: tuple[int, int] = attrs.field(
        default=(1, 36), converter=as_tuple, validator=int_range(0),
        metadata=source("assumption: pain duration at referral, uniform; some referrals fall "
                        "short of the 3 months payers require [1.2]"))
    conservative_care_failed: float = attrs.field(
        default=0.85, validator=probability,
        metadata=source("assumption: share of referrals with documented failed conservative "
                        "care [1.2]"))
    baseline_pain: tuple[int, int] = attrs.field(
        default=(5, 9), converter=as_tuple, validator=int_range(1, 10),
        metadata=source("assumption: NRS before a block, moderate to severe [1.2, 2.4]"))

    # -- diagnostic blocks --------------------------------------------------------
    block_reach: float = attrs.field(
        validator=probability,
        metadata=source(f"{_FIT}: a block on a true facet joint anaesthetises the painful "
                        "nerves"))
    block_relief_shape: float = attrs.field(
        validator=positive,
        metadata=source(f"{_FIT}: Kumaraswamy(a, 1) shape of the specific relief"))
    placebo_mean: float = attrs.field(
        validator=probability,
        metadata=source(f"{_FIT}: mean placebo / non-specific response propensity"))
    placebo_concentration: float = attrs.field(
        validator=positive,
        metadata=source(f"{_FIT}: Beta concentration of the propensity (lower: repeated "
                        "blocks more alike)"))
    placebo_repeat: float = attrs.field(
        validator=probability,
        metadata=source(f"{_FIT}: factor on the propensity for every block after the "
                        "first (a placebo response fades when repeated)"))
    placebo_relief_shape: float = attrs.field(
        validator=positive,
        metadata=source(f"{_FIT}: Kumaraswamy(1, b) shape of a non-specific relief"))
    anaesthetic_minutes: tuple[int, int] = attrs.field(
        default=(240, 360), converter=as_tuple, validator=int_range(60),
        metadata=source("[3.4] window described to patients: 4–6 h in three of five "
                        "sources (2–6 h, 3–6 h in one each)"))
    diary_missing: float = attrs.field(
        default=0.05, validator=probability,
        metadata=source("assumption: diary not returned or incomplete → assessed negative"))
    joints: tuple[str, ...] = attrs.field(
        converter=joints,
        metadata=source("assumption: the joints blocks are drawn from (contiguous levels)"))
    two_levels: float = attrs.field(
        default=0.5, validator=probability,
        metadata=source("assumption: share of sessions at two levels (capped by the policy)"))
    bilateral: float = attrs.field(default=0.5, validator=probability,
                                   metadata=source("assumption"))
    max_negative_blocks: int = attrs.field(
        default=2,
        metadata=source("assumption: the pathway is closed after this many negative blocks "
                        "in one work-up"))

    # -- neurotomy --------------------------------------------------------------
    lesions_mean: float = attrs.field(
        default=5.0, validator=[positive, at_most(MAX_LESIONS)],
        metadata=source("[3.2] Kornick 2004: 5 ± 3 lesions per lumbar session "
                        "(cervical: assumption, same)"))
    lesions_sd: float = attrs.field(default=3.0, validator=[non_negative, at_most(MAX_LESIONS)],
                                    metadata=source("[3.2]"))
    lesion_seconds: tuple[int, int] = attrs.field(
        default=(60, 90), converter=as_tuple, validator=int_range(1, 3600),
        metadata=source("[ASPN] 60–90 s; narrowed to the policy's rule"))
    lesion_temperature_c: tuple[int, int] = attrs.field(
        default=(80, 90), converter=as_tuple, validator=int_range(1, 200),
        metadata=source("[2.1 80–90 °C; 3.2 Lord 80 °C]; narrowed to the policy's rule"))
    minor_complication_per_lesion: float = attrs.field(
        default=0.01, validator=probability, metadata=source("[4.5] Kornick 2004: 1.0%"))
    neurotomy_success_if_facet: float = attrs.field(
        validator=probability,
        metadata=source(f"{_FIT}: ≥ 50% relief after a first neurotomy, true facet pain"))
    neurotomy_success_if_not: float = attrs.field(
        default=1.0, validator=probability,
        metadata=source("[4.3] Lord 1996 sham arm: share of neurotomies without facet pain "
                        "followed by a sham response; 1 as the arm's curve of return of pain "
                        "(sham_relief_*) is that of every sham-treated patient, most of it "
                        "brief (assumption)"))
    complete_relief: float = attrs.field(
        validator=probability,
        metadata=source(f"{_FIT}: share of reliefs that are complete (MacVicar's outcome)"))
    repeat_success_if_facet: float = attrs.field(
        validator=probability,
        metadata=source("[4.4] Smuck 2012, after a successful first: lumbar 0.59 (mid of "
                        "33–85%), cervical 0.81 (mid of 67–95%)"))
    repeat_success_if_not: float = attrs.field(
        default=1.0, validator=probability,
        metadata=source("assumption: a repeat without facet pain is a sham response too, as "
                        "a first one [4.3]"))
    relief_median_days: float = attrs.field(
        validator=[positive, at_most(MAX_DAYS)],
        metadata=source(f"{_FIT}: Weibull median of relief after a first neurotomy"))
    repeat_relief_median_days: float = attrs.field(
        validator=[positive, at_most(MAX_DAYS)],
        metadata=source(f"{_FIT}: Weibull median of relief after a repeat"))
    relief_shape: float = attrs.field(
        default=1.5, validator=positive,
        metadata=source("assumption: Weibull shape; > 1 as recurrence follows nerve "
                        "regrowth; no Kaplan–Meier tables were found [4.4]"))
    sham_relief_median_days: float = attrs.field(
        default=8.0, validator=[positive, at_most(MAX_DAYS)],
        metadata=source("[4.3] Lord 1996 sham arm: median time until pain returned to "
                        "≥ 50% of baseline, 8 days (Weibull median of a sham response)"))
    sham_relief_shape: float = attrs.field(
        default=0.4044, validator=positive,
        metadata=source("[4.3] Lord 1996 sham arm: the Weibull shape that leaves 1 of 12 "
                        "relieved at 27 weeks, with the 8-day median (the 1 of 12 was "
                        "pain-free: taken as the share still relieved, an assumption)"))

    # -- visits and time ----------------------------------------------------------
    escort_missing: float = attrs.field(default=0.03, validator=probability,
                                        metadata=source("assumption"))
    no_show: float = attrs.field(default=0.05, validator=probability,
                                 metadata=source("assumption"))
    referral_to_block_days: tuple[int, int] = attrs.field(
        default=(14, 42), converter=as_tuple, validator=int_range(0, MAX_DAYS),
        metadata=source("assumption: days from referral to the first block"))
    booking_days: tuple[int, int] = attrs.field(
        default=(14, 42), converter=as_tuple, validator=int_range(0, MAX_DAYS),
        metadata=source("assumption: days from any later "
                        "booking (confirmatory block, neurotomy, rebooking) to the visit"))
    follow_up_days: tuple[int, ...] = attrs.field(
        default=(14, 42), converter=as_tuple, validator=days,
        metadata=source("assumption: pain reports at 2 and 6 weeks (settling ~3 weeks [3.3])"))

    @max_negative_blocks.validator
    def _check_negatives(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
            raise ValueError(f"{attribute.name} must be an int from 1 to 100, got {value!r}"[:200])

    @joints.validator
    def _check_joints(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, tuple) or not value:
            raise TypeError("joints must be a non-empty tuple of facet joints such as 'L4-L5'")
        for joint in value:
            if not isinstance(joint, str) or joint not in JOINTS:
                raise ValueError(f"joints: {joint!r} is not a facet joint")
            if JOINTS[joint] != self.region:
                raise ValueError(f"joints: {joint} is not in the {self.region} region")
        if len(set(value)) != len(value):
            raise ValueError("joints must not repeat a joint")

    @classmethod
    def lumbar(cls) -> CohortParams:
        """Lumbar facet pain: the fitted values of `facetcare.simulation.fitted`."""
        return cls(
            region=Region.LUMBAR,
            joints=("L3-L4", "L4-L5", "L5-S1"),  # assumption: the usual lumbar levels
            repeat_success_if_facet=REPEAT_SUCCESS["lumbar"],
            **_values(fitted.LUMBAR),
        )

    @classmethod
    def cervical(cls) -> CohortParams:
        """Cervical facet pain: the fitted values of `facetcare.simulation.fitted`."""
        return cls(
            region=Region.CERVICAL,
            # assumption: C2-C3 (third occipital nerve) to C6-C7 [3.1]
            joints=("C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7"),
            repeat_success_if_facet=REPEAT_SUCCESS["cervical"],
            **_values(fitted.CERVICAL),
        )

    @classmethod
    def for_region(cls, region: Region | str) -> CohortParams:
        """The default parameters of a region (thoracic has no cited defaults)."""
        chosen = Region(region)
        if chosen is Region.LUMBAR:
            return cls.lumbar()
        if chosen is Region.CERVICAL:
            return cls.cervical()
        raise ValueError(f"no cited simulation defaults for the {chosen} region; build "
                         "CohortParams(region=..., ...) with your own values")

    @classmethod
    def sources(cls) -> dict[str, str]:
        """Field name → where its default comes from (fitted, a citation, or "assumption")."""
        return {f.name: str(f.metadata.get("source", "")) for f in attrs.fields(cls)}
