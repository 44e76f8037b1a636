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
import os
from fractions import Fraction
from typing import Any, Protocol

import attrs

from facetcare import _profiles, _validate
from facetcare._policy_checks import (  # the fields' validators and converters
    celsius as _celsius,
)
from facetcare._policy_checks import (
    codes as _codes,
)
from facetcare._policy_checks import (
    count as _count,
)
from facetcare._policy_checks import (
    fraction as _fraction,
)
from facetcare._policy_checks import (
    guidances as _guidances,
)
from facetcare._policy_checks import (
    limit as _limit,
)
from facetcare._policy_checks import (
    measure as _measure,
)
from facetcare._policy_checks import (
    modalities as _modalities,
)
from facetcare._policy_checks import (
    not_below as _not_below,
)
from facetcare._policy_checks import (
    optional_codes as _optional_codes,
)
from facetcare._policy_checks import (
    optional_fraction as _optional_fraction,
)
from facetcare._policy_checks import (
    optional_members as _optional_members,
)
from facetcare._policy_checks import (
    positive_duration as _positive_duration,
)
from facetcare._policy_checks import (
    regions as _regions,
)
from facetcare._policy_checks import (
    seconds as _seconds,
)
from facetcare._policy_checks import (
    sedation as _sedation,
)
from facetcare._policy_checks import (
    share as _share,
)
from facetcare._policy_checks import (
    time_zone as _time_zone,
)
from facetcare.anatomy import Region
from facetcare.vocabulary import (
    Agent,
    Guidance,
    Modality,
    ReliefMeasure,
    Sedation,
    optional_member,
)

__all__ = ["Agent", "Guidance", "Modality", "Policy", "ReliefMeasure", "Sedation"]

MINUTES = dt.timedelta(minutes=1)
HOURS = dt.timedelta(hours=1)
DAYS = dt.timedelta(days=1)
THREE_MONTHS = 91 * DAYS
SIX_MONTHS = 183 * DAYS
TWO_YEARS = 730 * DAYS


_flag = _validate.flag
_duration = _validate.duration

#: The version of each shipped profile's values. A change of any value of a
#: profile bumps its version (and keeps the old values readable in
#: `facetcare.documents`), so a document naming a profile and version names
#: exactly one set of values.
PROFILE_VERSIONS: dict[str, int] = {
    "seed": 1,
    "medicare-l38803": 2,  # issue 9: 80 °C covered, 2 neurotomy levels, no block gap, ...
    "consensus-2020": 2,  # issue 9: lumbar only, fluoroscopy for the neurotomy
    "consensus-cervical-2022": 1,
    "evicore-cmm208": 1,
}


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

    # -- what the payer documents (docs/payer-rules.md); the defaults are "no
    # such rule", as every profile before them behaved --
    #: The spinal regions the profile covers; None: every region (`region_not_covered`).
    regions: tuple[Region, ...] | None = attrs.field(
        default=None, converter=_regions, validator=_optional_members(Region))
    #: Weeks of conservative care the referral must report (`entry_criteria`).
    entry_min_conservative_care_weeks: int | None = attrs.field(
        default=None, converter=_validate.plain_int, validator=_limit)
    #: Predominantly axial pain must be documented (`not_axial`).
    entry_requires_axial_pain: bool = attrs.field(default=False, validator=_flag)
    #: A baseline score on a pain or disability instrument (`no_baseline_function`).
    entry_requires_baseline_function: bool = attrs.field(default=False, validator=_flag)
    #: Untreated radiculopathy or neurogenic claudication must be absent (`radicular_pain`).
    entry_excludes_radicular_pain: bool = attrs.field(default=False, validator=_flag)
    #: A non-facet cause must have been excluded (`non_facet_cause`).
    entry_requires_non_facet_cause_excluded: bool = attrs.field(default=False, validator=_flag)
    #: The ICD-10-CM codes that support the procedure; None: no rule (`diagnosis_not_covered`).
    covered_diagnoses: tuple[str, ...] | None = attrs.field(
        default=None, converter=_codes, validator=_optional_codes)
    #: "More than" rather than "at least" the relief threshold (Hurley 2022: > 50%).
    relief_threshold_strict: bool = attrs.field(default=False, validator=_flag)
    #: How a block's relief is read from its diary (docs/payer-rules.md#relief).
    relief_measure: ReliefMeasure = attrs.field(
        default=ReliefMeasure.BEST, converter=_measure,
        validator=_validate.kind_of(ReliefMeasure))
    #: Diary entries a positive block needs (with SUSTAINED: up to ``relief_window_min``).
    relief_min_entries: int = attrs.field(default=1, converter=_validate.plain_int,
                                          validator=_count)
    #: Imaging a block / a neurotomy may be guided by; None: no rule (`imaging_guidance`).
    block_guidance: tuple[Guidance, ...] | None = attrs.field(
        default=None, converter=_guidances, validator=_optional_members(Guidance))
    neurotomy_guidance: tuple[Guidance, ...] | None = attrs.field(
        default=None, converter=_guidances, validator=_optional_members(Guidance))
    #: The deepest sedation at which a block still counts as diagnostic (`sedation`).
    block_max_sedation: Sedation | None = attrs.field(
        default=None, converter=_sedation, validator=optional_member(Sedation))
    #: The deepest sedation a neurotomy may be done under (`sedation`).
    neurotomy_max_sedation: Sedation | None = attrs.field(
        default=None, converter=_sedation, validator=optional_member(Sedation))
    #: The block's local anaesthetic must be recorded (`anaesthetic_agent`).
    block_agent_required: bool = attrs.field(default=False, validator=_flag)
    #: Lesion modalities covered; None: no rule (`lesion_modality`).
    lesion_modalities: tuple[Modality, ...] | None = attrs.field(
        default=None, converter=_modalities, validator=_optional_members(Modality))
    #: The joints of a neurotomy must be contiguous on each side (`levels_not_contiguous`).
    neurotomy_levels_contiguous: bool = attrs.field(default=False, validator=_flag)

    @relief_window_min.validator
    def _window_min_inside(self, attribute: attrs.Attribute[Any], value: dt.timedelta) -> None:
        if value > self.relief_window_end:
            raise ValueError("relief_window_min must not be later than relief_window_end")

    @relief_min_entries.validator
    def _entries_fit(self, attribute: attrs.Attribute[Any], value: int) -> None:
        if value > 1000:
            raise ValueError(f"{attribute.name} must be at most 1000, got {value}")

    def covers(self, region: Region) -> bool:
        """Whether this policy judges pathways in ``region`` (``regions`` None: every region)."""
        return self.regions is None or region in self.regions

    # -- the named profiles (their values and sources: facetcare._profiles) --

    @property
    def version(self) -> int | None:
        """The shipped profile's version if this policy is exactly that profile, else None.

        None marks a clinic's own policy, or one read from a document whose
        values differ from the profile its name gives (``docs/documents.md``).
        """
        return _shipped_version(self)

    @classmethod
    def seed(cls) -> Policy:
        """The clinic leaflet's pathway, the default (docs/payer-rules.md#profiles).

        What a patient is told (docs/pathway.md#clinical-steps): one
        diagnostic block; relief looked for while the anaesthetic works,
        4–6 h [3.4], and ≥ 50% counts [2.1, 2.2 cut-off]; watched about an
        hour, home with a driver [3.3]; the neurotomy a separate visit,
        60–90 s per lesion [ASPN]; relief judged after about three weeks
        [3.3]. No payer's entry criteria,
        caps, documentation or repeat rules: those belong to the payer
        profiles. It follows no guideline in full (Cohen 2020 wants 80–90 °C
        for ≥ 90 s; see `consensus_2020`).
        """
        return _named(cls, "seed")

    @classmethod
    def medicare_l38803(cls) -> Policy:
        """Medicare LCD L38803 (Noridian JF), its sister LCDs and billing articles [1].

        Every value and its source: `Policy.sources` ("medicare-l38803"),
        docs/payer-rules.md#medicare-corrections-values-changed.
        """
        return _named(cls, "medicare-l38803")

    @classmethod
    def consensus_2020(cls) -> Policy:
        """The 2020 lumbar multisociety consensus (Cohen et al. 2020) [2.1]; lumbar only.

        Cervical pathways use `consensus_cervical_2022`. Values and sources:
        `Policy.sources` ("consensus-2020").
        """
        return _named(cls, "consensus-2020")

    @classmethod
    def consensus_cervical_2022(cls) -> Policy:
        """The 2021/2022 cervical multisociety consensus (Hurley et al. 2022) [2.2]; cervical only.

        6 weeks of conservative care, a single block with > 50% relief, a
        repeat neurotomy after > 30% relief for ≥ 3 months without a new
        block. Values and sources: `Policy.sources` ("consensus-cervical-2022").
        """
        return _named(cls, "consensus-cervical-2022")

    @classmethod
    def evicore_cmm208(cls) -> Policy:
        """eviCore CMM-208, ablation/denervation of nerves (a commercial payer) [5].

        Values and sources: `Policy.sources` ("evicore-cmm208").
        """
        return _named(cls, "evicore-cmm208")

    @classmethod
    def profiles(cls) -> dict[str, Policy]:
        """The named profiles, by the names the CLI and documents use."""
        return {name: _named(cls, name) for name in _profiles.NAMES}

    @staticmethod
    def sources(name: str) -> dict[str, str]:
        """field → where a named profile's value comes from (a key or section, docs/sources.md)."""
        return _profiles.sources(name)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Policy:
        """A clinic's own policy from a ``.toml`` or ``.json`` file.

        The format: docs/payer-rules.md#policy-files.

        Strict: every field present, no unknown key, each value of its
        field's type; anything else is a `SerializationError` naming the field.
        """
        return _file_codec().read(path)

    def to_file(self, path: str | os.PathLike[str]) -> None:
        """Write this policy as ``.toml`` or ``.json`` (by the suffix); `from_file` reads it."""
        _file_codec().write(self, path)


@functools.cache
def _profile(name: str) -> Policy:
    """A named profile; frozen, so one object serves every caller."""
    values = _profiles.values(name)
    missing = {a.name for a in attrs.fields(Policy)} - set(values)
    assert not missing, f"profile {name} does not set {sorted(missing)}"
    return Policy(**values)


def _named(cls: type[Policy], name: str) -> Policy:
    return _profile(name) if cls is Policy else cls(**_profiles.values(name))


class FileCodec(Protocol):
    """Reads and writes policy files; `facetcare._policy_file` is the one implementation.

    It registers itself when facetcare is imported (`register_file_codec`), so
    this module does not import the document codec that imports it.
    """

    def read(self, path: str | os.PathLike[str]) -> Policy: ...

    def write(self, policy: Policy, path: str | os.PathLike[str]) -> None: ...


_CODECS: list[FileCodec] = []


def register_file_codec(codec: FileCodec) -> None:
    _CODECS[:] = [codec]


def _file_codec() -> FileCodec:
    if not _CODECS:
        raise RuntimeError("no policy file codec: import facetcare first")
    return _CODECS[0]



@functools.lru_cache(maxsize=64)
def _shipped_version(policy: Policy) -> int | None:
    version = PROFILE_VERSIONS.get(policy.name)
    if version is None:
        return None
    return version if Policy.profiles()[policy.name] == policy else None
