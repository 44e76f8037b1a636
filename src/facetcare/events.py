"""What can happen to a patient on the pathway, and the values events carry.

Events are facts with a clinical time ``at`` (timezone-aware; facetcare never
reads the clock). They are frozen and keyword-only so a stored event log
reads unambiguously. The values they carry (`Target`, `PainEntry`, `Lesion`,
`PriorProcedure`) live in `facetcare._event_values` and are exported here.

A bad value fails here, at construction, with the field named; whether an
event is *allowed* is the pathway's business (see `facetcare.rules`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from facetcare import _validate as v
from facetcare._correction_events import (
    CORRECTION_TYPES,
    Amended,
    Correction,
    EnteredInError,
    LateEntry,
)
from facetcare._event import Event
from facetcare._event_values import Lesion, PainEntry, PriorProcedure, Target
from facetcare.anatomy import Region, Side
from facetcare.policy import Policy
from facetcare.vocabulary import (
    Agent,
    FunctionalScale,
    Guidance,
    Modality,
    Sedation,
    as_agent,
    as_guidance,
    as_scale,
    as_sedation,
    normalise_icd10,
    optional_member,
    valid_icd10,
)

__all__ = [
    "Agent",
    "Amended",
    "BlockPerformed",
    "BlockScheduled",
    "CheckedIn",
    "Closed",
    "Correction",
    "Discharged",
    "EnteredInError",
    "Event",
    "FollowUpRecorded",
    "FunctionalScale",
    "Guidance",
    "LateEntry",
    "Lesion",
    "Modality",
    "NeurotomyPerformed",
    "NeurotomyScheduled",
    "PainEntry",
    "PainReturned",
    "PolicyChanged",
    "PriorProcedure",
    "Referred",
    "Region",
    "ReliefAssessed",
    "ReliefDiaryRecorded",
    "Sedation",
    "Side",
    "Target",
    "VisitCancelled",
    "VisitMissed",
    "Withdrawn",
]


def _region(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Region):
        value = str.__str__(value)  # the enum looks it up by the text's own hash and ==
        try:
            return Region(value)
        except ValueError:
            raise ValueError(
                f"region must be one of {[r.value for r in Region]}, got {value!r}"
            ) from None
    return value


def _targets() -> object:
    return attrs.field(converter=v.as_tuple, validator=_target_list)


_all_targets = v.members_of(Target)


def _target_list(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """`members_of` Target then `_no_duplicates`, as one validator.

    One or two distinct targets (every booking and block the simulator makes,
    and most a clinic sends) pass one test here, instead of two calls through
    attrs' validator chain; anything else is judged by the two in order, so
    what is refused, and the message, are theirs.
    """
    if type(value) is tuple:
        if len(value) == 1:
            if type(value[0]) is Target:
                return
        elif len(value) == 2 and type(value[0]) is Target and type(value[1]) is Target \
                and value[0] != value[1]:
            return
    _all_targets(instance, attribute, value)
    _no_duplicates(instance, attribute, value)


def _no_duplicates(
    _: object, attribute: attrs.Attribute[object], value: tuple[object, ...]
) -> None:
    if len(value) == 2 and value[0] != value[1]:
        return  # the usual pair (both sides of a level, or two levels): no set to hash
    if len(set(value)) != len(value):
        raise ValueError(f"{attribute.name} must not repeat a target")


def _prior_before_referral(
    instance: Referred, attribute: attrs.Attribute[Any], value: tuple[PriorProcedure, ...]
) -> None:
    for prior in value:
        if prior.at > instance.at:
            raise ValueError(
                f"{attribute.name}: a {prior.procedure} at {prior.at.isoformat()} is later "
                f"than the referral ({instance.at.isoformat()})"
            )


_all_priors = v.members_of(PriorProcedure, allow_empty=True)


def _prior_list(
    instance: Referred, attribute: attrs.Attribute[Any], value: tuple[PriorProcedure, ...]
) -> None:
    """`members_of` PriorProcedure then `_prior_before_referral`, as one validator.

    No prior procedures (the usual referral) is accepted at once.
    """
    if type(value) is tuple and not value:
        return
    _all_priors(instance, attribute, value)
    _prior_before_referral(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Referred(Event):
    """Referred for facet-pain evaluation: opens a pathway for one region."""

    pathway_id: str = attrs.field(converter=v.plain_str, validator=v.identifier)
    patient_id: str = attrs.field(converter=v.plain_str, validator=v.identifier)
    region: Region = attrs.field(
        converter=_region, validator=v.kind_of(Region)
    )
    pain_months: int | None = attrs.field(default=None, converter=v.plain_int,
                                          validator=v.count)
    conservative_care_failed: bool | None = attrs.field(default=None, validator=v.optional_flag)
    prior_procedures: tuple[PriorProcedure, ...] = attrs.field(
        default=(), converter=v.as_tuple,
        validator=_prior_list,
    )
    # What a payer's entry criteria ask beyond duration (docs/payer-rules.md#entry);
    # None: not documented, which a policy that requires it counts as not met.
    conservative_care_weeks: int | None = attrs.field(default=None, converter=v.plain_int,
                                                      validator=v.count)
    axial_pain: bool | None = attrs.field(default=None, validator=v.optional_flag)
    baseline_function_scale: FunctionalScale | None = attrs.field(
        default=None, converter=as_scale, validator=optional_member(FunctionalScale))
    baseline_function_score: int | None = attrs.field(  # see its validator
        default=None, converter=v.plain_int)
    #: Untreated radiculopathy or neurogenic claudication present (True) or absent (False).
    untreated_radicular_pain: bool | None = attrs.field(default=None, validator=v.optional_flag)
    non_facet_cause_excluded: bool | None = attrs.field(default=None, validator=v.optional_flag)
    #: The ICD-10-CM diagnosis code, e.g. "M47.816"; the format is checked here.
    diagnosis: str | None = attrs.field(
        default=None, converter=normalise_icd10, validator=valid_icd10)

    @baseline_function_score.validator
    def _score_on_its_scale(self, attribute: attrs.Attribute[Any], value: int | None) -> None:
        v.count(self, attribute, value)  # first, as a field validator would (one call, no chain)
        scale = self.baseline_function_scale
        if (value is None) != (scale is None):
            raise ValueError("baseline_function_scale and baseline_function_score go together: "
                             "give both or neither")
        if scale is not None and value is not None and value > scale.maximum:
            raise ValueError(f"baseline_function_score {value} is above the {scale} maximum "
                             f"({scale.maximum})")


def _visit_at(value: object) -> object:
    return v.clinical_time(value, "visit_at")


@attrs.frozen(kw_only=True)
class _Booking(Event):
    visit_id: str = attrs.field(converter=v.plain_str, validator=v.identifier)
    visit_at: dt.datetime = attrs.field(converter=_visit_at)
    targets: tuple[Target, ...] = _targets()  # type: ignore[assignment]
    escort_confirmed: bool = attrs.field(default=False, validator=v.flag)


@attrs.frozen(kw_only=True)
class BlockScheduled(_Booking):
    """A diagnostic medial branch block visit is booked for these targets."""


@attrs.frozen(kw_only=True)
class NeurotomyScheduled(_Booking):
    """A radiofrequency neurotomy visit is booked (a visit of its own)."""


@attrs.frozen(kw_only=True)
class CheckedIn(Event):
    """Arrived for the booked visit; whether a driver home came along."""

    visit_id: str = attrs.field(converter=v.plain_str, validator=v.identifier)
    escort_present: bool = attrs.field(validator=v.flag)


@attrs.frozen(kw_only=True)
class BlockPerformed(Event):
    """Block given; ``baseline_pain`` is the index pain just before it."""

    visit_id: str = attrs.field(converter=v.plain_str, validator=v.identifier)
    targets: tuple[Target, ...] = _targets()  # type: ignore[assignment]
    baseline_pain: int = attrs.field(converter=v.plain_int, validator=v.pain_score)
    # How it was done (docs/payer-rules.md#procedures); None: not recorded.
    guidance: Guidance | None = attrs.field(
        default=None, converter=as_guidance, validator=optional_member(Guidance))
    sedation: Sedation | None = attrs.field(
        default=None, converter=as_sedation, validator=optional_member(Sedation))
    agent: Agent | None = attrs.field(
        default=None, converter=as_agent, validator=optional_member(Agent))


@attrs.frozen(kw_only=True)
class NeurotomyPerformed(Event):
    """Nerves heated; several lesions per nerve and several nerves are usual."""

    visit_id: str = attrs.field(converter=v.plain_str, validator=v.identifier)
    lesions: tuple[Lesion, ...] = attrs.field(
        converter=v.as_tuple, validator=v.members_of(Lesion)
    )
    guidance: Guidance | None = attrs.field(
        default=None, converter=as_guidance, validator=optional_member(Guidance))
    sedation: Sedation | None = attrs.field(
        default=None, converter=as_sedation, validator=optional_member(Sedation))


@attrs.frozen(kw_only=True)
class Discharged(Event):
    """Sent home after the block observation or the neurotomy recovery."""

    visit_id: str = attrs.field(converter=v.plain_str, validator=v.identifier)
    escort_present: bool = attrs.field(validator=v.flag)


def _entries_not_after_diary(
    instance: ReliefDiaryRecorded, attribute: attrs.Attribute[object], value: tuple[PainEntry, ...]
) -> None:
    for entry in value:
        if entry.at > instance.at:
            raise ValueError(
                f"{attribute.name}: an entry at {entry.at.isoformat()} is later than the "
                f"diary itself ({instance.at.isoformat()})"
            )


_all_entries = v.members_of(PainEntry)


def _diary_entries(
    instance: ReliefDiaryRecorded, attribute: attrs.Attribute[Any], value: tuple[PainEntry, ...]
) -> None:
    """`members_of` PainEntry then `_entries_not_after_diary`, as one validator.

    A non-empty tuple of entries none later than the diary passes one loop
    here; anything else is judged by the two in order (their refusals and
    messages).
    """
    if type(value) is tuple and value:
        at = instance.at
        for entry in value:
            if type(entry) is not PainEntry or entry.at > at:
                break
        else:
            return
    _all_entries(instance, attribute, value)
    _entries_not_after_diary(instance, attribute, value)


@attrs.frozen(kw_only=True)
class ReliefDiaryRecorded(Event):
    """The patient's pain diary after a block; entries keep their own times."""

    entries: tuple[PainEntry, ...] = attrs.field(
        converter=v.as_tuple, validator=_diary_entries
    )


@attrs.frozen(kw_only=True)
class ReliefAssessed(Event):
    """Conclude the relief assessment; positive or negative is computed."""


@attrs.frozen(kw_only=True)
class FollowUpRecorded(Event):
    """A pain report after the neurotomy; the outcome is computed."""

    pain_score: int = attrs.field(converter=v.plain_int, validator=v.pain_score)


@attrs.frozen(kw_only=True)
class PainReturned(Event):
    """The pain came back after relief."""

    pain_score: int = attrs.field(converter=v.plain_int, validator=v.pain_score)


@attrs.frozen(kw_only=True)
class VisitCancelled(Event):
    """A booked visit is cancelled, before or after check-in."""

    visit_id: str = attrs.field(converter=v.plain_str, validator=v.identifier)
    reason: str = attrs.field(converter=v.plain_str, validator=v.text)


@attrs.frozen(kw_only=True)
class VisitMissed(Event):
    """The patient did not come to a booked visit."""

    visit_id: str = attrs.field(converter=v.plain_str, validator=v.identifier)


@attrs.frozen(kw_only=True)
class Closed(Event):
    """Care on this pathway ended."""

    reason: str = attrs.field(converter=v.plain_str, validator=v.text)


@attrs.frozen(kw_only=True)
class Withdrawn(Event):
    """The patient left the pathway."""

    reason: str = attrs.field(converter=v.plain_str, validator=v.text)


@attrs.frozen(kw_only=True)
class PolicyChanged(Event):
    """The payer or the clinic's rules changed: later events are judged under ``policy``.

    Events accepted before it stay as they were accepted (docs/rules.md#policy-change).
    """

    policy: Policy = attrs.field(validator=v.kind_of(Policy))
    reason: str = attrs.field(converter=v.plain_str, validator=v.text)


#: Every event type, in the order of the DESIGN table; the name is the trigger.
EVENT_TYPES: tuple[type[Event], ...] = (
    Referred,
    BlockScheduled,
    NeurotomyScheduled,
    CheckedIn,
    BlockPerformed,
    NeurotomyPerformed,
    Discharged,
    ReliefDiaryRecorded,
    ReliefAssessed,
    FollowUpRecorded,
    PainReturned,
    VisitCancelled,
    VisitMissed,
    Closed,
    Withdrawn,
    PolicyChanged,
)
EVENT_BY_NAME: dict[str, type[Event]] = {
    kind.__name__: kind for kind in (*EVENT_TYPES, *CORRECTION_TYPES)
}
