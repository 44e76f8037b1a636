"""A fee schedule as data, and the cost of a procedure from its CPT lines.

The lines come from `facetcare.coding` (the counting the FHIR mapping uses
too), so what a simulated cohort costs is what it would bill. A `Fee` is a
CPT code's payment with its year, setting and source. Payment rules:

- a bilateral line (modifier 50) is paid at 150% of the code's amount
  ([AAPC-bilateral]: Medicare's usual form, "typically paid at 150%");
- add-on codes (+64491, +64492, +64494, +64495, +64634, +64636) are paid at
  their own amount, once per line;
- amounts are whole cents, so costs add up exactly across chunks.

**The amounts in `DEFAULT` are assumptions.** The reference files give the
codes [6.1] but no Medicare physician fee schedule (PFS) amounts, so the
default schedule carries illustrative national non-facility payments of
the right order, each marked as such. Replace them with the CMS PFS
look-up for your year and locality: ``FeeSchedule.of({...})``, or
``attrs.evolve(DEFAULT, fees=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from facetcare.anatomy import Side
from facetcare.coding import BilateralStyle, CptLine, block_lines, neurotomy_lines

__all__ = ["DEFAULT", "Fee", "FeeSchedule"]

#: Modifier 50: both sides on one line, paid at 150% [6.1].
BILATERAL_PERCENT = 150
_ASSUMED = ("assumption: illustrative amount, not the published CMS PFS figure (the "
            "reference files have none); replace with the PFS look-up")


@attrs.frozen
class Fee:
    """What one CPT code pays, and where that figure comes from."""

    code: str
    cents: int
    year: int
    setting: str
    source: str
    add_on: bool = False


@attrs.frozen
class FeeSchedule:
    """CPT code → `Fee`; `cost` prices a procedure's claim lines."""

    name: str
    fees: tuple[Fee, ...]
    bilateral_percent: int = BILATERAL_PERCENT

    @classmethod
    def of(cls, name: str, dollars: Mapping[str, float], *, year: int, setting: str,
           source: str) -> FeeSchedule:
        """A schedule from ``{code: dollars}``, with one year, setting and source."""
        return cls(name, tuple(Fee(code, round(100 * amount), year, setting, source,
                                   add_on=code in _ADD_ONS)
                               for code, amount in dollars.items()))

    def fee(self, code: str) -> Fee:
        for fee in self.fees:
            if fee.code == code:
                return fee
        raise KeyError(f"the fee schedule {self.name!r} has no amount for CPT {code}")

    def line_cents(self, line: CptLine) -> int:
        cents = self.fee(line.code).cents
        return cents * self.bilateral_percent // 100 if line.bilateral else cents

    def cost_cents(self, lines: Iterable[CptLine]) -> int:
        return sum(self.line_cents(line) for line in lines)

    def block_cents(self, targets: Iterable[tuple[str, Side]]) -> int:
        return self.cost_cents(block_lines(targets, BilateralStyle.MODIFIER_50))

    def neurotomy_cents(self, targets: Iterable[tuple[str, Side]]) -> int:
        return self.cost_cents(neurotomy_lines(targets, BilateralStyle.MODIFIER_50))


_ADD_ONS = frozenset({"64491", "64492", "64494", "64495", "64634", "64636"})

DEFAULT = FeeSchedule.of(
    "illustrative-2024-non-facility",
    {
        "64490": 210.0, "64491": 110.0, "64492": 110.0,  # blocks, cervical/thoracic
        "64493": 190.0, "64494": 105.0, "64495": 105.0,  # blocks, lumbar/sacral
        "64633": 420.0, "64634": 160.0,  # neurotomy, cervical/thoracic
        "64635": 410.0, "64636": 150.0,  # neurotomy, lumbar/sacral
    },
    year=2024, setting="non-facility (office)", source=_ASSUMED,
)
