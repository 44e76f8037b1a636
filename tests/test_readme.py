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


#: (rule, how a profile's value reads, where the numbers come from)
POLICY_ROWS: list[tuple[str, Callable[[Policy], str], str]] = [
    ("Entry: pain lasting at least",
     lambda p: "—" if p.entry_min_pain_months is None else f"{p.entry_min_pain_months} months",
     "LCD entry criteria; Cohen 2020"),
    ("Entry: failed conservative care",
     lambda p: "required" if p.entry_requires_failed_conservative_care else "—",
     "LCD entry criteria; Cohen 2020"),
    ("Driver (escort) at check-in and discharge",
     lambda p: "required" if p.escort_required else "—",
     "clinic practice (varies by clinic)"),
    ("Observation after a block, before discharge", lambda p: span(p.block_observation),
     "clinic patient information"),
    ("Recovery after a neurotomy, before discharge", lambda p: span(p.neurotomy_recovery),
     "clinic patient information"),
    ("Relief assessment may conclude / window closes",
     lambda p: f"{span(p.relief_window_min)} / {span(p.relief_window_end)}",
     "4–6 h anaesthetic window told to patients"),
    ("Positive block: relief at least", lambda p: _percent(p.relief_threshold),
     "Cohen 2020 (50%); LCD (80%)"),
    ("Positive blocks before a neurotomy", lambda p: str(p.blocks_required),
     "Cohen 2020 (single block); LCD (two)"),
    ("Gap between blocks", lambda p: _duration(p.min_block_gap),
     "LCD checklists, InterQual 2–4 weeks (not verbatim in the LCD)"),
    ("Joints (levels) per block session", lambda p: _cap(p.max_block_levels),
     "MAC billing articles: a 3rd level is not covered"),
    ("Blocks per region per rolling 12 months", lambda p: _cap(p.max_blocks_per_year),
     "Noridian JF Q&A on L38803"),
    ("Lesion duration", _lesion_seconds, "ASPN (60–90 s); Cohen 2020 (≥ 1.5 min)"),
    ("Lesion temperature", _lesion_temperature, "LCD (thermal > 80 °C); Cohen 2020 (80–90 °C)"),
    ("Joints per neurotomy session", lambda p: _cap(p.max_neurotomy_levels),
     "no cap found in the LCD"),
    ("Neurotomies per region per rolling 12 months",
     lambda p: _cap(p.max_neurotomies_per_year), "Noridian JF Q&A on L38803"),
    ("Neurotomy success at follow-up: relief at least",
     lambda p: _percent(p.neurotomy_success_threshold), "outcome studies (≥ 50% relief)"),
    ("Settling time before a follow-up counts as no relief",
     lambda p: span(p.follow_up_settling), "full effect can take about 3 weeks"),
    ("Minimum interval between neurotomies", lambda p: _duration(p.min_neurotomy_interval),
     "none in the LCD (commercial payers: 6 months)"),
    ("Repeat neurotomy needs prior relief", _repeat_relief,
     "LCD-derived checklists (≥ 50%, 6 months); Hurley 2022 (> 30%, 3 months)"),
    ("New blocks if the last neurotomy is older than", lambda p: _duration(p.reblock_after),
     "Palmetto GBA checklist (2 years)"),
]


def policy_table() -> str:
    profiles = list(Policy.profiles().values())
    head = ["rule", *(f"`{p.name}`" for p in profiles), "source"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, value, source in POLICY_ROWS:
        lines.append("| " + " | ".join([label, *(value(p) for p in profiles), source]) + " |")
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
