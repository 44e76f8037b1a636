"""`CohortParams`: the numbers a simulated cohort is drawn from, with their sources.

Every default comes from ``DOMAIN.md`` "Numbers for simulation"; bracketed
references are sections of ``reference/clinical-facts.md``. Values no source
gave are marked "assumption" in the field's ``source`` metadata, so
`CohortParams.sources()` (and any report built on it) keeps them visible as
such. A parameter set is a value: ``attrs.evolve(CohortParams.lumbar(),
no_show=0.1)`` makes a clinic's own.

Months are converted with 365/12 days (9 months = 274 d), matching the
fixed day counts the policies use.
"""

from __future__ import annotations

from typing import Any

import attrs

from facetcare.anatomy import JOINTS, Region, normalise_joint

__all__ = ["CohortParams"]

RELIEF_DISTRIBUTIONS = ("exponential", "lognormal")


def _probability(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a probability (a number), got {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


def _positive(high: float) -> Any:
    """A validator for a number in ``(0, high]``: bounded, so no draw overflows or exhausts."""

    def check(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{attribute.name} must be a number, got {value!r}"[:200])
        if not 0 < value <= high:
            raise ValueError(f"{attribute.name} must be positive and at most {high:g}, "
                             f"got {value}"[:200])

    return check


def _non_negative(high: float) -> Any:
    def check(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{attribute.name} must be a number, got {value!r}"[:200])
        if not 0 <= value <= high:
            raise ValueError(f"{attribute.name} must be from 0 to {high:g}, got {value}"[:200])

    return check


#: Upper bounds of the parameters (assumptions: far beyond any cited value,
#: there so a simulation cannot overflow the calendar or exhaust memory).
MAX_DAYS = 3650  # ten years between any two steps
MAX_MEDIAN_DAYS = 3650  # ten years of relief
MAX_LESIONS = 100
MAX_SIGMA = 3.0


def _int_range(low: int, high: float) -> Any:
    """A validator for an inclusive ``(lo, hi)`` pair of whole numbers in ``low..high``."""

    def check(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if (
            not isinstance(value, tuple)
            or len(value) != 2
            or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
        ):
            raise TypeError(f"{attribute.name} must be a (low, high) pair of ints, got "
                            f"{value!r}"[:200])
        if not low <= value[0] <= value[1] <= high:
            raise ValueError(
                f"{attribute.name} must satisfy {low} <= low <= high <= {high:g}, got "
                f"{value!r}"[:200]
            )

    return check


def _days(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple) or not value:
        raise TypeError(f"{attribute.name} must be a non-empty tuple of day counts")
    if any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_DAYS
           for v in value) or len(value) > 100:
        raise ValueError(f"{attribute.name} must hold at most 100 whole days from 1 to "
                         f"{MAX_DAYS}, got {value!r}"[:200])
    if list(value) != sorted(set(value)):
        raise ValueError(f"{attribute.name} must be strictly increasing, got {value!r}")


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _joints(value: Any) -> Any:
    value = _as_tuple(value)
    if isinstance(value, tuple):
        return tuple(normalise_joint(j) if isinstance(j, str) else j for j in value)
    return value


def _source(text: str) -> dict[str, str]:
    return {"source": text}


@attrs.frozen(kw_only=True)
class CohortParams:
    """How a simulated cohort behaves; use `lumbar` or `cervical` for the cited defaults.

    Probabilities are per event (per block, per visit, per lesion). Day
    ranges are inclusive and drawn uniformly.
    """

    region: Region = attrs.field(
        converter=Region, metadata=_source("the pathway's spinal region")
    )

    # -- who the patients are ---------------------------------------------------
    facet_prevalence: float = attrs.field(
        validator=_probability,
        metadata=_source("[4.1] lumbar 0.31 (comparative blocks), cervical 0.60"),
    )
    pain_months: tuple[int, int] = attrs.field(
        default=(1, 36),
        converter=_as_tuple,
        validator=_int_range(0, 1200),
        metadata=_source(
            "assumption: pain duration at referral, uniform; some referrals fall short of "
            "the 3 months payers require [1.2]"
        ),
    )
    conservative_care_failed: float = attrs.field(
        default=0.85,
        validator=_probability,
        metadata=_source("assumption: share of referrals with documented failed conservative "
                         "care [1.2]"),
    )
    baseline_pain: tuple[int, int] = attrs.field(
        default=(5, 9),
        converter=_as_tuple,
        validator=_int_range(1, 10),
        metadata=_source("assumption: NRS before a block; moderate to severe pain [1.2, 2.4]"),
    )

    # -- diagnostic blocks ------------------------------------------------------
    block_positive_if_facet: float = attrs.field(
        default=0.95, validator=_probability, metadata=_source("assumption (DOMAIN.md)")
    )
    block_false_positive: float = attrs.field(
        validator=_probability,
        metadata=_source("[4.2] single-block false positives: lumbar 0.38, cervical 0.27"),
    )
    diary_missing: float = attrs.field(
        default=0.05,
        validator=_probability,
        metadata=_source("assumption: diary not returned or incomplete → assessed negative"),
    )
    joints: tuple[str, ...] = attrs.field(
        converter=_joints,
        metadata=_source("assumption: the joints blocks are drawn from (contiguous levels)"),
    )
    two_levels: float = attrs.field(
        default=0.5,
        validator=_probability,
        metadata=_source("assumption: share of sessions at two levels (capped by the policy)"),
    )
    bilateral: float = attrs.field(
        default=0.5, validator=_probability, metadata=_source("assumption")
    )
    max_negative_blocks: int = attrs.field(
        default=2,
        metadata=_source("assumption: the pathway is closed after this many negative blocks "
                         "in one work-up"),
    )

    # -- neurotomy --------------------------------------------------------------
    lesions_mean: float = attrs.field(
        default=5.0,
        validator=_positive(MAX_LESIONS),
        metadata=_source("[3.2] Kornick 2004: 5 ± 3 lesions per lumbar session "
                         "(cervical: assumption, same)"),
    )
    lesions_sd: float = attrs.field(
        default=3.0, validator=_non_negative(MAX_LESIONS), metadata=_source("[3.2]")
    )
    lesion_seconds: tuple[int, int] = attrs.field(
        default=(60, 90),
        converter=_as_tuple,
        validator=_int_range(1, 3600),
        metadata=_source("[DOMAIN step 5; 2.4 ASPN 60–90 s]; narrowed to the policy's rule"),
    )
    lesion_temperature_c: tuple[int, int] = attrs.field(
        default=(80, 90),
        converter=_as_tuple,
        validator=_int_range(1, 150),
        metadata=_source("[2.1 80–90 °C; 3.2 Lord 80 °C]; narrowed to the policy's rule"),
    )
    minor_complication_per_lesion: float = attrs.field(
        default=0.01, validator=_probability, metadata=_source("[4.5] Kornick 2004: 1.0%")
    )
    neurotomy_success_if_facet: float = attrs.field(
        default=0.60, validator=_probability, metadata=_source("[4.3] ≥ 50% relief")
    )
    neurotomy_success_if_not: float = attrs.field(
        default=0.08, validator=_probability, metadata=_source("[4.3] Lord 1996 sham arm")
    )
    repeat_success_if_facet: float = attrs.field(
        validator=_probability,
        metadata=_source("[4.4] Smuck 2012: after a successful first, lumbar 0.60 "
                         "(33–85%), cervical 0.80 (67–95%)"),
    )
    repeat_success_if_not: float = attrs.field(
        default=0.08,
        validator=_probability,
        metadata=_source("assumption: as the first neurotomy's sham-like rate [4.3]"),
    )
    relief_median_days: float = attrs.field(
        validator=_positive(MAX_MEDIAN_DAYS),
        metadata=_source("[4.4] lumbar 9 months (274 d, Smuck), cervical 263 d (Lord)"),
    )
    repeat_relief_median_days: float = attrs.field(
        validator=_positive(MAX_MEDIAN_DAYS),
        metadata=_source("[4.4] lumbar 11.6 months (353 d), cervical 9 months (274 d)"),
    )
    relief_distribution: str = attrs.field(
        default="exponential",
        validator=attrs.validators.in_(RELIEF_DISTRIBUTIONS),
        metadata=_source(
            "assumption: exponential with the cited median (Lord: 58% pain-free at 27 weeks; "
            "an exponential with median 263 d gives 61%); 'lognormal' uses relief_sigma"
        ),
    )
    relief_sigma: float = attrs.field(
        default=0.75,
        validator=_positive(MAX_SIGMA),
        metadata=_source("assumption: log-normal shape, used only with 'lognormal'"),
    )

    # -- visits and time ----------------------------------------------------------
    escort_missing: float = attrs.field(
        default=0.03, validator=_probability, metadata=_source("assumption (DOMAIN.md)")
    )
    no_show: float = attrs.field(
        default=0.05, validator=_probability, metadata=_source("assumption (DOMAIN.md)")
    )
    referral_to_block_days: tuple[int, int] = attrs.field(
        default=(14, 42),
        converter=_as_tuple,
        validator=_int_range(0, MAX_DAYS),
        metadata=_source("assumption (DOMAIN.md): days from referral to the first block"),
    )
    booking_days: tuple[int, int] = attrs.field(
        default=(14, 42),
        converter=_as_tuple,
        validator=_int_range(0, MAX_DAYS),
        metadata=_source("assumption (DOMAIN.md, block to neurotomy): days from any later "
                         "booking (confirmatory block, neurotomy, rebooking) to the visit"),
    )
    follow_up_days: tuple[int, ...] = attrs.field(
        default=(14, 42),
        converter=_as_tuple,
        validator=_days,
        metadata=_source("assumption: pain reports at 2 and 6 weeks (settling ~3 weeks [3.3])"),
    )

    @max_negative_blocks.validator
    def _check_negatives(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
            raise ValueError(f"{attribute.name} must be an int from 1 to 100, got "
                             f"{value!r}"[:200])

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
        """Lumbar facet pain, with the defaults of DOMAIN.md "Numbers for simulation"."""
        return cls(
            region=Region.LUMBAR,
            facet_prevalence=0.31,  # [4.1] Manchikanti 2010, comparative blocks
            block_false_positive=0.38,  # [4.2] Schwarzer 1994
            joints=("L3-L4", "L4-L5", "L5-S1"),  # assumption: the usual lumbar levels
            repeat_success_if_facet=0.60,  # [4.4] Smuck 2012, 33–85%
            relief_median_days=274,  # [4.4] 9 months (Smuck)
            repeat_relief_median_days=353,  # [4.4] 11.6 months (Smuck)
        )

    @classmethod
    def cervical(cls) -> CohortParams:
        """Cervical facet pain, with the defaults of DOMAIN.md "Numbers for simulation"."""
        return cls(
            region=Region.CERVICAL,
            facet_prevalence=0.60,  # [4.1] Manchikanti 2002
            block_false_positive=0.27,  # [4.2] Barnsley 1993
            # assumption: C2-C3 (third occipital nerve) to C6-C7 [3.1]
            joints=("C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7"),
            repeat_success_if_facet=0.80,  # [4.4] Smuck 2012, 67–95%
            relief_median_days=263,  # [4.4] Lord 1996 RCT
            repeat_relief_median_days=274,  # [4.4] 9 months (Smuck 6.0–12.7 months)
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
        """Field name → where its default comes from (or "assumption")."""
        return {f.name: str(f.metadata.get("source", "")) for f in attrs.fields(cls)}
