"""Rules on a referral: the payer's region and entry criteria (docs/payer-rules.md#entry).

Whatever a policy requires and the referral leaves unknown (None) counts as
not met, so `Pathway.start` refuses it and says what is missing.
"""

from __future__ import annotations

from facetcare import events as ev
from facetcare.codes import (
    DIAGNOSIS_NOT_COVERED,
    ENTRY_CRITERIA,
    NO_BASELINE_FUNCTION,
    NON_FACET_CAUSE,
    NOT_AXIAL,
    RADICULAR_PAIN,
    REGION_NOT_COVERED,
)
from facetcare.errors import Reason
from facetcare.facts import Facts
from facetcare.policy import Policy
from facetcare.rules._declare import gives

__all__ = [
    "diagnosis_not_covered",
    "entry_criteria",
    "no_baseline_function",
    "non_facet_cause",
    "not_axial",
    "radicular_pain",
    "region_not_covered",
]


@gives(REGION_NOT_COVERED)
def region_not_covered(facts: Facts, event: ev.Referred, policy: Policy) -> Reason | None:
    """A guideline for one region does not judge another (Cohen 2020 lumbar, Hurley 2022 neck)."""
    if policy.covers(event.region):
        return None
    covered = ", ".join(str(r) for r in policy.regions or ())
    return Reason(
        REGION_NOT_COVERED,
        f"{policy.name} covers the {covered} region only, not {event.region}",
    )


@gives(ENTRY_CRITERIA)
def entry_criteria(facts: Facts, event: ev.Referred, policy: Policy) -> Reason | None:
    """Pain duration and conservative care; unknown (None) counts as not met."""
    unmet = []
    needed = policy.entry_min_pain_months
    if needed is not None and (event.pain_months is None or event.pain_months < needed):
        known = "unknown" if event.pain_months is None else f"{event.pain_months} months"
        unmet.append(f"pain for at least {needed} months (referral: {known})")
    care_failed = event.conservative_care_failed
    if policy.entry_requires_failed_conservative_care and care_failed is not True:
        known = "unknown" if care_failed is None else "not failed"
        unmet.append(f"failed conservative care (referral: {known})")
    weeks, had = policy.entry_min_conservative_care_weeks, event.conservative_care_weeks
    if weeks is not None and (had is None or had < weeks):
        known = "unknown" if had is None else f"{had} weeks"
        unmet.append(f"at least {weeks} weeks of conservative care (referral: {known})")
    if unmet:
        return Reason(ENTRY_CRITERIA, f"{policy.name} requires " + " and ".join(unmet))
    return None


def _known(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


@gives(NOT_AXIAL)
def not_axial(facts: Facts, event: ev.Referred, policy: Policy) -> Reason | None:
    if not policy.entry_requires_axial_pain or event.axial_pain is True:
        return None
    return Reason(NOT_AXIAL, f"{policy.name} requires predominantly axial pain (referral: "
                             f"{_known(event.axial_pain)})")


@gives(NO_BASELINE_FUNCTION)
def no_baseline_function(facts: Facts, event: ev.Referred, policy: Policy) -> Reason | None:
    if not policy.entry_requires_baseline_function or event.baseline_function_scale is not None:
        return None
    return Reason(NO_BASELINE_FUNCTION,
                  f"{policy.name} requires a baseline score on a pain or disability scale "
                  "(e.g. ODI, NDI); the referral has none")


@gives(RADICULAR_PAIN)
def radicular_pain(facts: Facts, event: ev.Referred, policy: Policy) -> Reason | None:
    if not policy.entry_excludes_radicular_pain or event.untreated_radicular_pain is False:
        return None
    found = "unknown" if event.untreated_radicular_pain is None else "present"
    return Reason(RADICULAR_PAIN,
                  f"{policy.name} requires no untreated radiculopathy or neurogenic "
                  f"claudication (referral: {found})")


@gives(NON_FACET_CAUSE)
def non_facet_cause(facts: Facts, event: ev.Referred, policy: Policy) -> Reason | None:
    if not policy.entry_requires_non_facet_cause_excluded or event.non_facet_cause_excluded:
        return None
    found = "unknown" if event.non_facet_cause_excluded is None else "not excluded"
    return Reason(NON_FACET_CAUSE,
                  f"{policy.name} requires a non-facet cause (fracture, tumour, infection, "
                  f"deformity) to be excluded (referral: {found})")


@gives(DIAGNOSIS_NOT_COVERED)
def diagnosis_not_covered(facts: Facts, event: ev.Referred, policy: Policy) -> Reason | None:
    covered = policy.covered_diagnoses
    if covered is None or event.diagnosis in covered:
        return None
    found = "none recorded" if event.diagnosis is None else event.diagnosis
    return Reason(DIAGNOSIS_NOT_COVERED,
                  f"{policy.name} covers facet procedures for {_ranges(covered)} only "
                  f"(referral: {found})")


def _ranges(codes: tuple[str, ...]) -> str:
    """"M47.812–M47.817, M48.12–M48.17": consecutive codes shown as ranges."""
    groups: list[list[str]] = []
    for code in codes:
        last = groups[-1][-1] if groups else None
        if (last is not None and last[:-1] == code[:-1] and last[-1].isdigit()
                and code[-1].isdigit() and int(code[-1]) == int(last[-1]) + 1):
            groups[-1].append(code)
        else:
            groups.append([code])
    return ", ".join(g[0] if len(g) == 1 else f"{g[0]}–{g[-1]}" for g in groups)
