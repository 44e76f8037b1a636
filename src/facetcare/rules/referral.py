"""Rules on a referral: the payer's entry criteria (docs/rules.md#entry-criteria)."""

from __future__ import annotations

from facetcare import events as ev
from facetcare.codes import ENTRY_CRITERIA
from facetcare.errors import Reason
from facetcare.facts import Facts
from facetcare.policy import Policy
from facetcare.rules._declare import gives

__all__ = ["entry_criteria"]


@gives(ENTRY_CRITERIA)
def entry_criteria(facts: Facts, event: ev.Referred, policy: Policy) -> Reason | None:
    """Payer entry criteria; unknown (None) counts as not met."""
    unmet = []
    needed = policy.entry_min_pain_months
    if needed is not None and (event.pain_months is None or event.pain_months < needed):
        known = "unknown" if event.pain_months is None else f"{event.pain_months} months"
        unmet.append(f"pain for at least {needed} months (referral: {known})")
    care_failed = event.conservative_care_failed
    if policy.entry_requires_failed_conservative_care and care_failed is not True:
        known = "unknown" if care_failed is None else "not failed"
        unmet.append(f"failed conservative care (referral: {known})")
    if unmet:
        return Reason(ENTRY_CRITERIA, f"{policy.name} requires " + " and ".join(unmet))
    return None
