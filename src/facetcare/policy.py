"""Policies: every number a rule uses, with the profiles that set them.

Sources disagree (docs/policies.md compares the profiles), so no clinical
number is a constant in the machine: a rule reads it from a `Policy`. A
profile is a value; ``attrs.evolve(Policy.seed(), blocks_required=2)`` makes
a clinic's own. Bracketed numbers such as ``[1.3]`` are the research notes'
sections, mapped to full citations in docs/sources.md#section-map.

Months are fixed day counts (docs/rules.md#fixed-day-counts): 3 months = 91 d,
6 months = 183 d, 12 months = 365 d, 2 years = 730 d. Relief thresholds are
exact fractions; ``*_strict`` says the source wants "more than", not
"at least".
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from fractions import Fraction
from typing import Any

import attrs

from facetcare import _validate

__all__ = ["Policy"]

MINUTES = dt.timedelta(minutes=1)
HOURS = dt.timedelta(hours=1)
DAYS = dt.timedelta(days=1)
THREE_MONTHS = 91 * DAYS
SIX_MONTHS = 183 * DAYS
TWO_YEARS = 730 * DAYS


def _fraction(value: Any) -> Any:
    """Exact shares only: "4/5", "0.8", 1 or a Fraction; anything else is left for `_share`.

    Floats are refused (0.8 is not exactly 4/5); the validator names the field.
    Text is read with bounded work (`_validate.parse_share`: no exponents).
    """
    if isinstance(value, bool) or not isinstance(value, Fraction | int | str):
        return value
    if isinstance(value, str):
        share = _validate.parse_share(str.__str__(value))
        return value if share is None else share
    if type(value) is not Fraction:
        return Fraction(int.__index__(value)) if isinstance(value, int) else value
    return value


def _optional_fraction(value: Any) -> Any:
    return None if value is None else _fraction(value)


def _share(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and type(value) is not Fraction:
        raise TypeError(
            f"{attribute.name} must be an exact share such as Fraction(4, 5) or '4/5', "
            f"got {_validate.show(value)}"
        )
    if value is not None and not 0 <= value <= 1:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")
    if value is not None and not _validate.bounded_share(value):
        raise ValueError(f"{attribute.name} must have at most {_validate.MAX_SHARE_DIGITS} "
                         "digits above and below the line")


#: The longest a policy's count may be (blocks, levels, caps): far above any
#: payer's figure, there so every value stays writable (``docs/documents.md``).
MAX_COUNT = 1000


def _limit(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if type(value) is not int:
        raise TypeError(f"{attribute.name} must be an int or None, got {_validate.show(value)}")
    if not 1 <= value <= MAX_COUNT:
        raise ValueError(f"{attribute.name} must be from 1 to {MAX_COUNT}, "
                         f"got {_validate.show(value)}")


def _not_below(lower: str) -> Any:
    """A validator: this field, if set, is at least the field ``lower`` (if set)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        low = getattr(instance, lower)
        if value is not None and low is not None and value < low:
            raise ValueError(f"{attribute.name} ({value}) must not be below {lower} ({low})")

    return check


def _positive_duration(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value <= dt.timedelta(0):
        raise ValueError(f"{attribute.name} must be positive")


def _time_zone(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An IANA name that `zoneinfo` knows, such as "America/Chicago"."""
    if type(value) is not str:
        raise TypeError(f"{attribute.name} must be an IANA time zone name, got "
                        f"{_validate.show(value)}")
    if value == "UTC":
        return
    try:
        if not value.isascii() or len(value) > 64:
            raise ValueError(value)
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{attribute.name} {_validate.show(value)} is not an IANA time zone name known to "
            "zoneinfo (e.g. 'America/Chicago', 'Australia/Brisbane', 'UTC')"
        ) from None


_seconds = _validate.optional_seconds
_celsius = _validate.optional_celsius
_flag = _validate.flag
_duration = _validate.duration

#: The version of each shipped profile's values. A change of any value of a
#: profile bumps its version (and keeps the old values readable in
#: `facetcare.documents`), so a document naming a profile and version names
#: exactly one set of values.
PROFILE_VERSIONS: dict[str, int] = {"seed": 1, "medicare-l38803": 1, "consensus-2020": 1}


@attrs.frozen(kw_only=True)
class Policy:
    """The rules' numbers. Every field is required: a profile sets them all.

    ``None`` means "no such rule" (no cap, no minimum interval, …).
    """

    name: str = attrs.field(converter=_validate.plain_str, validator=_validate.identifier)

    # Entry criteria (`entry_criteria`).
    entry_min_pain_months: int | None = attrs.field(
        converter=_validate.plain_int, validator=_limit
    )
    entry_requires_failed_conservative_care: bool = attrs.field(validator=_flag)

    # Visits and discharge (`no_escort`, `observation_incomplete`).
    escort_required: bool = attrs.field(validator=_flag)
    block_observation: dt.timedelta = attrs.field(validator=_duration)
    neurotomy_recovery: dt.timedelta = attrs.field(validator=_duration)

    # Diagnostic blocks and the relief window.
    relief_window_end: dt.timedelta = attrs.field(validator=_duration)
    relief_window_min: dt.timedelta = attrs.field(validator=_duration)
    relief_threshold: Fraction = attrs.field(converter=_fraction, validator=_share)
    blocks_required: int = attrs.field(
        converter=_validate.plain_int, validator=_limit
    )
    min_block_gap: dt.timedelta | None = attrs.field(validator=_duration)
    max_block_levels: int | None = attrs.field(
        converter=_validate.plain_int, validator=_limit
    )
    max_blocks_per_year: int | None = attrs.field(
        converter=_validate.plain_int, validator=_limit
    )

    # Neurotomy technique (`lesion_duration`, `lesion_temperature`).
    lesion_min_seconds: float | None = attrs.field(
        converter=_validate.optional_plain_float, validator=_seconds
    )
    lesion_max_seconds: float | None = attrs.field(
        converter=_validate.optional_plain_float,
        validator=[_seconds, _not_below("lesion_min_seconds")],
    )
    lesion_min_temperature_c: float | None = attrs.field(
        converter=_validate.optional_plain_float, validator=_celsius
    )
    lesion_temperature_strict: bool = attrs.field(validator=_flag)
    lesion_max_temperature_c: float | None = attrs.field(
        converter=_validate.optional_plain_float,
        validator=[_celsius, _not_below("lesion_min_temperature_c")],
    )
    max_neurotomy_levels: int | None = attrs.field(
        converter=_validate.plain_int, validator=_limit
    )
    max_neurotomies_per_year: int | None = attrs.field(
        converter=_validate.plain_int, validator=_limit
    )

    # Follow-up.
    neurotomy_success_threshold: Fraction = attrs.field(converter=_fraction, validator=_share)
    follow_up_settling: dt.timedelta = attrs.field(validator=_duration)

    # Repeat neurotomy (`repeat_too_soon`, `insufficient_prior_relief`, `reblock_required`).
    min_neurotomy_interval: dt.timedelta | None = attrs.field(validator=_duration)
    repeat_min_relief: Fraction | None = attrs.field(
        converter=_optional_fraction, validator=_share
    )
    repeat_relief_strict: bool = attrs.field(validator=_flag)
    repeat_min_relief_duration: dt.timedelta | None = attrs.field(validator=_duration)
    reblock_after: dt.timedelta | None = attrs.field(validator=_duration)

    # -- the clinic's calendar and routine reviews (docs/rules.md#time) --
    #: The clinic's IANA time zone: "same day" and "next calendar day" are its days.
    time_zone: str = attrs.field(default="UTC", converter=_validate.plain_str,
                                 validator=_time_zone)
    #: How often a patient in sustained relief is reviewed. An assumption: the
    #: outcome studies report relief at 3 months (Cohen 2010) and at 6 and 12
    #: months (MacVicar 2013), so a review every 3 months (91 d) sees each.
    follow_up_interval: dt.timedelta = attrs.field(
        default=THREE_MONTHS, validator=[_duration, _positive_duration])

    @relief_window_min.validator
    def _window_min_inside(self, attribute: attrs.Attribute[Any], value: dt.timedelta) -> None:
        if value > self.relief_window_end:
            raise ValueError("relief_window_min must not be later than relief_window_end")

    @property
    def version(self) -> int | None:
        """The shipped profile's version if this policy is exactly that profile, else None.

        None marks a clinic's own policy, or one read from a document whose
        values differ from the profile its name gives (``docs/documents.md``).
        """
        return _shipped_version(self)

    @classmethod
    def seed(cls) -> Policy:
        """The default profile: the 2020 lumbar consensus practice with a driver rule.

        Relief ≥ 50% on a single block [2.1 Cohen 2020: cut-off ≥ 50%, dual
        blocks "not routinely"]; window 4–6 h [3.4: anaesthetic window told to
        patients]; observation ~60 min and neurotomy recovery 30 min [3.3;
        Clinic-info]; lesions 60–90 s [ASPN
        60–90 s]; no caps, no repeat rules (assumption: the seed leaves payer
        limits to the payer profiles).
        """
        return cls(
            name="seed",
            entry_min_pain_months=None,
            entry_requires_failed_conservative_care=False,
            escort_required=True,  # [3.3] a driver home after sedation/blocks
            block_observation=60 * MINUTES,  # [3.3] watched about an hour
            neurotomy_recovery=30 * MINUTES,  # [Clinic-info] home 30–60 min later
            relief_window_end=6 * HOURS,  # [3.4] 4–6 h anaesthetic window
            relief_window_min=4 * HOURS,  # [3.4]
            relief_threshold=Fraction(1, 2),  # [2.1] positive block ≥ 50%
            blocks_required=1,  # [2.1] single block in practice
            min_block_gap=None,
            max_block_levels=None,
            max_blocks_per_year=None,
            lesion_min_seconds=60,  # [ASPN] 60–90 s
            lesion_max_seconds=90,
            lesion_min_temperature_c=None,
            lesion_temperature_strict=False,
            lesion_max_temperature_c=None,
            max_neurotomy_levels=None,
            max_neurotomies_per_year=None,
            neurotomy_success_threshold=Fraction(1, 2),  # [4.3] success = ≥ 50% relief
            follow_up_settling=21 * DAYS,  # [3.3] full effect can take ~3 weeks
            min_neurotomy_interval=None,
            repeat_min_relief=None,
            repeat_relief_strict=False,
            repeat_min_relief_duration=None,
            reblock_after=None,
        )

    @classmethod
    def medicare_l38803(cls) -> Policy:
        """Medicare LCD L38803 (Noridian JF) and its sister LCDs [1].

        Entry: ≥ 3 months of pain with failed conservative care [1.2]. Two
        diagnostic blocks, each ≥ 80% relief [1.3, 1.5], ≥ 2 weeks apart [1.3,
        MED/LOW: rubric, InterQual 2–4 weeks]. Up to 2 levels per block session
        (3rd level non-covered) [1.6]; 4 diagnostic sessions and 2 RF sessions
        per region per rolling 12 months [1.3, 1.5]. Thermal lesions above
        80 °C only [1.5]; no lesion duration rule and no neurotomy level cap
        found [1.5, 1.6]. Repeat RF needs ≥ 50% relief for ≥ 6 months [1.5];
        new blocks if the last RF was more than 2 years ago [1.3 Palmetto].
        No minimum interval between RFs in the LCD material [1.5].
        """
        return attrs.evolve(
            cls.seed(),
            name="medicare-l38803",
            entry_min_pain_months=3,  # [1.2]
            entry_requires_failed_conservative_care=True,  # [1.2]
            relief_threshold=Fraction(4, 5),  # [1.3, 1.5] ≥ 80%
            blocks_required=2,  # [1.3, 1.5]
            min_block_gap=14 * DAYS,  # [1.3] ≥ 2 weeks (MED/LOW)
            max_block_levels=2,  # [1.6]
            max_blocks_per_year=4,  # [1.3]
            lesion_min_seconds=None,  # no duration rule in the LCD material
            lesion_max_seconds=None,
            lesion_min_temperature_c=80,  # [1.5] thermal > 80 °C
            lesion_temperature_strict=True,
            max_neurotomies_per_year=2,  # [1.5]
            repeat_min_relief=Fraction(1, 2),  # [1.5] ≥ 50% …
            repeat_relief_strict=False,
            repeat_min_relief_duration=SIX_MONTHS,  # [1.5] … for ≥ 6 months
            reblock_after=TWO_YEARS,  # [1.3] Palmetto checklist
        )

    @classmethod
    def consensus_2020(cls) -> Policy:
        """The multisociety consensus guidelines [2.1 lumbar 2020, 2.2 cervical 2022].

        Entry: ≥ 3 months of pain after conservative care [2.1]. One block
        with ≥ 50% relief [2.1]. Lesions 80–90 °C for ≥ 1.5 min [2.1]. Repeat
        RF justified by > 30% relief lasting ≥ 3 months, without a repeat
        block [2.2, 2.1 "repeat diagnostic MBB before a repeat RFA: No"].
        """
        return attrs.evolve(
            cls.seed(),
            name="consensus-2020",
            entry_min_pain_months=3,  # [2.1] 3-month trial of conservative care
            entry_requires_failed_conservative_care=True,  # [2.1]
            lesion_min_seconds=90,  # [2.1] ≥ 1.5 min
            lesion_max_seconds=None,
            lesion_min_temperature_c=80,  # [2.1] 80–90 °C
            lesion_temperature_strict=False,
            lesion_max_temperature_c=90,
            repeat_min_relief=Fraction(3, 10),  # [2.2] > 30% …
            repeat_relief_strict=True,
            repeat_min_relief_duration=THREE_MONTHS,  # [2.2] … for ≥ 3 months
        )

    @classmethod
    def profiles(cls) -> dict[str, Policy]:
        """The named profiles, by the names the CLI and documents use."""
        return {p.name: p for p in (cls.seed(), cls.medicare_l38803(), cls.consensus_2020())}


@functools.lru_cache(maxsize=64)
def _shipped_version(policy: Policy) -> int | None:
    version = PROFILE_VERSIONS.get(policy.name)
    if version is None:
        return None
    return version if Policy.profiles()[policy.name] == policy else None
