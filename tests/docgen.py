"""The generated parts of ``docs/``: the policy comparison and the reason codes.

``docs/policies.md`` and ``docs/reason-codes.md`` hold sections between
``<!-- generated: NAME -->`` and ``<!-- end: NAME -->`` markers, like the
README. They are rendered here from the code (`Policy.profiles()`,
`facetcare.codes.CODES` and `TIME_CODES`, `facetcare.rules.RULES` and
`CODE_OF`) and checked by ``tests/test_docs.py``. What the code cannot know
is written once in ``tests/policy_fields.py``: for every policy field, what
it means, which rule reads it, and the source of each profile's value.
After changing a policy, a profile, a rule or a
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
from policy_fields import FIELDS, FieldDoc

__all__ = ["FIELDS", "FieldDoc", "write"]

DOCS = Path(__file__).resolve().parent.parent / "docs"
UNDOCUMENTED = "**source not documented**"
#: Policy fields that are not clinical values and have no section.
NOT_CLINICAL = frozenset({"name"})


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
    if isinstance(value, tuple):
        return codes_text(value) if name == "covered_diagnoses" else ", ".join(map(str, value))
    if name.endswith("_seconds"):
        return f"{value} s"
    if name.endswith("_temperature_c"):
        return f"{value} °C"
    return str(value)


def codes_text(codes: tuple[str, ...]) -> str:
    """Codes that differ only in a last digit one apart shown as a range: "M47.812–M47.817"."""
    groups: list[list[str]] = []
    for code in codes:
        last = groups[-1][-1] if groups else ""
        if (last[:-1] == code[:-1] and last[-1:].isdigit() and code[-1:].isdigit()
                and int(code[-1]) == int(last[-1]) + 1):
            groups[-1].append(code)
        else:
            groups.append([code])
    return ", ".join(g[0] if len(g) == 1 else f"{g[0]}–{g[-1]}" for g in groups)


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
