"""How a rule is declared: its signature, the code it gives, and its wording helpers.

A rule reads the `Facts`, the event and the `Policy` and returns a `Reason`
when it refuses, else None; it never changes anything, so `check()` can run
them all and `apply()` runs them once. `gives` records the reason code a
rule can give, so the diagram and the docs name it from data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar

from facetcare.codes import CODES
from facetcare.errors import Reason
from facetcare.facts import Facts
from facetcare.policy import Policy

__all__ = ["CODE_OF", "Rule", "gives", "percent", "span", "when"]

Rule = Callable[[Facts, Any, Policy], Reason | None]

#: rule → the reason code it gives when it refuses; filled by `gives`.
CODE_OF: dict[Rule, str] = {}
_R = TypeVar("_R", bound=Callable[..., Reason | None])


def gives(code: str) -> Callable[[_R], _R]:
    """Declare the reason code a rule gives, so diagrams and docs can name it."""
    if code not in CODES:
        raise ValueError(f"{code!r} is not a reason code declared in facetcare.codes")

    def declare(rule: _R) -> _R:
        CODE_OF[rule] = code
        return rule

    return declare


def span(delta: dt.timedelta) -> str:
    """A duration the way a clinic says it: "7 h 5 min", "14 d", "-30 min"."""
    sign = "-" if delta < dt.timedelta(0) else ""
    total = abs(int(delta.total_seconds()))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{days} d" * bool(days), f"{hours} h" * bool(hours),
             f"{minutes} min" * bool(minutes), f"{seconds} s" * bool(seconds)]
    return sign + (" ".join(p for p in parts if p) or "0 min")


def when(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="minutes")


def percent(share: Fraction) -> str:
    return f"{float(share) * 100:.0f}%"
