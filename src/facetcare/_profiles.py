"""The named policy profiles as data: every value beside its source.

A profile is the seed plus the values its source sets; each value carries
where it comes from, a section of docs/sources.md#section-map in
brackets and the document's words, so `Policy.sources`, ``facetcare
policies`` and the README table show a clinician what to audit. A value
no source gave says "assumption". docs/payer-rules.md explains each choice.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from facetcare.anatomy import Region
from facetcare.vocabulary import Guidance, Modality, Sedation

__all__ = ["NAMES", "sources", "values"]

MINUTES = dt.timedelta(minutes=1)
HOURS = dt.timedelta(hours=1)
DAYS = dt.timedelta(days=1)
THREE_MONTHS = 91 * DAYS
SIX_MONTHS = 183 * DAYS
TWELVE_WEEKS = 84 * DAYS
TWO_YEARS = 730 * DAYS

Values = dict[str, tuple[Any, str]]

_NO_RULE = "no such rule in this profile"

SEED: Values = {
    "name": ("seed", "the clinic leaflet's pathway"),
    "entry_min_pain_months": (None, "leaflet: no payer entry criteria"),
    "entry_requires_failed_conservative_care": (False, "leaflet: no payer entry criteria"),
    "escort_required": (True, "[3.3] a driver home after a block or neurotomy"),
    "block_observation": (60 * MINUTES, "[3.3] watched about an hour"),
    "neurotomy_recovery": (30 * MINUTES, "[Clinic-info] home 30–60 min later"),
    "relief_window_end": (6 * HOURS, "[3.4] 4–6 h anaesthetic window told to patients"),
    "relief_window_min": (4 * HOURS, "[3.4] 4–6 h anaesthetic window told to patients"),
    "relief_threshold": (Fraction(1, 2), "[2.1, 2.2] consensus cut-off 50%"),
    "blocks_required": (1, "[2.1, 2.2] a single block in practice"),
    "min_block_gap": (None, _NO_RULE),
    "max_block_levels": (None, _NO_RULE),
    "max_blocks_per_year": (None, _NO_RULE),
    "lesion_min_seconds": (60, "[2.4 ASPN] 60–90 s per lesion"),
    "lesion_max_seconds": (90, "[2.4 ASPN] 60–90 s per lesion"),
    "lesion_min_temperature_c": (None, _NO_RULE),
    "lesion_temperature_strict": (False, _NO_RULE),
    "lesion_max_temperature_c": (None, _NO_RULE),
    "max_neurotomy_levels": (None, _NO_RULE),
    "max_neurotomies_per_year": (None, _NO_RULE),
    "neurotomy_success_threshold": (Fraction(1, 2), "[4.3] success = ≥ 50% relief"),
    "follow_up_settling": (21 * DAYS, "[3.3] full effect can take about 3 weeks"),
    "min_neurotomy_interval": (None, _NO_RULE),
    "repeat_min_relief": (None, _NO_RULE),
    "repeat_relief_strict": (False, _NO_RULE),
    "repeat_min_relief_duration": (None, _NO_RULE),
    "reblock_after": (None, _NO_RULE),
    "time_zone": ("UTC", "the clinic's own (assumption: UTC until set)"),
    "follow_up_interval": (THREE_MONTHS, "assumption: outcomes are reported at 3, 6, 12 months"),
    "regions": (None, "every region"),
    "entry_min_conservative_care_weeks": (None, _NO_RULE),
    "entry_requires_axial_pain": (False, _NO_RULE),
    "entry_requires_baseline_function": (False, _NO_RULE),
    "entry_excludes_radicular_pain": (False, _NO_RULE),
    "entry_requires_non_facet_cause_excluded": (False, _NO_RULE),
    "covered_diagnoses": (None, _NO_RULE),
    "relief_threshold_strict": (False, "[2.1] ≥ 50%"),
    "relief_measure": ("best", "[3.4] relief seen in the 4–6 h window: the best entry"),
    "relief_min_entries": (1, "one in-window entry (no entry: negative)"),
    "block_guidance": (None, _NO_RULE),
    "neurotomy_guidance": (None, _NO_RULE),
    "block_max_sedation": (None, _NO_RULE),
    "neurotomy_max_sedation": (None, _NO_RULE),
    "block_agent_required": (False, _NO_RULE),
    "lesion_modalities": (None, _NO_RULE),
    "neurotomy_levels_contiguous": (False, _NO_RULE),
}

#: ICD-10-CM codes the MAC billing articles list as supporting facet
#: interventions [6.2]: M47.812–M47.817, M47.892–M47.897, M48.12–M48.17.
MEDICARE_DIAGNOSES = (
    *(f"M47.81{i}" for i in range(2, 8)),
    *(f"M47.89{i}" for i in range(2, 8)),
    *(f"M48.1{i}" for i in range(2, 8)),
)
_LCD = "[1.2] LCD entry criteria (NGS, CGS pages)"
_SUSTAINED = ("[1.3, 1.5] \"consistent ≥ 80% relief … lasting as long as expected for the "
              "agent\": every entry until 4 h, and still at or after 4 h")

MEDICARE: Values = {
    "name": ("medicare-l38803", "LCD L38803 (Noridian JF) and its sister LCDs"),
    "entry_min_pain_months": (3, "[1.2] pain ≥ 3 months"),
    "entry_requires_failed_conservative_care": (True, "[1.2] failed conservative care"),
    "entry_requires_axial_pain": (True, _LCD + ": predominantly axial pain"),
    "entry_requires_baseline_function": (True, _LCD + "; Noridian Q&A: a pain or disability "
                                         "scale at baseline"),
    "entry_excludes_radicular_pain": (True, _LCD + ": no untreated radiculopathy or "
                                      "neurogenic claudication"),
    "entry_requires_non_facet_cause_excluded": (True, _LCD + ": no non-facet cause"),
    "covered_diagnoses": (MEDICARE_DIAGNOSES, "[6.2] billing articles' covered ICD-10-CM "
                          "codes (rubric from A58403, MED)"),
    "relief_threshold": (Fraction(4, 5), "[1.3, 1.5] ≥ 80% relief"),
    "relief_measure": ("sustained", _SUSTAINED),
    "relief_min_entries": (2, "[1.3] \"consistent\" relief: at least two diary entries "
                           "up to 4 h (docs/payer-rules.md#relief)"),
    "blocks_required": (2, "[1.3, 1.5] two diagnostic blocks"),
    "min_block_gap": (None, "removed: ≥ 2 weeks is a rubric's, not seen in the LCD [1.3, 8]"),
    "max_block_levels": (2, "[1.6] 1–2 levels per session; 3rd level non-covered"),
    "max_blocks_per_year": (4, "[1.3] Noridian Q&A: 4 diagnostic sessions / 12 months"),
    "block_guidance": ((Guidance.FLUOROSCOPY, Guidance.CT),
                       "[1.5, 6.1] fluoroscopy or CT (A57826; Palmetto checklist)"),
    "neurotomy_guidance": ((Guidance.FLUOROSCOPY, Guidance.CT),
                           "[1.5, 6.1] fluoroscopy or CT (A57826; Palmetto checklist)"),
    "block_max_sedation": (Sedation.MINIMAL, "[1.6] NGS: moderate sedation/MAC not routinely "
                           "necessary for MBB, GA not reasonable and necessary; [3.3]"),
    "neurotomy_max_sedation": (Sedation.DEEP, "[1.6] NGS: general anaesthesia not reasonable "
                               "and necessary; moderate sedation/MAC if documented (rubric)"),
    "block_agent_required": (True, "[1.3] relief judged \"for the agent used\""),
    "lesion_min_seconds": (None, "no duration rule in the LCD material [1.5]"),
    "lesion_max_seconds": (None, "no duration rule in the LCD material [1.5]"),
    "lesion_min_temperature_c": (80, "[1.5] low-grade thermal (< 80 °C) excluded: 80 °C covered"),
    "lesion_temperature_strict": (False, "[1.5] only < 80 °C is excluded"),
    "lesion_modalities": ((Modality.CONVENTIONAL_THERMAL,),
                          "[1.5] chemical, pulsed, laser, cryo, low-grade thermal non-covered"),
    "max_neurotomy_levels": (2, "[1.6] A57826: 1–2 levels for all facet interventions; CGS: "
                             "3- or 4-level procedures not medically necessary"),
    "max_neurotomies_per_year": (2, "[1.5] Noridian Q&A: 2 RF sessions / 12 months"),
    "repeat_min_relief": (Fraction(1, 2), "[1.5] ≥ 50% relief (rubric, LCD-derived, MED)"),
    "repeat_min_relief_duration": (SIX_MONTHS, "[1.5] … for ≥ 6 months (rubric, MED)"),
    "reblock_after": (TWO_YEARS, "[1.3] Palmetto checklist: \"two years or more between RFAs "
                      "without repeat diagnostics\" (730 d itself requires new blocks)"),
    "min_neurotomy_interval": (None, "[1.5] no minimum interval in the LCD material"),
}

CONSENSUS_2020: Values = {
    "name": ("consensus-2020", "Cohen et al., Reg Anesth Pain Med 2020 (lumbar)"),
    "regions": ((Region.LUMBAR,), "[2.1] a lumbar guideline"),
    "entry_min_pain_months": (3, "[2.1] 3-month trial of conservative care"),
    "entry_requires_failed_conservative_care": (True, "[2.1] conservative care first"),
    "lesion_min_seconds": (90, "[2.1] lesion ≥ 1.5 min"),
    "lesion_max_seconds": (None, "[2.1] no upper limit"),
    "lesion_min_temperature_c": (80, "[2.1] 80–90 °C"),
    "lesion_max_temperature_c": (90, "[2.1] 80–90 °C"),
    "neurotomy_guidance": ((Guidance.FLUOROSCOPY,), "[2.1] fluoroscopy for RFA (Grade B)"),
    "repeat_min_relief": (Fraction(3, 10), "[2.2] > 30% (citing IMMPACT and the lumbar guideline)"),
    "repeat_relief_strict": (True, "[2.2] \"more than\""),
    "repeat_min_relief_duration": (THREE_MONTHS, "[2.2] … for ≥ 3 months"),
}

CERVICAL_2022: Values = {
    "name": ("consensus-cervical-2022", "Hurley et al., Reg Anesth Pain Med 2022 (cervical)"),
    "regions": ((Region.CERVICAL,), "[2.2] a cervical guideline"),
    "entry_min_pain_months": (None, "[2.2] Table 23 sets the care trial, not a pain duration"),
    "entry_min_conservative_care_weeks": (6, "[2.2] Table 23: 6 weeks of conservative therapy "
                                          "(Table 22: \"preferably 3 months\"; conflict)"),
    "entry_requires_failed_conservative_care": (True, "[2.2] conservative therapy first"),
    "relief_threshold": (Fraction(1, 2), "[2.2] > 50%"),
    "relief_threshold_strict": (True, "[2.2] \"more than\" 50%"),
    "blocks_required": (1, "[2.2] a single block in clinical practice"),
    "block_guidance": ((Guidance.FLUOROSCOPY, Guidance.ULTRASOUND),
                       "[2.2] fluoroscopy or ultrasound for cervical MBB (Grade A)"),
    "neurotomy_guidance": ((Guidance.FLUOROSCOPY,), "[2.2] fluoroscopy for RFA"),
    "lesion_min_seconds": (None, "no lesion parameters in the gathered excerpt of [2.2]"),
    "lesion_max_seconds": (None, "no lesion parameters in the gathered excerpt of [2.2]"),
    "repeat_min_relief": (Fraction(3, 10), "[2.2] > 30% …"),
    "repeat_relief_strict": (True, "[2.2] \"more than\""),
    "repeat_min_relief_duration": (THREE_MONTHS, "[2.2] … lasting ≥ 3 months"),
    "reblock_after": (None, "[2.2] no repeat diagnostic block"),
}

_EVICORE = "[5] eviCore CMM-208 (summary, MED)"
EVICORE: Values = {
    "name": ("evicore-cmm208", "eviCore CMM-208 ablation/denervation of nerves"),
    "entry_min_pain_months": (3, _EVICORE + ": ≥ 3 months of pain"),
    "entry_min_conservative_care_weeks": (4, _EVICORE + ": ≥ 4 weeks of failed conservative "
                                          "care"),
    "entry_requires_failed_conservative_care": (True, _EVICORE + ": failed conservative care"),
    "relief_threshold": (Fraction(4, 5), _EVICORE + ": ≥ 80% relief"),
    "relief_measure": ("sustained", _EVICORE + ": \"for the anesthetic's duration\" (read as "
                       "for Medicare)"),
    "relief_min_entries": (2, "as for Medicare: consistent relief, two entries (assumption)"),
    "blocks_required": (2, _EVICORE + ": two sequential blocks at the same level"),
    "max_neurotomy_levels": (3, _EVICORE + ": up to 3 contiguous levels per side"),
    "neurotomy_levels_contiguous": (True, _EVICORE + ": contiguous levels"),
    "max_neurotomies_per_year": (2, _EVICORE + ": ≤ 2 procedures per rolling 12 months"),
    "min_neurotomy_interval": (SIX_MONTHS, _EVICORE + ": ≥ 6 months between procedures"),
    "repeat_min_relief": (Fraction(1, 2), _EVICORE + ": repeat after ≥ 50% relief …"),
    "repeat_min_relief_duration": (TWELVE_WEEKS, _EVICORE + ": … for ≥ 12 weeks (84 d)"),
    "lesion_modalities": ((Modality.CONVENTIONAL_THERMAL,),
                          _EVICORE + ": pulsed, cooled, cryo, chemical, laser not covered"),
    "lesion_min_seconds": (None, "no lesion duration in the gathered summary [5]"),
    "lesion_max_seconds": (None, "no lesion duration in the gathered summary [5]"),
}

_PROFILES: dict[str, Values] = {
    "seed": {},
    "medicare-l38803": MEDICARE,
    "consensus-2020": CONSENSUS_2020,
    "consensus-cervical-2022": CERVICAL_2022,
    "evicore-cmm208": EVICORE,
}
#: The profile names, in the order the CLI and the README show them.
NAMES: tuple[str, ...] = tuple(_PROFILES)


def _values(name: str) -> Values:
    if name not in _PROFILES:
        raise KeyError(f"no policy profile {name!r}; the profiles are {list(NAMES)}")
    return {**SEED, **_PROFILES[name]}


def values(name: str) -> dict[str, Any]:
    """field → value of the named profile (the seed's where the profile sets none)."""
    return {field: value for field, (value, _) in _values(name).items()}


def sources(name: str) -> dict[str, str]:
    """field → its source, for the named profile (inherited seed values keep theirs)."""
    return {field: source for field, (_, source) in _values(name).items()}
