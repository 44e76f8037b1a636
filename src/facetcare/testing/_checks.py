"""Both outcomes of every guard, as pairs of minimal concrete paths.

A `Check` names one guard (a reason code at one event, sometimes with a
detail such as "minimum" or "after the neurotomy") or one computed branch
edge, says whether the policy can exercise it at all and, if so, builds a
pair of cases: the step refused right at the boundary, and the same step
passing (4 h versus 3 h 59 min; 60 min versus 59 min; one second either
side of a cap's 365 days). Time boundaries are read from the policy, so a
clinic's own profile gets its own edges.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.policy import Policy
from facetcare.testing import _witness_bookings as wb
from facetcare.testing import _witness_payer as wp
from facetcare.testing import _witness_visits as wv
from facetcare.testing._cases import Build, Case
from facetcare.testing._script import BASELINE, MINUTE

__all__ = ["CHECKS", "Check"]


WhyNot = Callable[[Policy], str | None]


@attrs.frozen
class Check:
    """One guard (``code`` at ``event``), or a computed-branch edge when ``outcomes`` are stages."""

    code: str
    event: type[ev.Event]
    detail: str
    why_not: WhyNot
    build: Build
    #: The two outcomes shown: a refusal and a pass, or two stages of a computed branch.
    outcomes: tuple[str, str] = ("refused", "passed")

    @property
    def name(self) -> str:
        label = f"{self.code}@{self.event.__name__}"
        return f"{label} ({self.detail})" if self.detail else label

    @property
    def branch(self) -> bool:
        return self.outcomes != ("refused", "passed")

    def cases(self, policy: Policy, region: Region) -> tuple[Case, Case]:
        first, second = self.build(policy, region)
        if self.branch:
            return first, second
        return attrs.evolve(first, refused=self.code), second

    def keys(self) -> tuple[str, str]:
        """The two outcomes as coverage keys."""
        return (f"{self.name}: {self.outcomes[0]}", f"{self.name}: {self.outcomes[1]}")


def _always(policy: Policy) -> str | None:
    return None


def _needs(field: str, why: str) -> WhyNot:
    def why_not(policy: Policy) -> str | None:
        return None if getattr(policy, field) is not None else f"{why} ({field} is None)"

    return why_not


def _observing(p: Policy) -> str | None:
    if p.block_observation < MINUTE:
        return "block_observation is under a minute: nothing to refuse"
    return None


def _recovering(p: Policy) -> str | None:
    if p.neurotomy_recovery < MINUTE:
        return "neurotomy_recovery is under a minute: nothing to refuse"
    return None


def _window_min(p: Policy) -> str | None:
    return "relief_window_min is under a minute" if p.relief_window_min < MINUTE else None


def _threshold_edge(field: str) -> WhyNot:
    def why_not(p: Policy) -> str | None:
        if wv.edge_score(getattr(p, field)) + 1 > BASELINE:
            return f"{field} is 0: every score counts as relief"
        return None

    return why_not


E = ev


def _flag(field: str, why: str) -> WhyNot:
    def why_not(policy: Policy) -> str | None:
        return None if getattr(policy, field) else f"{why} ({field} is off)"

    return why_not


def _sedation_rule(field: str) -> WhyNot:
    def why_not(policy: Policy) -> str | None:
        deepest = getattr(policy, field)
        if deepest is None:
            return f"no sedation rule ({field} is None)"
        return "general anaesthesia allowed: nothing deeper" if deepest.depth >= 4 else None

    return why_not


#: The payer's documentation rules (docs/payer-rules.md), each at its edge.
PAYER_CHECKS: tuple[Check, ...] = (
    Check("region_not_covered", E.Referred, "", _needs("regions", "every region covered"),
          wp.region),
    Check("not_axial", E.Referred, "", _flag("entry_requires_axial_pain", "no axial rule"),
          wp.referral_finding("axial_pain", None, True)),
    Check("no_baseline_function", E.Referred, "",
          _flag("entry_requires_baseline_function", "no baseline rule"), wp.no_baseline),
    Check("radicular_pain", E.Referred, "",
          _flag("entry_excludes_radicular_pain", "no radicular rule"),
          wp.referral_finding("untreated_radicular_pain", True, False)),
    Check("non_facet_cause", E.Referred, "",
          _flag("entry_requires_non_facet_cause_excluded", "no non-facet rule"),
          wp.referral_finding("non_facet_cause_excluded", None, True)),
    Check("diagnosis_not_covered", E.Referred, "",
          _needs("covered_diagnoses", "no diagnosis rule"), wp.diagnosis),
    Check("levels_not_contiguous", E.NeurotomyScheduled, "",
          _flag("neurotomy_levels_contiguous", "no contiguity rule"), wp.non_contiguous),
    Check("target_mismatch", E.NeurotomyPerformed, "", _always, wp.lesion_target),
    Check("imaging_guidance", E.BlockPerformed, "", _needs("block_guidance", "no guidance rule"),
          wp.guidance(E.BlockPerformed)),
    Check("imaging_guidance", E.NeurotomyPerformed, "",
          _needs("neurotomy_guidance", "no guidance rule"),
          wp.guidance(E.NeurotomyPerformed)),
    Check("sedation", E.BlockPerformed, "", _sedation_rule("block_max_sedation"),
          wp.sedation(E.BlockPerformed)),
    Check("sedation", E.NeurotomyPerformed, "", _sedation_rule("neurotomy_max_sedation"),
          wp.sedation(E.NeurotomyPerformed)),
    Check("anaesthetic_agent", E.BlockPerformed, "",
          _flag("block_agent_required", "no agent rule"), wp.agent),
    Check("lesion_modality", E.NeurotomyPerformed, "",
          _needs("lesion_modalities", "no modality rule"), wp.modality),
)

CHECKS: tuple[Check, ...] = (
    Check("invalid_transition", E.CheckedIn, "not valid in the stage", _always, wb.not_in_stage),
    Check("invalid_transition", E.BlockScheduled, "after a final stage", _always, wb.after_final),
    Check("out_of_order", E.BlockScheduled, "", _always, wb.out_of_order),
    Check("entry_criteria", E.Referred, "pain duration",
          _needs("entry_min_pain_months", "no minimum pain duration"), wb.pain_months),
    Check("entry_criteria", E.Referred, "conservative care",
          lambda p: None if p.entry_requires_failed_conservative_care
          else "failed conservative care is not required", wb.care),
    Check("visit_in_past", E.BlockScheduled, "", _always, wb.block_in_past),
    Check("visit_in_past", E.NeurotomyScheduled, "", _always, wb.neurotomy_in_past),
    Check("block_interval", E.BlockScheduled, "",
          _needs("min_block_gap", "no minimum gap between blocks"), wb.block_interval),
    Check("annual_limit", E.BlockScheduled, "",
          _needs("max_blocks_per_year", "no cap on blocks per 12 months"), wb.block_cap),
    Check("annual_limit", E.NeurotomyScheduled, "",
          _needs("max_neurotomies_per_year", "no cap on neurotomies per 12 months"),
          wb.neurotomy_cap),
    Check("too_many_levels", E.BlockScheduled, "",
          _needs("max_block_levels", "no cap on joints per block session"), wb.block_levels),
    Check("too_many_levels", E.NeurotomyScheduled, "",
          _needs("max_neurotomy_levels", "no cap on joints per neurotomy session"),
          wb.neurotomy_levels),
    Check("no_positive_block", E.NeurotomyScheduled, "",
          lambda p: None if p.blocks_required > 1 else "one positive block is required, and "
          "block_positive is only reached with one", wb.no_positive),
    Check("untested_target", E.NeurotomyScheduled, "unblocked nerves", _always,
          wb.untested_booking),
    Check("untested_target", E.NeurotomyScheduled, "repeat on other nerves", _always,
          wb.untested_repeat),
    Check("untested_target", E.NeurotomyPerformed, "", _always, wb.untested_lesion),
    Check("same_visit", E.NeurotomyScheduled, "the block's visit id", _always, wb.block_visit_id),
    Check("same_visit", E.NeurotomyScheduled, "same calendar day", _always, wb.same_day),
    Check("same_visit", E.NeurotomyScheduled, "before the assessment", _always,
          wb.before_assessed),
    Check("repeat_too_soon", E.NeurotomyScheduled, "",
          _needs("min_neurotomy_interval", "no minimum interval between neurotomies"),
          wb.repeat_soon),
    Check("insufficient_prior_relief", E.NeurotomyScheduled, "relief too short",
          _needs("repeat_min_relief_duration", "no prior-relief duration rule"),
          wb.relief_too_short),
    Check("insufficient_prior_relief", E.NeurotomyScheduled, "same nerves, no relief",
          lambda p: None if p.repeat_min_relief is not None
          or p.repeat_min_relief_duration is not None
          else "no prior-relief rule (repeat_min_relief and its duration are None)",
          wb.relief_not_shown),
    Check("reblock_required", E.NeurotomyScheduled, "",
          _needs("reblock_after", "repeats never need new blocks"), wb.reblock),
    Check("no_escort", E.CheckedIn, "",
          lambda p: None if p.escort_required else "no escort is required", wv.escort_in),
    Check("no_escort", E.Discharged, "",
          lambda p: None if p.escort_required else "no escort is required", wv.escort_out),
    Check("unknown_visit", E.CheckedIn, "", _always, wv.unknown("check_in")),
    Check("unknown_visit", E.BlockPerformed, "", _always, wv.unknown("perform_block")),
    Check("unknown_visit", E.NeurotomyPerformed, "", _always, wv.unknown("perform_neurotomy")),
    Check("unknown_visit", E.Discharged, "", _always, wv.unknown("discharge")),
    Check("unknown_visit", E.VisitCancelled, "", _always, wv.unknown("cancel")),
    Check("unknown_visit", E.VisitMissed, "", _always, wv.unknown("miss")),
    Check("duplicate_visit", E.BlockScheduled, "", _always, wb.duplicate_block),
    Check("duplicate_visit", E.NeurotomyScheduled, "", _always, wb.duplicate_neurotomy),
    Check("target_mismatch", E.BlockPerformed, "", _always, wv.target_mismatch),
    Check("region_mismatch", E.BlockScheduled, "", _always, wv.region_block),
    Check("region_mismatch", E.NeurotomyScheduled, "", _always, wv.region_neurotomy),
    Check("lesion_duration", E.NeurotomyPerformed, "minimum",
          _needs("lesion_min_seconds", "no minimum lesion duration"), wv.lesion(True, "seconds")),
    Check("lesion_duration", E.NeurotomyPerformed, "maximum",
          _needs("lesion_max_seconds", "no maximum lesion duration"), wv.lesion(False, "seconds")),
    Check("lesion_temperature", E.NeurotomyPerformed, "minimum",
          _needs("lesion_min_temperature_c", "no minimum temperature"),
          wv.lesion(True, "temperature")),
    Check("lesion_temperature", E.NeurotomyPerformed, "maximum",
          _needs("lesion_max_temperature_c", "no maximum temperature"),
          wv.lesion(False, "temperature")),
    Check("lesion_temperature", E.NeurotomyPerformed, "not recorded",
          lambda p: None if p.lesion_min_temperature_c is not None
          or p.lesion_max_temperature_c is not None else "no temperature rule",
          wv.no_temperature),
    Check("observation_incomplete", E.Discharged, "after the block", _observing,
          wv.observation(False)),
    Check("observation_incomplete", E.Discharged, "after the neurotomy", _recovering,
          wv.observation(True)),
    Check("outside_relief_window", E.ReliefDiaryRecorded, "after the window", _always,
          wv.window(False)),
    Check("outside_relief_window", E.ReliefDiaryRecorded, "before the block", _always,
          wv.window(True)),
    Check("relief_window_open", E.ReliefAssessed, "", _window_min, wv.window_open),
    Check("relief_threshold", E.ReliefAssessed, "", _threshold_edge("relief_threshold"),
          wv.block_edge, ("block_positive", "block_negative")),
    Check("neurotomy_success_threshold", E.FollowUpRecorded, "",
          _threshold_edge("neurotomy_success_threshold"), wv.follow_up_edge,
          ("sustained_relief", "follow_up")),
    Check("follow_up_settling", E.FollowUpRecorded, "", _always, wv.settling_edge,
          ("follow_up", "no_relief")),
    *PAYER_CHECKS,
)
