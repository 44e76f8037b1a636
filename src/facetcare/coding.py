"""CPT lines for a performed block or neurotomy: the one place codes are counted.

Billing, the FHIR mapping and the cohort's costs all need the same answer
to "which CPT codes, with which modifiers, does this procedure produce?",
so it is computed here once, from the targets alone.

- Blocks are coded **per level** (joint): 64490 / +64491 / +64492 cervical or
  thoracic, 64493 / +64494 / +64495 lumbar or sacral; the third code covers the
  third and every further level (docs/sources.md#ngs-pa-codes: the NGS
  prior-authorization code list).
- Neurotomies are coded **per joint**: 64633 / +64634 cervical or thoracic,
  64635 / +64636 lumbar or sacral; the add-on is repeated for each additional
  joint (docs/sources.md#ngs-pa-codes).
- The codes are unilateral. Both sides at one level are one line with
  modifier 50 (Medicare's usual form, paid at 150%), or, where a payer asks
  for it, two lines with RT and LT (docs/sources.md#aapc-bilateral, #a57826).
  A one-sided line carries RT or LT.

Levels are ordered top to bottom, so the first (primary) code goes to the
highest level treated. Which level carries the primary code does not change
the codes billed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from facetcare.anatomy import JOINTS, Region, Side

__all__ = ["BilateralStyle", "CptLine", "block_lines", "neurotomy_lines"]

#: (primary, second, third and further) per region group, for blocks.
_BLOCK_CODES = {
    "cervical_thoracic": ("64490", "64491", "64492"),
    "lumbar_sacral": ("64493", "64494", "64495"),
}
#: (primary, each additional) per region group, for neurotomies.
_NEUROTOMY_CODES = {
    "cervical_thoracic": ("64633", "64634"),
    "lumbar_sacral": ("64635", "64636"),
}
_ORDER = {joint: index for index, joint in enumerate(JOINTS)}
_SIDE_MODIFIER = {Side.LEFT: "LT", Side.RIGHT: "RT"}


class BilateralStyle(enum.StrEnum):
    """How both sides of one level are billed."""

    #: One line, modifier 50, one unit (Medicare).
    MODIFIER_50 = "modifier_50"
    #: Two lines, RT and LT (some commercial payers).
    RT_LT = "rt_lt"


@attrs.frozen
class CptLine:
    """One claim line: a CPT code, its modifiers, and the joint it stands for."""

    code: str
    joint: str
    modifiers: tuple[str, ...] = ()
    #: True for an add-on code (written "+64491" in the CPT book).
    add_on: bool = False

    @property
    def bilateral(self) -> bool:
        return "50" in self.modifiers


def _group(region: Region) -> str:
    return "lumbar_sacral" if region is Region.LUMBAR else "cervical_thoracic"


def _levels(targets: Iterable[tuple[str, Side]]) -> list[tuple[str, frozenset[Side]]]:
    sides: dict[str, set[Side]] = {}
    for joint, side in targets:
        sides.setdefault(joint, set()).add(side)
    return [(joint, frozenset(sides[joint])) for joint in sorted(sides, key=_ORDER.__getitem__)]


def _lines(code: str, joint: str, sides: frozenset[Side], add_on: bool,
           style: BilateralStyle) -> list[CptLine]:
    if len(sides) == 2 and style is BilateralStyle.MODIFIER_50:
        return [CptLine(code, joint, ("50",), add_on)]
    return [CptLine(code, joint, (_SIDE_MODIFIER[side],), add_on)
            for side in sorted(sides, key=lambda s: _SIDE_MODIFIER[s], reverse=True)]


def block_lines(targets: Iterable[tuple[str, Side]],
                style: BilateralStyle = BilateralStyle.MODIFIER_50) -> tuple[CptLine, ...]:
    """The claim lines of one block session; ``targets`` are (joint, side) pairs."""
    lines: list[CptLine] = []
    for index, (joint, sides) in enumerate(_levels(targets)):
        codes = _BLOCK_CODES[_group(JOINTS[joint])]
        lines += _lines(codes[min(index, 2)], joint, sides, index > 0, style)
    return tuple(lines)


def neurotomy_lines(targets: Iterable[tuple[str, Side]],
                    style: BilateralStyle = BilateralStyle.MODIFIER_50) -> tuple[CptLine, ...]:
    """The claim lines of one neurotomy session; ``targets`` are (joint, side) pairs."""
    lines: list[CptLine] = []
    for index, (joint, sides) in enumerate(_levels(targets)):
        codes = _NEUROTOMY_CODES[_group(JOINTS[joint])]
        lines += _lines(codes[min(index, 1)], joint, sides, index > 0, style)
    return tuple(lines)
