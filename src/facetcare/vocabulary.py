"""The controlled vocabularies events record and policies name.

A payer judges more than times and scores: how the needle was guided, how
deeply the patient was sedated, which local anaesthetic was used, how the
nerve was lesioned, which scale measured the baseline function and which
ICD-10-CM code the referral carries (docs/payer-rules.md). Each is a closed
list here, so a record either names a known value or is refused at
construction with the field named; a policy lists the values it accepts.

Sources are the sections docs/sources.md#section-map maps to their keys.
"""

from __future__ import annotations

import enum
import re
from typing import Any

import attrs

__all__ = [
    "Agent",
    "FunctionalScale",
    "Guidance",
    "Modality",
    "ReliefMeasure",
    "Sedation",
    "as_agent",
    "as_guidance",
    "as_modality",
    "as_scale",
    "as_sedation",
    "enum_of",
    "normalise_icd10",
    "optional_member",
    "valid_icd10",
]


class ReliefMeasure(enum.StrEnum):
    """How a block's relief is read from the diary (docs/payer-rules.md#relief).

    ``BEST``: the best in-window entry (the lowest score) reaches the
    threshold. ``SUSTAINED``: the relief holds at every entry up to
    ``relief_window_min`` (the expected duration of the agent) and is still
    seen at or after it.
    """

    BEST = "best"
    SUSTAINED = "sustained"


class Guidance(enum.StrEnum):
    """Imaging that guided the needle [1.5, 2.1, 2.2]."""

    FLUOROSCOPY = "fluoroscopy"
    CT = "ct"
    ULTRASOUND = "ultrasound"


class Sedation(enum.StrEnum):
    """Depth of sedation, shallowest first (the ASA continuum; [1.6, 2.1, 3.3]).

    ``NONE`` and ``MINIMAL`` (anxiolysis) leave the patient able to keep a
    reliable pain diary; a payer that says sedation compromises a
    diagnostic block accepts those only.
    """

    NONE = "none"
    MINIMAL = "minimal"
    MODERATE = "moderate"
    DEEP = "deep"
    GENERAL = "general"

    @property
    def depth(self) -> int:
        return _DEPTH[self]


_DEPTH = {level: i for i, level in enumerate(Sedation)}


class Agent(enum.StrEnum):
    """The local anaesthetic of a diagnostic block [2.4 ASIPP, 3.4]."""

    LIDOCAINE = "lidocaine"
    BUPIVACAINE = "bupivacaine"
    ROPIVACAINE = "ropivacaine"


class Modality(enum.StrEnum):
    """How a lesion was made [1.5, 5]: only conventional thermal RF is covered by
    the payers that say so; the others are named in their non-coverage lists."""

    CONVENTIONAL_THERMAL = "conventional_thermal"
    COOLED = "cooled"
    PULSED = "pulsed"
    CRYO = "cryo"
    CHEMICAL = "chemical"
    LASER = "laser"


class FunctionalScale(enum.StrEnum):
    """Pain or disability instruments for the baseline [1.2 Noridian Q&A list].

    The score ranges are the instruments' own (an assumption from their
    published scoring, not a payer rule): ODI 0–100 (%), NDI 0–50 points,
    Roland-Morris 0–24, NRS 0–10, VAS 0–100 mm.
    """

    ODI = "odi"
    NDI = "ndi"
    ROLAND_MORRIS = "roland_morris"
    NRS = "nrs"
    VAS = "vas"

    @property
    def maximum(self) -> int:
        return _MAXIMUM[self]


_MAXIMUM = {
    FunctionalScale.ODI: 100,
    FunctionalScale.NDI: 50,
    FunctionalScale.ROLAND_MORRIS: 24,
    FunctionalScale.NRS: 10,
    FunctionalScale.VAS: 100,
}

#: ICD-10-CM: a letter, a digit, a digit or letter, then optionally a dot and
#: one to four digits or letters (e.g. "M47.816", "M54.5", "S13.4XXA").
_ICD10 = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")


def normalise_icd10(value: object) -> object:
    """Accept "m47.816" and "M47816" as "M47.816"; other values are left to `valid_icd10`.

    A ``str`` subclass is read as the plain text it holds (``str.__str__``)
    before it is normalised: its own ``strip``, ``upper`` or ``__eq__`` must not
    decide whether a payer covers the code.
    """
    if not isinstance(value, str):
        return value
    code = str.__str__(value).strip().upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def valid_icd10(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be an ICD-10-CM code string, got {value!r}")
    if not _ICD10.fullmatch(value):
        raise ValueError(
            f"{attribute.name} {value!r} is not an ICD-10-CM code (a letter, two characters, "
            "then optionally a dot and up to four more, e.g. 'M47.816')"
        )


def enum_of(kind: type[enum.Enum]) -> Any:
    """An attrs converter: a member from its text; anything else is left for the validator.

    Text is read through ``str.__str__`` first: the lookup would otherwise go by
    a subclass's own ``__hash__`` and ``__eq__``, which may name another member.
    """
    values = {member.value: member for member in kind}

    def convert(value: object) -> object:
        if value is None or type(value) is kind:  # the usual case: a member already
            return value
        if isinstance(value, str) and not isinstance(value, kind):
            text = str.__str__(value)
            return values.get(text, text)
        return value

    return convert


def optional_member(kind: type[enum.Enum]) -> Any:
    """An attrs validator: None or a member of ``kind``, the field named when not."""
    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None or isinstance(value, kind):
            return
        allowed = [m.value for m in kind]
        if isinstance(value, str):
            raise ValueError(f"{attribute.name} must be one of {allowed}, got {value!r}")
        raise TypeError(f"{attribute.name} must be one of {allowed} or None, got {value!r}")

    return check


# Named converters for attrs fields (the mypy plugin reads only named ones):
# a member from its text; None, meaning not recorded, stays None.
_AS_GUIDANCE, _AS_SEDATION, _AS_AGENT = enum_of(Guidance), enum_of(Sedation), enum_of(Agent)
_AS_MODALITY, _AS_SCALE = enum_of(Modality), enum_of(FunctionalScale)


def as_guidance(value: object) -> object:
    return _AS_GUIDANCE(value)


def as_sedation(value: object) -> object:
    return _AS_SEDATION(value)


def as_agent(value: object) -> object:
    return _AS_AGENT(value)


def as_modality(value: object) -> object:
    return _AS_MODALITY(value)


def as_scale(value: object) -> object:
    return _AS_SCALE(value)
