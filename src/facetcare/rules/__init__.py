"""The clinical rules: refusals and outcomes, grouped by what they judge.

- `referral`: entry criteria;
- `booking`: booking a block or a neurotomy (intervals, caps, confirmed nerves);
- `visit`: check-in, the procedure, discharge;
- `outcomes`: the relief window, and the decisions positive/negative and
  relieved/settling/not relieved;
- `common`: what every event is judged by.

`RULES` lists, per event type, the rules in the order of the events table
(docs/pathway.md); `COMMON` runs first for every event. Each rule declares
its reason code with `gives`; the codes themselves are written once, in
`facetcare.codes`.
"""

from __future__ import annotations

from facetcare import events as ev
from facetcare.rules._declare import CODE_OF, Rule, gives, span
from facetcare.rules.booking import (
    block_annual_limit,
    block_interval,
    block_levels,
    duplicate_visit,
    insufficient_prior_relief,
    levels_not_contiguous,
    neurotomy_annual_limit,
    neurotomy_levels,
    no_positive_block,
    reblock_required,
    region_mismatch,
    repeat_too_soon,
    same_visit,
    untested_booking,
    visit_in_past,
)
from facetcare.rules.common import invalid_transition, out_of_order
from facetcare.rules.outcomes import BRANCH_OF, outside_relief_window, relief_window_open
from facetcare.rules.referral import (
    diagnosis_not_covered,
    entry_criteria,
    no_baseline_function,
    non_facet_cause,
    not_axial,
    radicular_pain,
    region_not_covered,
)
from facetcare.rules.visit import (
    anaesthetic_agent,
    block_guidance,
    block_sedation,
    lesion_duration,
    lesion_modality,
    lesion_target_mismatch,
    lesion_temperature,
    neurotomy_guidance,
    neurotomy_sedation,
    no_escort,
    observation_incomplete,
    target_mismatch,
    unknown_visit,
    untested_lesion,
)

__all__ = [
    "BRANCH_OF",
    "CODE_OF",
    "COMMON",
    "RULES",
    "Rule",
    "entry_criteria",
    "gives",
    "invalid_transition",
    "out_of_order",
    "span",
]

COMMON: tuple[Rule, ...] = (out_of_order,)

#: Rules per event type, in the order of the events table.
RULES: dict[type[ev.Event], tuple[Rule, ...]] = {
    ev.Referred: (region_not_covered, entry_criteria, not_axial, no_baseline_function,
                  radicular_pain, non_facet_cause, diagnosis_not_covered),
    ev.BlockScheduled: (visit_in_past, block_interval, block_annual_limit, block_levels,
                        region_mismatch, duplicate_visit),
    ev.NeurotomyScheduled: (visit_in_past, no_positive_block, untested_booking, same_visit,
                            repeat_too_soon, insufficient_prior_relief, neurotomy_annual_limit,
                            reblock_required, neurotomy_levels, levels_not_contiguous,
                            region_mismatch, duplicate_visit),
    ev.CheckedIn: (no_escort, unknown_visit),
    ev.BlockPerformed: (unknown_visit, target_mismatch, block_guidance, block_sedation,
                        anaesthetic_agent),
    ev.NeurotomyPerformed: (lesion_duration, lesion_temperature, lesion_modality,
                            untested_lesion, lesion_target_mismatch, unknown_visit,
                            neurotomy_guidance, neurotomy_sedation),
    ev.Discharged: (no_escort, observation_incomplete, unknown_visit),
    ev.ReliefDiaryRecorded: (outside_relief_window,),
    ev.ReliefAssessed: (relief_window_open,),
    ev.FollowUpRecorded: (),
    ev.PainReturned: (),
    ev.VisitCancelled: (unknown_visit,),
    ev.VisitMissed: (unknown_visit,),
    ev.Closed: (),
    ev.Withdrawn: (),
    ev.PolicyChanged: (),
}
