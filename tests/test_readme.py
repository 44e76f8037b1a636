"""The README's generated parts never drift, and its quick start runs.

The stage diagram, the policy table and the reason-code table in README.md
sit between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->`` markers
and must equal what this module renders from the code. After changing the
machine, a policy or a code, refresh them with::

    python tests/test_readme.py --write
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from facetcare import diagram
from facetcare.errors import CODES
from facetcare.policy import Policy
from facetcare.rules import span

README = Path(__file__).resolve().parent.parent / "README.md"


def _duration(value: dt.timedelta | None, none: str = "—") -> str:
    return none if value is None else span(value)


def _percent(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value) * 100:g}%"


def _cap(value: int | None) -> str:
    return "no cap" if value is None else str(value)


def _lesion_seconds(p: Policy) -> str:
    low, high = p.lesion_min_seconds, p.lesion_max_seconds
    if low is None and high is None:
        return "no rule"
    if high is None:
        return f"≥ {low:g} s"
    return f"{low or 0:g}–{high:g} s"


def _lesion_temperature(p: Policy) -> str:
    low, high = p.lesion_min_temperature_c, p.lesion_max_temperature_c
    if low is None and high is None:
        return "no rule"
    lower = "" if low is None else f"{'>' if p.lesion_temperature_strict else '≥'} {low:g} °C"
    if high is None:
        return lower
    return f"{low:g}–{high:g} °C" if low is not None else f"≤ {high:g} °C"


def _repeat_relief(p: Policy) -> str:
    if p.repeat_min_relief is None and p.repeat_min_relief_duration is None:
        return "—"
    relief = ("" if p.repeat_min_relief is None else
              f"{'>' if p.repeat_relief_strict else '≥'} {_percent(p.repeat_min_relief)}")
    lasting = ("" if p.repeat_min_relief_duration is None
               else f"for ≥ {span(p.repeat_min_relief_duration)}")
    return " ".join(part for part in (relief, lasting) if part)


def _names(value: tuple[object, ...] | None) -> str:
    return "any" if value is None else ", ".join(str(v) for v in value)


def _flag(value: bool) -> str:
    return "required" if value else "—"


def _relief(p: Policy) -> str:
    word = ">" if p.relief_threshold_strict else "≥"
    return f"{word} {_percent(p.relief_threshold)}"


def _measure(p: Policy) -> str:
    if p.relief_measure == "best":
        return "best entry" + ("" if p.relief_min_entries == 1
                               else f", {p.relief_min_entries} entries")
    return (f"sustained: every entry to {span(p.relief_window_min)}, "
            f"≥ {p.relief_min_entries} entries")


def _sedation(value: object) -> str:
    return "any" if value is None else f"at most {value}"


#: (rule, the policy fields it shows, how a profile's value reads). Each cell
#: carries the clinical-facts section its profile cites for the first field.
POLICY_ROWS: list[tuple[str, tuple[str, ...], Callable[[Policy], str]]] = [
    ("Regions covered", ("regions",), lambda p: _names(p.regions)),
    ("Entry: pain lasting at least", ("entry_min_pain_months",),
     lambda p: "—" if p.entry_min_pain_months is None else f"{p.entry_min_pain_months} months"),
    ("Entry: failed conservative care", ("entry_requires_failed_conservative_care",),
     lambda p: _flag(p.entry_requires_failed_conservative_care)),
    ("Entry: weeks of conservative care", ("entry_min_conservative_care_weeks",),
     lambda p: "—" if p.entry_min_conservative_care_weeks is None
     else f"{p.entry_min_conservative_care_weeks} weeks"),
    ("Entry: predominantly axial pain", ("entry_requires_axial_pain",),
     lambda p: _flag(p.entry_requires_axial_pain)),
    ("Entry: baseline pain or disability score", ("entry_requires_baseline_function",),
     lambda p: _flag(p.entry_requires_baseline_function)),
    ("Entry: no untreated radiculopathy or claudication", ("entry_excludes_radicular_pain",),
     lambda p: _flag(p.entry_excludes_radicular_pain)),
    ("Entry: non-facet cause excluded", ("entry_requires_non_facet_cause_excluded",),
     lambda p: _flag(p.entry_requires_non_facet_cause_excluded)),
    ("Entry: ICD-10-CM codes covered", ("covered_diagnoses",),
     lambda p: "any" if p.covered_diagnoses is None else
     "M47.812–.817, M47.892–.897, M48.12–.17"
     if len(p.covered_diagnoses) == 18 else _names(p.covered_diagnoses)),
    ("Driver (escort) at check-in and discharge", ("escort_required",),
     lambda p: _flag(p.escort_required)),
    ("Observation after a block, before discharge", ("block_observation",),
     lambda p: span(p.block_observation)),
    ("Recovery after a neurotomy, before discharge", ("neurotomy_recovery",),
     lambda p: span(p.neurotomy_recovery)),
    ("Relief assessment may conclude / window closes", ("relief_window_min",),
     lambda p: f"{span(p.relief_window_min)} / {span(p.relief_window_end)}"),
    ("Positive block: relief", ("relief_threshold",), _relief),
    ("How a block's relief is read", ("relief_measure",), _measure),
    ("Positive blocks before a neurotomy", ("blocks_required",),
     lambda p: str(p.blocks_required)),
    ("Gap between blocks", ("min_block_gap",), lambda p: _duration(p.min_block_gap)),
    ("Joints (levels) per block session", ("max_block_levels",),
     lambda p: _cap(p.max_block_levels)),
    ("Blocks per region per rolling 12 months", ("max_blocks_per_year",),
     lambda p: _cap(p.max_blocks_per_year)),
    ("Block imaging guidance", ("block_guidance",), lambda p: _names(p.block_guidance)),
    ("Block sedation (deeper: not diagnostic)", ("block_max_sedation",),
     lambda p: _sedation(p.block_max_sedation)),
    ("Block anaesthetic agent recorded", ("block_agent_required",),
     lambda p: _flag(p.block_agent_required)),
    ("Lesion duration", ("lesion_min_seconds",), _lesion_seconds),
    ("Lesion temperature", ("lesion_min_temperature_c",), _lesion_temperature),
    ("Lesion modality", ("lesion_modalities",), lambda p: _names(p.lesion_modalities)),
    ("Neurotomy imaging guidance", ("neurotomy_guidance",),
     lambda p: _names(p.neurotomy_guidance)),
    ("Neurotomy sedation", ("neurotomy_max_sedation",),
     lambda p: _sedation(p.neurotomy_max_sedation)),
    ("Joints per neurotomy session", ("max_neurotomy_levels",),
     lambda p: _cap(p.max_neurotomy_levels)
     + (", contiguous" if p.neurotomy_levels_contiguous else "")),
    ("Neurotomies per region per rolling 12 months", ("max_neurotomies_per_year",),
     lambda p: _cap(p.max_neurotomies_per_year)),
    ("Neurotomy success at follow-up: relief at least", ("neurotomy_success_threshold",),
     lambda p: _percent(p.neurotomy_success_threshold)),
    ("Settling time before a follow-up counts as no relief", ("follow_up_settling",),
     lambda p: span(p.follow_up_settling)),
    ("Minimum interval between neurotomies", ("min_neurotomy_interval",),
     lambda p: _duration(p.min_neurotomy_interval)),
    ("Repeat neurotomy needs prior relief", ("repeat_min_relief",), _repeat_relief),
    ("New blocks once the last neurotomy is as old as", ("reblock_after",),
     lambda p: _duration(p.reblock_after)),
]


def _ref(profile: str, field: str) -> str:
    """The bracketed clinical-facts section a profile cites for ``field``, if any."""
    found = re.match(r"\[[^\]]*\]", Policy.sources(profile)[field])
    return "" if found is None else " " + found.group(0).replace("|", "/")


def policy_table() -> str:
    profiles = list(Policy.profiles().values())
    head = ["rule", *(f"`{p.name}`" for p in profiles)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, fields, value in POLICY_ROWS:
        cells = [value(p) + _ref(p.name, fields[0]) for p in profiles]
        lines.append("| " + " | ".join([label, *cells]) + " |")
    return "\n".join(lines) + "\n"


def codes_table() -> str:
    lines = ["| code | meaning |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in CODES.items()]
    return "\n".join(lines) + "\n"


def diagram_block() -> str:
    return "```mermaid\n" + diagram.mermaid() + "```\n"


GENERATED: dict[str, Callable[[], str]] = {
    "diagram": diagram_block,
    "policies": policy_table,
    "codes": codes_table,
}


def _section(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- generated: {name} -->\n)(.*?)(<!-- end: {name} -->)", re.S)


def current(text: str, name: str) -> str:
    found = _section(name).search(text)
    assert found is not None, f"README.md has no generated section {name!r}"
    return found.group(2)


def write() -> None:
    text = README.read_text(encoding="utf-8")
    for name, render in GENERATED.items():
        current(text, name)  # the markers must exist
        text = _section(name).sub(lambda m, r=render: m.group(1) + r() + m.group(3), text)
    README.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_section_is_current(name: str) -> None:
    text = README.read_text(encoding="utf-8")
    assert current(text, name) == GENERATED[name](), (
        f"README.md section {name!r} is stale: run python tests/test_readme.py --write"
    )


def test_diagram_in_readme_is_the_command_output() -> None:
    from click.testing import CliRunner

    from facetcare.cli import cli

    result = CliRunner().invoke(cli, ["diagram"])
    assert result.exit_code == 0
    assert current(README.read_text(encoding="utf-8"), "diagram") == (
        "```mermaid\n" + result.output + "```\n"
    )


def test_every_reason_code_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for code in CODES:
        assert f"| `{code}` |" in text


def test_quick_start_runs(capsys: pytest.CaptureFixture[str]) -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Quick start")
    code = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert code is not None
    exec(compile(code.group(1), "README.md quick start", "exec"), {})
    out = capsys.readouterr().out
    assert "('no_escort',)" in out and "confirm_escort" in out


def test_desk_corrections_run(capsys: pytest.CaptureFixture[str]) -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Quick start")
    blocks = re.findall(r"```python\n(.*?)```", text[start:text.index("## The pathway")], re.S)
    assert len(blocks) >= 2  # the quick start, the corrections, then the store (test_store_cli)
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md quick start", "exec"), namespace)
    capsys.readouterr()
    exec(compile(blocks[1], "README.md corrections", "exec"), namespace)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "referred -> block_scheduled True"
    assert out[1:] == ["0 Referred effective ", "1 BlockScheduled effective ",
                       "2 VisitMissed retracted clerk-3", "3 EnteredInError correction clerk-3",
                       "4 CheckedIn effective "]


def test_readme_names_both_commands_first() -> None:
    text = README.read_text(encoding="utf-8")
    top = text[: text.index("## ", text.index("\n"))]
    assert "make demo" in top and "make test" in top


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
        print(f"updated {README}")
    else:
        sys.exit("usage: python tests/test_readme.py --write")
