"""Exact shares (relief thresholds) read from text with bounded work.

A policy's shares and a document's are read by one parser, so "4/5" and
"0.8" mean one `Fraction` everywhere, and ``"1e-99999999"``, which
``Fraction()`` would expand for minutes, is refused at once.
"""

from __future__ import annotations

import re
from fractions import Fraction

#: Digits of a share's numerator or denominator ("4/5": one each).
MAX_SHARE_DIGITS = 20

_SHARE = re.compile(r"(\d{1,20})(?:/(\d{1,20})|\.(\d{1,20}))?", re.ASCII)


def parse_share(value: str) -> Fraction | None:
    """``"4/5"``, ``"1"`` or ``"0.8"`` as an exact `Fraction`, with bounded work.

    ASCII digits only, at most `MAX_SHARE_DIGITS` each side, no exponent and
    no sign, so ``"1e-99999999"`` is refused at once instead of expanded.
    None when the text is not such a share.
    """
    found = _SHARE.fullmatch(value)
    if found is None:
        return None
    whole, below, decimals = found.groups()
    if below is not None:
        return None if int(below) == 0 else Fraction(int(whole), int(below))
    if decimals is not None:
        return Fraction(int(whole + decimals), 10 ** len(decimals))
    return Fraction(int(whole))


def bounded_share(value: Fraction) -> bool:
    """A share whose numerator and denominator a document can carry."""
    limit = 10**MAX_SHARE_DIGITS
    return bool(value.numerator < limit and value.denominator < limit)
