"""Both outcomes of every guard, as pairs of minimal concrete paths.

A `Check` names one guard (a reason code at one event, sometimes with a
detail such as "minimum" or "after the neurotomy") or one computed branch
edge, says whether the policy can exercise it at all and, if so, builds a
pair of paths: the step refused right at the boundary, and the same step
passing (4 h versus 3 h 59 min; 60 min versus 59 min; one second either
side of a cap's 365 days). Each witness builder declares its check with
`check`, next to the code that builds it, so a new guard is one function;
`CHECKS` lists them in the order declared.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.policy import Policy
from facetcare.testing._report import Path
from facetcare.testing._script import Build

__all__ = ["CHECKS", "Check", "WhyNot", "check", "needs", "unless"]

#: Why a policy cannot exercise a check, or None when it can.
WhyNot = Callable[[Policy], str | None]
REFUSAL = ("refused", "passed")


@attrs.frozen
class Check:
    """One guard (``code`` at ``event``), or a computed-branch edge when ``outcomes`` are stages."""

    code: str
    event: type[ev.Event]
    detail: str
    why_not: WhyNot
    build: Build
    #: The two outcomes shown: a refusal and a pass, or two stages of a computed branch.
    outcomes: tuple[str, str] = REFUSAL

    @property
    def name(self) -> str:
        label = f"{self.code}@{self.event.__name__}"
        return f"{label} ({self.detail})" if self.detail else label

    @property
    def branch(self) -> bool:
        return self.outcomes != REFUSAL

    def keys(self) -> tuple[str, str]:
        """The two outcomes as coverage keys."""
        return (f"{self.name}: {self.outcomes[0]}", f"{self.name}: {self.outcomes[1]}")

    def paths(self, policy: Policy, region: Region) -> list[Path]:
        """The two paths, named by outcome and note, each covering its outcome."""
        built = self.build(policy, region)
        return [attrs.evolve(path, name=f"{key} ({path.name})", covers=(key,),
                             refused=self.code if path.refused == "" else path.refused)
                for path, key in zip(built, self.keys(), strict=True)]


#: Every check, in the order the witness modules declare them.
CHECKS: list[Check] = []


def always(policy: Policy) -> str | None:
    return None


def needs(field: str, why: str) -> WhyNot:
    """Coverable when the policy sets ``field``."""
    return unless(lambda p: getattr(p, field) is None, f"{why} ({field} is None)")


def unless(cannot: Callable[[Policy], bool], why: str) -> WhyNot:
    """Coverable unless ``cannot(policy)``; then ``why`` says so."""
    return lambda policy: why if cannot(policy) else None


def check(code: str, event: type[ev.Event], detail: str = "", why_not: WhyNot = always,
          outcomes: tuple[str, str] = REFUSAL) -> Callable[[Build], Build]:
    """Declare the decorated builder as the witness of one check."""
    def declare(build: Build) -> Build:
        CHECKS.append(Check(code, event, detail, why_not, build, outcomes))
        return build

    return declare
