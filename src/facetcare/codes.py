"""Every reason code facetcare can give: the one place each is written.

A code is stable API (scheduling systems switch on it); new ones are added,
existing ones never change meaning. Rules refer to the constants below, so a
code is spelled once and the registry `CODES` is its declaration.
"""

from __future__ import annotations

__all__ = ["CODES", "TIME_CODES"]

#: code → what it means; filled by the declarations below, in this order.
CODES: dict[str, str] = {}


def _declare(code: str, meaning: str) -> str:
    CODES[code] = meaning
    return code


INVALID_TRANSITION = _declare(
    "invalid_transition", "the event is not allowed in the pathway's current stage"
)
OUT_OF_ORDER = _declare("out_of_order", "the event is earlier than the last accepted event")
ENTRY_CRITERIA = _declare(
    "entry_criteria", "the referral does not meet the policy's entry criteria"
)
REGION_NOT_COVERED = _declare(
    "region_not_covered", "the policy does not cover the pathway's spinal region"
)
NOT_AXIAL = _declare(
    "not_axial", "predominantly axial pain is not documented on the referral"
)
NO_BASELINE_FUNCTION = _declare(
    "no_baseline_function", "no baseline score on a pain or disability instrument"
)
RADICULAR_PAIN = _declare(
    "radicular_pain",
    "untreated radiculopathy or neurogenic claudication is present or not ruled out",
)
NON_FACET_CAUSE = _declare(
    "non_facet_cause", "a non-facet cause of the pain has not been excluded"
)
DIAGNOSIS_NOT_COVERED = _declare(
    "diagnosis_not_covered",
    "the ICD-10-CM diagnosis is not recorded or not one the policy covers",
)
VISIT_IN_PAST = _declare("visit_in_past", "the visit is booked for a time before the booking")
BLOCK_INTERVAL = _declare(
    "block_interval", "too soon after the last block for the policy's minimum gap"
)
ANNUAL_LIMIT = _declare("annual_limit", "the policy's cap per rolling 12 months would be exceeded")
TOO_MANY_LEVELS = _declare(
    "too_many_levels", "more facet joints (levels) than the policy allows in one session"
)
NO_POSITIVE_BLOCK = _declare(
    "no_positive_block", "fewer positive blocks than the policy requires before a neurotomy"
)
UNTESTED_TARGET = _declare("untested_target", "a nerve that no qualifying positive block confirmed")
SAME_VISIT = _declare("same_visit", "the neurotomy must be a separate, later visit than the block")
REPEAT_TOO_SOON = _declare(
    "repeat_too_soon", "too soon after the last neurotomy for the policy's minimum interval"
)
INSUFFICIENT_PRIOR_RELIEF = _declare(
    "insufficient_prior_relief", "the last neurotomy did not give enough relief for long enough"
)
REBLOCK_REQUIRED = _declare(
    "reblock_required", "the last neurotomy is too long ago: new diagnostic blocks are needed"
)
NO_ESCORT = _declare("no_escort", "no driver or escort to take the patient home")
UNKNOWN_VISIT = _declare("unknown_visit", "the visit id is not the pathway's open visit")
DUPLICATE_VISIT = _declare("duplicate_visit", "the visit id was already used in this pathway")
TARGET_MISMATCH = _declare(
    "target_mismatch", "a target was treated that the visit was not booked for"
)
REGION_MISMATCH = _declare("region_mismatch", "a target outside the pathway's spinal region")
LESION_DURATION = _declare("lesion_duration", "a lesion shorter or longer than the policy allows")
LESION_TEMPERATURE = _declare(
    "lesion_temperature", "a lesion temperature outside the policy's range, or not recorded"
)
LEVELS_NOT_CONTIGUOUS = _declare(
    "levels_not_contiguous", "the joints of one side are not contiguous levels"
)
IMAGING_GUIDANCE = _declare(
    "imaging_guidance", "the procedure's imaging guidance is not recorded or not covered"
)
SEDATION = _declare(
    "sedation",
    "sedation deeper than the policy allows (a sedated block is not diagnostic), or not recorded",
)
ANAESTHETIC_AGENT = _declare(
    "anaesthetic_agent", "the block's local anaesthetic agent is not recorded"
)
LESION_MODALITY = _declare(
    "lesion_modality", "a lesion modality the policy does not cover, or not recorded"
)
OBSERVATION_INCOMPLETE = _declare(
    "observation_incomplete", "discharge before the policy's observation or recovery time"
)
OUTSIDE_RELIEF_WINDOW = _declare("outside_relief_window", "a diary entry outside the relief window")
RELIEF_WINDOW_OPEN = _declare(
    "relief_window_open", "the relief assessment cannot conclude this early"
)


# -- corrections (docs/corrections.md) --
CORRECTION_CONFLICT = _declare(
    "correction_conflict", "after the correction, an event of the history would be refused"
)
UNKNOWN_EVENT = _declare(
    "unknown_event", "no clinical event at that position of the log, or it was already retracted"
)
AMEND_TYPE_MISMATCH = _declare(
    "amend_type_mismatch", "an amendment must replace an event with one of the same type"
)
DUPLICATE_EVENT_ID = _declare(
    "duplicate_event_id", "the event id was already used in this pathway for different content"
)

#: Codes of the rules that judge a booking's *time*: what `due()` must agree with.
TIME_CODES = frozenset({VISIT_IN_PAST, BLOCK_INTERVAL, ANNUAL_LIMIT, SAME_VISIT, REPEAT_TOO_SOON,
                        REBLOCK_REQUIRED})
