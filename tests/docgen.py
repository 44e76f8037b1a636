"""The generated parts of ``docs/``: the policy comparison and the reason codes.

``docs/policies.md`` and ``docs/reason-codes.md`` hold sections between
``<!-- generated: NAME -->`` and ``<!-- end: NAME -->`` markers, like the
README. They are rendered here from the code (`Policy.profiles()`,
`facetcare.codes.CODES` and `TIME_CODES`, `facetcare.rules.RULES` and
`CODE_OF`) and checked by ``tests/test_docs.py``. What the code cannot know is written here once:
for every policy field, what it means, which rule reads it, and the source
of each profile's value. After changing a policy, a profile, a rule or a
code, refresh the files with::

    python tests/docgen.py --write

A profile value is documented by an entry for that profile, or by the
field's ``"*"`` entry when it equals the seed's value (a profile made with
``attrs.evolve(Policy.seed(), ...)`` inherits the seed's justification only
for what it did not change). A value with neither is rendered as
"**source not documented**" and fails the test.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from facetcare import events as ev
from facetcare.codes import TIME_CODES
from facetcare.errors import CODES
from facetcare.policy import Policy
from facetcare.rules import CODE_OF, COMMON, RULES

DOCS = Path(__file__).resolve().parent.parent / "docs"
UNDOCUMENTED = "**source not documented**"
#: Policy fields that are not clinical values and have no section.
NOT_CLINICAL = frozenset({"name"})


@attrs.frozen
class FieldDoc:
    """What a policy field means, where it is used, and why each profile has its value."""

    label: str
    #: Where the rule that reads it is described, e.g. "rules.md#block-interval".
    used_by: str
    #: profile name (or "*": any profile whose value equals the seed's) → source.
    sources: dict[str, str]


_NO_PAYER_RULE = "none: the seed leaves payer limits to the payer profiles (assumption)"

FIELDS: dict[str, FieldDoc] = {
    "entry_min_pain_months": FieldDoc(
        "Entry: pain lasting at least (months)", "rules.md#entry-criteria", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[NGS-PA], [CGS-OPD]: pain for ≥ 3 months",
            "consensus-2020": "[Cohen2020]: a 3-month trial of conservative care (Grade C)",
        }),
    "entry_requires_failed_conservative_care": FieldDoc(
        "Entry: failed conservative care required", "rules.md#entry-criteria", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[NGS-PA], [CGS-OPD]: documented failure of noninvasive "
                               "conservative care",
            "consensus-2020": "[Cohen2020]: conservative care is tried first",
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
            "*": "[Relief-window-info]: the lower end of the 4–6 h window (LOW–MED)",
        }),
    "relief_threshold": FieldDoc(
        "Positive block: relief at least", "rules.md#positive-block", {
            "*": "[Cohen2020]: a positive block is ≥ 50% relief",
            "medicare-l38803": "[CGS-OPD]: a consistent ≥ 80% relief of the index pain",
        }),
    "blocks_required": FieldDoc(
        "Positive blocks before a neurotomy", "rules.md#no-positive-block", {
            "*": "[Cohen2020], [Hurley2022]: a single block in practice (dual blocks "
                 "\"not routinely\")",
            "medicare-l38803": "[CGS-OPD]: two diagnostic procedures before therapy",
        }),
    "min_block_gap": FieldDoc(
        "Minimum gap between blocks", "rules.md#block-interval", {
            "seed": "none: a single block is needed and no source sets a gap before "
                    "another (assumption)",
            "consensus-2020": "none: a single block in practice [Cohen2020]; no gap set",
            "medicare-l38803": "[Rubric]: ≥ 2 weeks between the first and second "
                               "diagnostic block; [InterQual] 2–4 weeks (MED/LOW; not "
                               "verbatim in the LCD)",
        }),
    "max_block_levels": FieldDoc(
        "Joints (levels) per block session", "rules.md#too-many-levels", {
            "seed": _NO_PAYER_RULE,
            "consensus-2020": "none: the guidelines set no level cap",
            "medicare-l38803": "[A57787], [Noridian-QA]: 1–2 levels per session; a 3rd "
                               "level is not covered ([CGS-2024])",
        }),
    "max_blocks_per_year": FieldDoc(
        "Blocks per region per rolling 12 months", "rules.md#annual-limit", {
            "seed": _NO_PAYER_RULE,
            "consensus-2020": "none: the guidelines set no cap",
            "medicare-l38803": "[Noridian-QA]: up to 4 diagnostic injection sessions per "
                               "region per rolling 12 months",
        }),
    "lesion_min_seconds": FieldDoc(
        "Lesion duration at least", "rules.md#lesion-duration", {
            "seed": "[ASPN]: 60–90 s per lesion (MED)",
            "medicare-l38803": "none: no duration rule in the LCD material",
            "consensus-2020": "[Cohen2020]: ≥ 1.5 min per lesion in practice",
        }),
    "lesion_max_seconds": FieldDoc(
        "Lesion duration at most", "rules.md#lesion-duration", {
            "seed": "[ASPN]: 60–90 s per lesion (MED)",
            "medicare-l38803": "none: no duration rule in the LCD material",
            "consensus-2020": "none: [Cohen2020] gives a minimum only",
        }),
    "lesion_min_temperature_c": FieldDoc(
        "Lesion temperature: lower bound", "rules.md#lesion-temperature", {
            "seed": "none: the seed has no temperature rule (assumption)",
            "medicare-l38803": "[Rubric], [Palmetto-PA]: thermal lesions above 80 °C only",
            "consensus-2020": "[Cohen2020]: 80–90 °C",
        }),
    "lesion_temperature_strict": FieldDoc(
        "Lesion temperature: lower bound excluded (\"above\")", "rules.md#lesion-temperature", {
            "seed": "no temperature rule",
            "medicare-l38803": "[Rubric]: \"above 80 °C\"",
            "consensus-2020": "[Cohen2020]: 80–90 °C, both ends included",
        }),
    "lesion_max_temperature_c": FieldDoc(
        "Lesion temperature: upper bound", "rules.md#lesion-temperature", {
            "seed": "none: the seed has no temperature rule (assumption)",
            "medicare-l38803": "none: the LCD material sets a lower bound only",
            "consensus-2020": "[Cohen2020]: 80–90 °C",
        }),
    "max_neurotomy_levels": FieldDoc(
        "Joints (levels) per neurotomy session", "rules.md#too-many-levels", {
            "*": "none: no cap for RF sessions was found; the Medicare 3rd-level exclusion "
                 "was confirmed for the injection codes only ([A57787], [CGS-2024]); "
                 "eviCore allows 3 contiguous levels per side ([eviCore-CMM-208])",
        }),
    "max_neurotomies_per_year": FieldDoc(
        "Neurotomies per region per rolling 12 months", "rules.md#annual-limit", {
            "seed": _NO_PAYER_RULE,
            "consensus-2020": "none: the guidelines set no cap",
            "medicare-l38803": "[Noridian-QA]: at most 2 RF sessions per region per "
                               "rolling 12 months",
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
                 "[Rubric]); commercial payers set 6 months ([eviCore-CMM-208], "
                 "[TRICARE-West], [BCBSND])",
        }),
    "repeat_min_relief": FieldDoc(
        "Repeat neurotomy: best prior relief at least", "rules.md#insufficient-prior-relief", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[Rubric]: ≥ 50% relief for ≥ 6 months (MED; the LCD "
                               "wording was not retrieved)",
            "consensus-2020": "[Hurley2022]: > 30% relief lasting ≥ 3 months",
        }),
    "repeat_relief_strict": FieldDoc(
        "Repeat neurotomy: threshold excluded (\"more than\")",
        "rules.md#insufficient-prior-relief", {
            "seed": "no repeat rule",
            "medicare-l38803": "[Rubric]: \"≥ 50%\"",
            "consensus-2020": "[Hurley2022]: \"> 30%\"",
        }),
    "repeat_min_relief_duration": FieldDoc(
        "Repeat neurotomy: prior relief lasting at least", "rules.md#insufficient-prior-relief", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[Rubric]: ≥ 6 months (183 d)",
            "consensus-2020": "[Hurley2022]: ≥ 3 months (91 d)",
        }),
    "reblock_after": FieldDoc(
        "New blocks needed if the last neurotomy is older than", "rules.md#reblock-required", {
            "seed": _NO_PAYER_RULE,
            "medicare-l38803": "[Palmetto-PA]: two years (730 d) between RFs without "
                               "repeat diagnostics",
            "consensus-2020": "none: no repeat block before a repeat RF ([Cohen2020], "
                              "[Hurley2022])",
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


# -- rendering values ------------------------------------------------------------


def duration(value: dt.timedelta) -> str:
    """A duration as a clinic says it, in whole days where it is days: "14 d", "1 h"."""
    total = int(value.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{days} d" * bool(days), f"{hours} h" * bool(hours),
             f"{minutes} min" * bool(minutes), f"{seconds} s" * bool(seconds)]
    return " ".join(p for p in parts if p) or "0 s"


def value_text(name: str, value: Any) -> str:
    """A policy value the way the docs show it; ``None`` is "—" (no such rule)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.timedelta):
        return duration(value)
    if isinstance(value, Fraction):
        percent = value * 100
        shown = f"{percent.numerator}" if percent.denominator == 1 else f"{float(percent):g}"
        return f"{shown}% ({value.numerator}/{value.denominator})"
    if isinstance(value, float):
        return f"{value:g}"
    if name.endswith("_seconds"):
        return f"{value} s"
    if name.endswith("_temperature_c"):
        return f"{value} °C"
    return str(value)


def anchor(name: str) -> str:
    return name.replace("_", "-")


def link_sources(text: str, prefix: str = "") -> str:
    """Link every bracketed source key to its entry in sources.md (anchor: the key, lower case)."""
    return re.sub(r"\[([A-Za-z0-9-]+)\](?!\()",
                  lambda m: f"[{m.group(1)}]({prefix}sources.md#{m.group(1).lower()})", text)


def documented_fields() -> list[str]:
    return [f.name for f in attrs.fields(Policy) if f.name not in NOT_CLINICAL]


def source_of(name: str, profile: Policy) -> str | None:
    """The documented source of ``profile``'s value of field ``name``, or None."""
    entry = FIELDS.get(name)
    if entry is None:
        return None
    if profile.name in entry.sources:
        return entry.sources[profile.name]
    if "*" in entry.sources and getattr(profile, name) == getattr(Policy.seed(), name):
        return entry.sources["*"]
    return None


# -- docs/policies.md ------------------------------------------------------------


def policies_section() -> str:
    profiles = list(Policy.profiles().values())
    names = documented_fields()
    lines = ["| field | " + " | ".join(f"`{p.name}`" for p in profiles) + " |",
             "|---|" + "---|" * len(profiles)]
    for name in names:
        label = FIELDS[name].label if name in FIELDS else name
        cells = [value_text(name, getattr(p, name)) for p in profiles]
        lines.append(f"| [{label}](#{anchor(name)}) | " + " | ".join(cells) + " |")
    out = "\n".join(lines) + "\n"
    for name in names:
        entry = FIELDS.get(name)
        label = entry.label if entry else name
        out += f'\n<a id="{anchor(name)}"></a>\n### `{name}`: {label}\n\n'
        if entry is not None:
            out += f"Read by: [{entry.used_by}]({entry.used_by}).\n\n"
        out += "| profile | value | source |\n|---|---|---|\n"
        for p in profiles:
            source = source_of(name, p)
            shown = UNDOCUMENTED if source is None else link_sources(source)
            out += f"| `{p.name}` | {value_text(name, getattr(p, name))} | {shown} |\n"
    return out


# -- docs/reason-codes.md --------------------------------------------------------


#: Codes judged outside the rules table: by the corrections and by event identity.
CORRECTION_CODES = {
    "correction_conflict": ["EnteredInError", "Amended", "LateEntry"],
    "unknown_event": ["EnteredInError", "Amended"],
    "amend_type_mismatch": ["Amended"],
    "duplicate_event_id": ["Event"],  # the base type: any event carrying an event_id
}


def events_giving() -> dict[str, list[str]]:
    """code → the event types whose own rules can give it, in the events-table order."""
    found: dict[str, list[str]] = {code: list(CORRECTION_CODES.get(code, ()))
                                   for code in CODES}
    for event, rules in RULES.items():
        for rule in rules:
            code = CODE_OF[rule]
            if event.__name__ not in found[code]:
                found[code].append(event.__name__)
    return found


def common_codes() -> list[str]:
    return ["invalid_transition", *(CODE_OF[rule] for rule in COMMON)]


def reason_codes_section() -> str:
    giving = events_giving()
    common = common_codes()
    lines = ["| code | meaning | events that can give it | judges a booking's time | rule |",
             "|---|---|---|---|---|"]
    for code, meaning in CODES.items():
        events = ("any event" if code in common
                  else ", ".join(f"`{e}`" for e in giving[code]) or "none yet")
        timed = "yes" if code in TIME_CODES else ""
        lines.append(f'| <a id="{anchor(code)}"></a>`{code}` | {meaning} | {events} | {timed} | '
                     f"[rules.md#{anchor(code)}](rules.md#{anchor(code)}) |")
    by_event = ["", "| event | codes its own rules can give, in the order they run |",
                "|---|---|"]
    for event in ev.EVENT_TYPES:
        codes = list(dict.fromkeys(CODE_OF[rule] for rule in RULES.get(event, ())))
        shown = ", ".join(f"[`{c}`](#{anchor(c)})" for c in codes) or "none"
        by_event.append(f"| `{event.__name__}` | {shown} |")
    return "\n".join(lines + by_event) + "\n"


# -- the generated sections ------------------------------------------------------


GENERATED: dict[str, tuple[str, Callable[[], str]]] = {
    "policies": ("policies.md", policies_section),
    "reason-codes": ("reason-codes.md", reason_codes_section),
}


def _section(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- generated: {name} -->\n)(.*?)(<!-- end: {name} -->)", re.S)


def current(text: str, name: str) -> str | None:
    found = _section(name).search(text)
    return None if found is None else found.group(2)


def write() -> list[Path]:
    written = []
    for name, (file, render) in GENERATED.items():
        path = DOCS / file
        text = path.read_text(encoding="utf-8")
        if current(text, name) is None:
            raise SystemExit(f"{path} has no generated section {name!r}")
        text = _section(name).sub(lambda m, r=render: m.group(1) + r() + m.group(3), text)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        for path in write():
            print(f"updated {path}")
    else:
        sys.exit("usage: python tests/docgen.py --write")
