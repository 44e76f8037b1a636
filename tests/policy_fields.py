"""What each policy field means, which rule reads it, and why each profile has its value.

The data `tests/docgen.py` renders into ``docs/policies.md``: what the code
cannot know is written here once. Each entry names the rule that reads the
field (an anchor of ``docs/``) and, per profile, the source of its value
with the keys of ``docs/sources.md`` in brackets. A ``"*"`` entry documents
any profile whose value equals the seed's (a profile made with
``attrs.evolve(Policy.seed(), ...)`` inherits the seed's justification only
for what it did not change).
"""

from __future__ import annotations

import attrs


@attrs.frozen
class FieldDoc:
    """What a policy field means, where it is used, and why each profile has its value."""

    label: str
    #: Where the rule that reads it is described, e.g. "rules.md#block-interval".
    used_by: str
    #: profile name (or "*": any profile whose value equals the seed's) → source.
    sources: dict[str, str]


_NO_PAYER_RULE = "none: the seed leaves payer limits to the payer profiles (assumption)"
_NOT_IN_EVICORE = "none: not in the gathered summary of [eviCore-CMM-208]"
_NOT_IN_LUMBAR = "none: no such rule in the gathered tables of [Cohen2020]"
_NOT_IN_CERVICAL = "none: no such rule in the gathered tables of [Hurley2022]"
_NO_LESION_CERVICAL = "none: no lesion parameters in the gathered tables of [Hurley2022]"
_NO_LESION_EVICORE = ("none: the gathered summary of [eviCore-CMM-208] limits the modality "
                      "(lesion_modalities), not the lesion's duration or temperature")

#: The fields of the release before the payer profiles (0.1.0 and schema @2's calendar).
CORE_FIELDS: dict[str, FieldDoc] = {
    "entry_min_pain_months": FieldDoc(
        "Entry: pain lasting at least (months)", "rules.md#entry-criteria", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[NGS-PA], [CGS-OPD]: pain for ≥ 3 months",
            "consensus-2020": "[Cohen2020]: a 3-month trial of conservative care (Grade C)",
            "consensus-cervical-2022": "none: [Hurley2022] sets a trial of conservative care "
                                       "in weeks (entry_min_conservative_care_weeks), not a "
                                       "pain duration",
            "evicore-cmm208": "[eviCore-CMM-208]: ≥ 3 months of pain",
        }),
    "entry_requires_failed_conservative_care": FieldDoc(
        "Entry: failed conservative care required", "rules.md#entry-criteria", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[NGS-PA], [CGS-OPD]: documented failure of noninvasive "
                               "conservative care",
            "consensus-2020": "[Cohen2020]: conservative care is tried first",
            "consensus-cervical-2022": "[Hurley2022]: a trial of conservative therapy first "
                                       "(Table 23)",
            "evicore-cmm208": "[eviCore-CMM-208]: failed conservative care",
        }),
    "escort_required": FieldDoc(
        "Driver (escort) at check-in and discharge", "rules.md#no-escort", {
            "*": "[Clinic-info]: clinics ask for a driver home (LOW: clinic practice; no "
                 "guideline or payer rule was found)",
        }),
    "block_observation": FieldDoc(
        "Observation after a block, before discharge", "rules.md#observation-incomplete", {
            "*": "[Clinic-info]: 30–60 min of observation after a block; the upper end (LOW)",
        }),
    "neurotomy_recovery": FieldDoc(
        "Recovery after a neurotomy, before discharge", "rules.md#observation-incomplete", {
            "*": "assumption: the lower end of the 30–60 min clinics give after a block "
                 "[Clinic-info]; no source gives a recovery time after RF",
        }),
    "relief_window_end": FieldDoc(
        "Relief window closes after the block", "rules.md#relief-window", {
            "*": "[Relief-window-info]: the 4–6 h anaesthetic window told to patients "
                 "(LOW–MED); no per-agent window was found",
        }),
    "relief_window_min": FieldDoc(
        "Relief assessment may conclude from", "rules.md#relief-window-open", {
            "*": "[Relief-window-info]: the lower end of the 4–6 h window (LOW–MED); under "
                 "the sustained measure also the duration the relief must last",
        }),
    "relief_threshold": FieldDoc(
        "Positive block: relief at least", "rules.md#positive-block", {
            "*": "[Cohen2020]: a positive block is ≥ 50% relief",
            "medicare-l38803": "[CGS-OPD]: a consistent ≥ 80% relief of the index pain",
            "consensus-cervical-2022": "[Hurley2022]: more than 50% relief "
                                       "(relief_threshold_strict)",
            "evicore-cmm208": "[eviCore-CMM-208]: ≥ 80% relief for the anesthetic's duration",
        }),
    "blocks_required": FieldDoc(
        "Positive blocks before a neurotomy", "rules.md#no-positive-block", {
            "*": "[Cohen2020], [Hurley2022]: a single block in practice (dual blocks "
                 "\"not routinely\")",
            "medicare-l38803": "[CGS-OPD]: two diagnostic procedures before therapy",
            "evicore-cmm208": "[eviCore-CMM-208]: two sequential blocks at the same level",
        }),
    "min_block_gap": FieldDoc(
        "Minimum gap between blocks", "rules.md#block-interval", {
            "seed": "none: a single block is needed and no source sets a gap before "
                    "another (assumption)",
            "consensus-2020": "none: a single block in practice [Cohen2020]; no gap set",
            "consensus-cervical-2022": "none: a single block in practice [Hurley2022]; no "
                                       "gap set",
            "medicare-l38803": "none: the ≥ 2-week interval comes from [Rubric] (MED/LOW) "
                               "and [InterQual] (2–4 weeks, LOW) only, not seen in the LCD; "
                               "a clinic that wants it sets it in its own policy",
            "evicore-cmm208": "none: no interval between the two blocks in the gathered "
                              "summary of [eviCore-CMM-208]",
        }),
    "max_block_levels": FieldDoc(
        "Joints (levels) per block session", "rules.md#too-many-levels", {
            "seed": _NO_PAYER_RULE,
            "consensus-2020": "none: the guidelines set no level cap",
            "consensus-cervical-2022": "none: the guidelines set no level cap [Hurley2022]",
            "medicare-l38803": "[A57787], [Noridian-QA]: 1–2 levels per session; a 3rd "
                               "level is not covered ([CGS-2024])",
            "evicore-cmm208": "none: [eviCore-CMM-208] is the ablation guideline; its "
                              "level cap is for RF (max_neurotomy_levels)",
        }),
    "max_blocks_per_year": FieldDoc(
        "Blocks per region per rolling 12 months", "rules.md#annual-limit", {
            "seed": _NO_PAYER_RULE,
            "consensus-2020": "none: the guidelines set no cap",
            "consensus-cervical-2022": "none: the guidelines set no cap [Hurley2022]",
            "medicare-l38803": "[Noridian-QA]: up to 4 diagnostic injection sessions per "
                               "region per rolling 12 months",
            "evicore-cmm208": "none: [eviCore-CMM-208] caps RF procedures, not blocks",
        }),
    "lesion_min_seconds": FieldDoc(
        "Lesion duration at least", "rules.md#lesion-duration", {
            "seed": "[ASPN]: 60–90 s per lesion (MED)",
            "medicare-l38803": "none: no duration rule in the LCD material",
            "consensus-2020": "[Cohen2020]: ≥ 1.5 min per lesion in practice",
            "consensus-cervical-2022": _NO_LESION_CERVICAL,
            "evicore-cmm208": _NO_LESION_EVICORE,
        }),
    "lesion_max_seconds": FieldDoc(
        "Lesion duration at most", "rules.md#lesion-duration", {
            "seed": "[ASPN]: 60–90 s per lesion (MED)",
            "medicare-l38803": "none: no duration rule in the LCD material",
            "consensus-2020": "none: [Cohen2020] gives a minimum only",
            "consensus-cervical-2022": _NO_LESION_CERVICAL,
            "evicore-cmm208": _NO_LESION_EVICORE,
        }),
    "lesion_min_temperature_c": FieldDoc(
        "Lesion temperature: lower bound", "rules.md#lesion-temperature", {
            "seed": "none: the seed has no temperature rule (assumption)",
            "medicare-l38803": "[Rubric], [Palmetto-PA]: low-grade thermal (< 80 °C) is not "
                               "covered, so 80 °C is the lower bound",
            "consensus-2020": "[Cohen2020]: 80–90 °C",
            "consensus-cervical-2022": _NO_LESION_CERVICAL,
            "evicore-cmm208": _NO_LESION_EVICORE,
        }),
    "lesion_temperature_strict": FieldDoc(
        "Lesion temperature: lower bound excluded (\"above\")", "rules.md#lesion-temperature", {
            "seed": "no temperature rule",
            "medicare-l38803": "[Rubric]: the exclusion reads \"low-grade thermal (< 80 °C)\": "
                               "80 °C itself is covered",
            "consensus-2020": "[Cohen2020]: 80–90 °C, both ends included",
            "consensus-cervical-2022": "no temperature rule",
            "evicore-cmm208": "no temperature rule",
        }),
    "lesion_max_temperature_c": FieldDoc(
        "Lesion temperature: upper bound", "rules.md#lesion-temperature", {
            "seed": "none: the seed has no temperature rule (assumption)",
            "medicare-l38803": "none: the LCD material sets a lower bound only",
            "consensus-2020": "[Cohen2020]: 80–90 °C",
            "consensus-cervical-2022": _NO_LESION_CERVICAL,
            "evicore-cmm208": _NO_LESION_EVICORE,
        }),
    "max_neurotomy_levels": FieldDoc(
        "Joints (levels) per neurotomy session", "rules.md#too-many-levels", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[A57826]: the 1–2 level limit applies to all facet "
                               "interventions; [CGS-2024]: a 3rd or 4th level is never "
                               "covered (MED: A57826 was read through a summary)",
            "consensus-2020": "none: the guidelines set no level cap",
            "consensus-cervical-2022": "none: the guidelines set no level cap [Hurley2022]",
            "evicore-cmm208": "[eviCore-CMM-208]: up to 3 contiguous levels per side "
                              "(facetcare counts joints across both sides)",
        }),
    "max_neurotomies_per_year": FieldDoc(
        "Neurotomies per region per rolling 12 months", "rules.md#annual-limit", {
            "seed": _NO_PAYER_RULE,
            "consensus-2020": "none: the guidelines set no cap",
            "consensus-cervical-2022": "none: the guidelines set no cap [Hurley2022]",
            "medicare-l38803": "[Noridian-QA]: at most 2 RF sessions per region per "
                               "rolling 12 months",
            "evicore-cmm208": "[eviCore-CMM-208]: ≤ 2 procedures per rolling 12 months",
        }),
    "neurotomy_success_threshold": FieldDoc(
        "Neurotomy success at follow-up: relief at least", "rules.md#follow-up-outcome", {
            "*": "[Cohen2010], [Lord1996], [Smuck2012], [Burnham2022]: success is ≥ 50% relief",
        }),
    "follow_up_settling": FieldDoc(
        "Settling period before a follow-up counts as no relief", "rules.md#settling-period", {
            "*": "[MayoConnect]: the full effect can take up to 3 weeks (LOW–MED)",
        }),
    "min_neurotomy_interval": FieldDoc(
        "Minimum interval between neurotomies", "rules.md#repeat-too-soon", {
            "*": "none: no minimum interval in the Medicare material ([Noridian-QA], "
                 "[Rubric]) or the guidelines; commercial payers set 6 months "
                 "([eviCore-CMM-208], [TRICARE-West], [BCBSND])",
            "evicore-cmm208": "[eviCore-CMM-208]: ≥ 6 months (183 d) between procedures, "
                              "read per region",
        }),
    "repeat_min_relief": FieldDoc(
        "Repeat neurotomy: best prior relief at least", "rules.md#insufficient-prior-relief", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[Rubric]: ≥ 50% relief for ≥ 6 months (MED; the LCD "
                               "wording was not retrieved)",
            "consensus-2020": "[Hurley2022]: > 30% relief lasting ≥ 3 months (citing "
                              "IMMPACT and the lumbar guideline)",
            "consensus-cervical-2022": "[Hurley2022]: > 30% relief lasting ≥ 3 months",
            "evicore-cmm208": "[eviCore-CMM-208]: ≥ 50% relief for ≥ 12 weeks",
        }),
    "repeat_relief_strict": FieldDoc(
        "Repeat neurotomy: threshold excluded (\"more than\")",
        "rules.md#insufficient-prior-relief", {
            "seed": "no repeat rule",
            "medicare-l38803": "[Rubric]: \"≥ 50%\"",
            "consensus-2020": "[Hurley2022]: \"> 30%\"",
            "consensus-cervical-2022": "[Hurley2022]: \"> 30%\"",
            "evicore-cmm208": "[eviCore-CMM-208]: \"≥ 50%\"",
        }),
    "repeat_min_relief_duration": FieldDoc(
        "Repeat neurotomy: prior relief lasting at least", "rules.md#insufficient-prior-relief", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[Rubric]: ≥ 6 months (183 d)",
            "consensus-2020": "[Hurley2022]: ≥ 3 months (91 d)",
            "consensus-cervical-2022": "[Hurley2022]: ≥ 3 months (91 d)",
            "evicore-cmm208": "[eviCore-CMM-208]: ≥ 12 weeks (84 d)",
        }),
    "reblock_after": FieldDoc(
        "New blocks needed if the last neurotomy is this old", "rules.md#reblock-required", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[Palmetto-PA]: \"two years or more between RFAs without "
                               "repeat diagnostics\": 730 d itself requires new blocks",
            "consensus-2020": "none: no repeat block before a repeat RF ([Cohen2020], "
                              "[Hurley2022])",
            "consensus-cervical-2022": "none: no repeat diagnostic block before a repeat RF "
                                       "[Hurley2022]",
            "evicore-cmm208": "none: no re-block rule in the gathered summary of "
                              "[eviCore-CMM-208]",
        }),
    "time_zone": FieldDoc(
        "The clinic's time zone (calendar days)", "rules.md#clinic-time-zone", {
            "*": "the clinic's setting, not a clinical value: set it to the clinic's IANA "
                 "zone; the default is UTC",
        }),
    "follow_up_interval": FieldDoc(
        "Routine review while relief lasts, every", "scheduling.md#follow-up-schedule", {
            "*": "assumption: outcome studies judge relief at 3 months ([Cohen2010], "
                 "[Juch2017]), 6 months ([MacVicar2012], [MacVicar2013], [Engel2016], "
                 "[Burnham2022]) and 12 months ([Engel2016]); a review every 3 months "
                 "sees each",
        }),
}

_GUIDELINES_RECOMMEND = "none: the guideline recommends rather than refuses"

#: The fields the payer profiles added (docs/payer-rules.md).
PAYER_FIELDS: dict[str, FieldDoc] = {
    "regions": FieldDoc(
        "Spinal regions the profile covers", "rules.md#region-not-covered", {
            "seed": "every region: the leaflet's pathway is not region-specific",
            "medicare-l38803": "every region: the LCD covers chronic neck and low-back pain "
                               "([NGS-PA]); its codes cover cervical or thoracic and lumbar "
                               "or sacral joints ([NGS-PA-codes])",
            "consensus-2020": "[Cohen2020]: a guideline for lumbar facet joint pain",
            "consensus-cervical-2022": "[Hurley2022]: a guideline for cervical facet joint pain",
            "evicore-cmm208": "every region: the gathered summary of [eviCore-CMM-208] names "
                              "no region limit",
        }),
    "entry_min_conservative_care_weeks": FieldDoc(
        "Entry: conservative care for at least (weeks)", "rules.md#entry-criteria", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "none: [NGS-PA] and [CGS-OPD] ask for failed conservative "
                               "care, with no duration of its own",
            "consensus-2020": "none: the 3-month trial is entry_min_pain_months ([Cohen2020])",
            "consensus-cervical-2022": "[Hurley2022]: 6 weeks of conservative therapy (Table "
                                       "23, Grade C; Table 22 says \"preferably 3 months\", a "
                                       "conflict; Table 23 is followed)",
            "evicore-cmm208": "[eviCore-CMM-208]: ≥ 4 weeks of failed conservative care",
        }),
    "entry_requires_axial_pain": FieldDoc(
        "Entry: predominantly axial pain required", "rules.md#not-axial", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[NGS-PA], [CGS-OPD]: moderate to severe, predominantly "
                               "axial pain",
            "consensus-2020": _NOT_IN_LUMBAR,
            "consensus-cervical-2022": _NOT_IN_CERVICAL,
            "evicore-cmm208": _NOT_IN_EVICORE,
        }),
    "entry_requires_baseline_function": FieldDoc(
        "Entry: baseline score on a pain or disability scale required",
        "rules.md#no-baseline-function", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[NGS-PA]: a functional deficit on a pain or disability "
                               "scale; [Noridian-QA]: the scale at baseline and after each "
                               "diagnostic procedure",
            "consensus-2020": _NOT_IN_LUMBAR,
            "consensus-cervical-2022": _NOT_IN_CERVICAL,
            "evicore-cmm208": _NOT_IN_EVICORE,
        }),
    "entry_excludes_radicular_pain": FieldDoc(
        "Entry: no untreated radiculopathy or neurogenic claudication",
        "rules.md#radicular-pain", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[NGS-PA], [CGS-OPD]: no untreated radiculopathy or "
                               "neurogenic claudication (the facet-cyst exception is not "
                               "modelled)",
            "consensus-2020": _NOT_IN_LUMBAR,
            "consensus-cervical-2022": _NOT_IN_CERVICAL,
            "evicore-cmm208": _NOT_IN_EVICORE,
        }),
    "entry_requires_non_facet_cause_excluded": FieldDoc(
        "Entry: a non-facet cause excluded", "rules.md#non-facet-cause", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[NGS-PA], [CGS-OPD]: no non-facet cause on assessment or "
                               "imaging (fracture, tumour, infection, significant deformity)",
            "consensus-2020": _NOT_IN_LUMBAR,
            "consensus-cervical-2022": _NOT_IN_CERVICAL,
            "evicore-cmm208": _NOT_IN_EVICORE,
        }),
    "covered_diagnoses": FieldDoc(
        "Entry: ICD-10-CM diagnoses covered", "rules.md#diagnosis-not-covered", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[Rubric] from billing article A58403 (MED): M47.812–M47.817, "
                               "M47.892–M47.897, M48.12–M48.17; the code meanings are HIGH "
                               "(sources.md, Codes)",
            "consensus-2020": "none: the guidelines list no diagnosis codes",
            "consensus-cervical-2022": "none: the guidelines list no diagnosis codes",
            "evicore-cmm208": _NOT_IN_EVICORE,
        }),
    "relief_threshold_strict": FieldDoc(
        "Positive block: threshold excluded (\"more than\")", "rules.md#positive-block", {
            "seed": "[Cohen2020]: \"≥ 50%\"",
            "medicare-l38803": "[CGS-OPD]: \"≥ 80%\"",
            "consensus-2020": "[Cohen2020]: \"≥ 50%\"",
            "consensus-cervical-2022": "[Hurley2022]: \"> 50%\"",
            "evicore-cmm208": "[eviCore-CMM-208]: \"≥ 80%\"",
        }),
    "relief_measure": FieldDoc(
        "Positive block: how the diary's relief is read", "rules.md#positive-block", {
            "seed": "[Relief-window-info]: relief seen in the 4–6 h window told to patients: "
                    "the best in-window entry",
            "medicare-l38803": "[CGS-OPD]: a \"consistent\" relief \"lasting as long as "
                               "expected for the agent used\": every entry until 4 h and one "
                               "at or after 4 h (payer-rules.md#relief)",
            "consensus-2020": "[Cohen2020]: ≥ 50% relief, no duration rule: the best "
                              "in-window entry",
            "consensus-cervical-2022": "[Hurley2022]: > 50% relief, no duration rule: the "
                                       "best in-window entry",
            "evicore-cmm208": "[eviCore-CMM-208]: relief \"for the anesthetic's duration\", "
                              "read with the sustained measure as for Medicare (assumption)",
        }),
    "relief_min_entries": FieldDoc(
        "Positive block: diary entries at least", "rules.md#positive-block", {
            "seed": "assumption: one in-window entry is the fewest that shows relief",
            "medicare-l38803": "assumption: two entries up to 4 h are the fewest that show "
                               "\"consistent\" relief ([CGS-OPD]); the [UWHealth] diary "
                               "gives seven by 4 h",
            "consensus-2020": "assumption: one entry; [Cohen2020] sets no count",
            "consensus-cervical-2022": "assumption: one entry; [Hurley2022] sets no count",
            "evicore-cmm208": "assumption: two entries, as for Medicare",
        }),
    "block_guidance": FieldDoc(
        "Block imaging guidance covered", "rules.md#imaging-guidance", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[A57826], [Palmetto-PA]: fluoroscopy or CT; ultrasound, MRI "
                               "or none not covered; the codes read \"with fluoroscopy or CT "
                               "guidance\" ([NGS-PA-codes])",
            "consensus-2020": _GUIDELINES_RECOMMEND + ": fluoroscopy (preferred) or CT, and "
                              "ultrasound \"may be considered\" for MBB ([Cohen2020])",
            "consensus-cervical-2022": "[Hurley2022]: fluoroscopy or ultrasound for cervical "
                                       "MBB (Grade A)",
            "evicore-cmm208": _NOT_IN_EVICORE,
        }),
    "neurotomy_guidance": FieldDoc(
        "Neurotomy imaging guidance covered", "rules.md#imaging-guidance", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[A57826], [Palmetto-PA]: fluoroscopy or CT; the codes read "
                               "\"with fluoroscopy or CT guidance\" ([NGS-PA-codes])",
            "consensus-2020": "[Cohen2020]: fluoroscopy for RFA (Grade B)",
            "consensus-cervical-2022": "[Hurley2022]: fluoroscopy for RFA",
            "evicore-cmm208": _NOT_IN_EVICORE,
        }),
    "block_max_sedation": FieldDoc(
        "Block sedation at most", "rules.md#sedation", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[NGS-sedation]: moderate sedation/MAC not routinely necessary "
                               "for MBB, general anaesthesia not reasonable and necessary: at "
                               "most minimal (anxiolysis)",
            "consensus-2020": _GUIDELINES_RECOMMEND + ": sedation \"not routinely\" in "
                              "practice ([Cohen2020]) is not a limit",
            "consensus-cervical-2022": _NOT_IN_CERVICAL,
            "evicore-cmm208": _NOT_IN_EVICORE,
        }),
    "neurotomy_max_sedation": FieldDoc(
        "Neurotomy sedation at most", "rules.md#sedation", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[NGS-sedation]: general anaesthesia not reasonable and "
                               "necessary; moderate sedation/MAC with documented necessity "
                               "([Rubric], MED): deep at most",
            "consensus-2020": _NOT_IN_LUMBAR,
            "consensus-cervical-2022": _NOT_IN_CERVICAL,
            "evicore-cmm208": _NOT_IN_EVICORE,
        }),
    "block_agent_required": FieldDoc(
        "Block: the local anaesthetic must be recorded", "rules.md#anaesthetic-agent", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[CGS-OPD]: relief judged for \"the agent used\"",
            "consensus-2020": _NOT_IN_LUMBAR,
            "consensus-cervical-2022": _NOT_IN_CERVICAL,
            "evicore-cmm208": "none: the summary of [eviCore-CMM-208] names the anesthetic's "
                              "duration but no recording rule (assumption)",
        }),
    "lesion_modalities": FieldDoc(
        "Lesion modalities covered", "rules.md#lesion-modality", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[Rubric], [Palmetto-PA]: chemical, low-grade thermal, pulsed, "
                               "laser, cryo and other non-thermal methods not covered; cooled "
                               "RF is not named and is refused as not conventional "
                               "(assumption)",
            "consensus-2020": _GUIDELINES_RECOMMEND + ": [Cohen2020] describes conventional "
                              "RF technique",
            "consensus-cervical-2022": _NOT_IN_CERVICAL,
            "evicore-cmm208": "[eviCore-CMM-208]: pulsed, cooled, cryo, chemical and laser "
                              "RF not covered",
        }),
    "neurotomy_levels_contiguous": FieldDoc(
        "Neurotomy levels contiguous on each side", "rules.md#levels-not-contiguous", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "none: the LCD material limits the number of levels, not "
                               "their adjacency",
            "consensus-2020": _NOT_IN_LUMBAR,
            "consensus-cervical-2022": _NOT_IN_CERVICAL,
            "evicore-cmm208": "[eviCore-CMM-208]: up to 3 contiguous levels per side",
        }),
}

FIELDS: dict[str, FieldDoc] = {**CORE_FIELDS, **PAYER_FIELDS}
