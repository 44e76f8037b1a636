"""Spinal regions, facet joints and the nerves that supply them.

Payers count facet *joints* (levels); a block or a neurotomy acts on the
*nerves* that supply a joint. Each joint has two nerves, named after the
nerve roots above and at its upper vertebra, with two exceptions
(docs/rules.md#nerve-supply, from [LCD-L33930] and [WikiMSK]):

- L5-S1 is supplied by the L4 medial branch and the L5 dorsal ramus;
- C2-C3 is supplied by the third occipital nerve alone.
"""

from __future__ import annotations

import enum
import itertools


class Region(enum.StrEnum):
    """The spinal region a pathway covers; one pathway, one region."""

    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"


class Side(enum.StrEnum):
    LEFT = "left"
    RIGHT = "right"


#: Nerve roots from top to bottom; the nerve "above" a root is its predecessor.
_ROOTS = (
    [f"C{i}" for i in range(2, 9)]
    + [f"T{i}" for i in range(1, 13)]
    + [f"L{i}" for i in range(1, 6)]
)
_VERTEBRAE = (
    [f"C{i}" for i in range(2, 8)]
    + [f"T{i}" for i in range(1, 13)]
    + [f"L{i}" for i in range(1, 6)]
    + ["S1"]
)


def _joints() -> dict[str, Region]:
    joints: dict[str, Region] = {}
    for upper, lower in itertools.pairwise(_VERTEBRAE):
        region = {"C": Region.CERVICAL, "T": Region.THORACIC, "L": Region.LUMBAR}[upper[0]]
        joints[f"{upper}-{lower}"] = region
    return joints


#: Every facet joint facetcare knows, with the region it belongs to:
#: cervical C2-C3 … C7-T1, thoracic T1-T2 … T12-L1, lumbar L1-L2 … L5-S1.
JOINTS: dict[str, Region] = _joints()


def _supply(joint: str) -> tuple[str, ...]:
    upper = joint.split("-", maxsplit=1)[0]
    if joint == "C2-C3":
        return ("third occipital nerve",)
    if joint == "L5-S1":
        return ("L4 medial branch", "L5 dorsal ramus")
    if upper.startswith("C"):
        # Cervical C3-C4 … C7-T1: the medial branches of its two levels
        # (C7-T1 → C7 and C8, the C8 root leaving below C7).
        first = _ROOTS.index(upper)
        return (f"{_ROOTS[first]} medial branch", f"{_ROOTS[first + 1]} medial branch")
    # Thoracic and lumbar Xa-Xb: the medial branches of the level above and of Xa.
    at = _ROOTS.index(upper)
    return (f"{_ROOTS[at - 1]} medial branch", f"{_ROOTS[at]} medial branch")


#: joint → the nerves that carry its pain signals.
NERVES: dict[str, tuple[str, ...]] = {joint: _supply(joint) for joint in JOINTS}


def normalise_joint(joint: str) -> str:
    """Accept "L4–L5" (en dash) and lower case as "L4-L5".

    A ``str`` subclass is read as the plain text it holds (through
    ``str.__str__``) before any of its methods is asked: its own ``strip``,
    ``upper`` or ``__eq__`` could otherwise pass "L9-L9" off as a joint.
    """
    text = str.__str__(joint)
    return text.strip().replace("\u2013", "-").replace("\u2014", "-").upper()
