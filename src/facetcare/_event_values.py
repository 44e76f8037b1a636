"""The values clinical events carry: targets, diary lines, lesions, prior procedures.

Kept apart from `facetcare.events` (which exports everything here) because
they are records inside events rather than things that happen: a `Target`
names a joint on one side, a `PainEntry` one diary line, a `Lesion` one RF
lesion (with its modality, docs/payer-rules.md#procedures), a
`PriorProcedure` what a patient had before the referral. They also take
positional arguments because they are written inline so often.
"""

from __future__ import annotations

import datetime as dt

import attrs

from facetcare import _validate as v
from facetcare.anatomy import JOINTS, NERVES, Region, Side, normalise_joint
from facetcare.vocabulary import Modality, as_modality, optional_member

__all__ = ["Lesion", "PainEntry", "PriorProcedure", "Target"]


def _joint(value: object) -> object:
    return normalise_joint(value) if isinstance(value, str) else value


def _known_joint(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str such as 'L4-L5', got {value!r}")
    if value not in JOINTS:
        raise ValueError(
            f"{attribute.name} {value!r} is not a facet joint "
            "(cervical C2-C3 … C7-T1, thoracic T1-T2 … T12-L1, lumbar L1-L2 … L5-S1)"
        )


def _side(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Side):
        value = str.__str__(value)  # the enum looks it up by the text's own hash and ==
        try:
            return Side(value)
        except ValueError:
            raise ValueError(f"side must be 'left' or 'right', got {value!r}") from None
    return value


@attrs.frozen(order=True, cache_hash=True)  # hashed by every nerve lookup
class Target:
    """A facet joint on one side, e.g. ``Target("L4-L5", Side.LEFT)``.

    A bilateral procedure at one joint is two targets but one level.
    """

    joint: str = attrs.field(converter=_joint, validator=_known_joint)
    side: Side = attrs.field(converter=_side, validator=v.kind_of(Side))

    @property
    def region(self) -> Region:
        return JOINTS[self.joint]

    @property
    def nerves(self) -> tuple[str, ...]:
        """The nerves that supply this joint (docs/rules.md#nerve-supply)."""
        return NERVES[self.joint]


@attrs.frozen
class PainEntry:
    """One pain diary line: NRS 0–10 at a clinical time."""

    at: dt.datetime = attrs.field(converter=v.clinical_time)
    score: int = attrs.field(converter=v.plain_int, validator=v.pain_score)


@attrs.frozen
class Lesion:
    """One radiofrequency lesion: which joint's nerves, for how long, how hot."""

    target: Target = attrs.field(validator=v.kind_of(Target))
    seconds: float = attrs.field(converter=v.plain_float, validator=v.positive_seconds)
    temperature_c: float | None = attrs.field(
        default=None, converter=v.optional_plain_float, validator=v.optional_celsius
    )
    #: How the lesion was made; None: not recorded (docs/payer-rules.md#procedures).
    modality: Modality | None = attrs.field(
        default=None, converter=as_modality, validator=optional_member(Modality))


@attrs.frozen
class PriorProcedure:
    """A block or neurotomy this patient had in this region before the referral.

    The yearly caps and the intervals count them (docs/rules.md#rolling-year):
    a patient re-referred after a closed pathway keeps the procedures already
    performed. A store fills these from the patient's other pathways.
    """

    #: Read as plain text first: a subclass's own ``==`` would match both kinds.
    procedure: str = attrs.field(converter=v.plain_str,
                                 validator=attrs.validators.in_(("block", "neurotomy")))
    at: dt.datetime = attrs.field(converter=v.clinical_time)
    pathway_id: str = attrs.field(converter=v.plain_str, validator=v.identifier)
