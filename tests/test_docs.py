"""The project's own documentation stays true to the code and to its sources.

- The generated sections of ``docs/policies.md`` and ``docs/reason-codes.md``
  equal what ``tests/docgen.py`` renders from the code now (refresh with
  ``python tests/docgen.py --write``).
- Every policy field and every profile value has a documented source;
  every reason code has its section in ``docs/rules.md``.
- Every citation of a document anchor, in the code, the README or the docs
  (``docs/rules.md#block-interval``, ``[x](scheduling.md#options)``), names an
  anchor that exists; every source key cited (``[Cohen2020]``) has its entry
  in ``docs/sources.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

import docgen
from facetcare.errors import CODES
from facetcare.policy import Policy
from facetcare.rules import CODE_OF, COMMON, RULES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: Where code and prose cite documents.
CITING = sorted(
    [*ROOT.glob("src/**/*.py"), *ROOT.glob("examples/*.py"), ROOT / "README.md",
     *DOCS.glob("*.md"), ROOT / "tests" / "docgen.py"]
)


def _anchors(path: Path) -> set[str]:
    """Explicit ``<a id="...">`` anchors and GitHub's heading slugs."""
    text = path.read_text(encoding="utf-8")
    found = set(re.findall(r'<a id="([^"]+)"', text))
    for heading in re.findall(r"^#+ (.+)$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def _citations() -> list[tuple[str, str, str]]:
    """(citing file, cited document, anchor or "") for every document citation."""
    found = []
    for path in CITING:
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        for doc, anchor in re.findall(r"docs/([a-z0-9_-]+\.md)(?:#([a-z0-9_-]+))?", text):
            found.append((where, doc, anchor))
        if path.parent == DOCS:
            # Relative links between the docs: (rules.md#x), (#x).
            for doc, anchor in re.findall(r"\]\(([a-z0-9_-]+\.md)(?:#([a-z0-9_-]+))?\)", text):
                found.append((where, doc, anchor))
            for anchor in re.findall(r"\]\(#([a-z0-9_-]+)\)", text):
                found.append((where, path.name, anchor))
    return found


CITATIONS = _citations()


@pytest.mark.parametrize("name", list(docgen.GENERATED))
def test_generated_section_is_current(name: str) -> None:
    file, render = docgen.GENERATED[name]
    text = (DOCS / file).read_text(encoding="utf-8")
    found = docgen.current(text, name)
    assert found is not None, f"docs/{file} has no generated section {name!r}"
    assert found == render(), (
        f"docs/{file} section {name!r} is stale: run python tests/docgen.py --write"
    )


def test_every_policy_field_is_documented() -> None:
    missing = [name for name in docgen.documented_fields() if name not in docgen.FIELDS]
    assert not missing, f"add these Policy fields to tests/docgen.py FIELDS: {missing}"


@pytest.mark.parametrize("profile", list(Policy.profiles().values()), ids=lambda p: p.name)
def test_every_profile_value_has_a_source(profile: Policy) -> None:
    undocumented = [name for name in docgen.documented_fields()
                    if docgen.source_of(name, profile) is None]
    assert not undocumented, (
        f"{profile.name}: no source for {undocumented}; add an entry to tests/docgen.py FIELDS"
    )
    assert docgen.UNDOCUMENTED not in docgen.policies_section()


def test_the_source_of_a_changed_value_is_not_inherited() -> None:
    """A profile that changes a seed value must document it itself."""
    seed = Policy.seed()
    clinic = attrs.evolve(seed, name="our-clinic", follow_up_settling=2 * seed.follow_up_settling)
    assert docgen.source_of("follow_up_settling", clinic) is None
    assert docgen.source_of("escort_required", clinic) is not None


def test_every_reason_code_has_its_rule_section() -> None:
    anchors = _anchors(DOCS / "rules.md")
    missing = [code for code in CODES if docgen.anchor(code) not in anchors]
    assert not missing, f"docs/rules.md has no section for {missing}"


def test_every_rule_declares_a_code_the_docs_list() -> None:
    rules = [rule for rules in RULES.values() for rule in rules] + list(COMMON)
    assert all(rule in CODE_OF for rule in rules)
    giving = docgen.events_giving()
    common = set(docgen.common_codes())
    silent = [code for code in CODES if not giving[code] and code not in common]
    assert not silent, f"codes no rule gives: {silent}"


def test_reason_codes_table_names_the_events_of_each_code() -> None:
    table = docgen.reason_codes_section()
    row = next(line for line in table.splitlines() if "`block_interval`" in line)
    assert "`BlockScheduled`" in row and "`NeurotomyScheduled`" not in row
    row = next(line for line in table.splitlines() if "`no_escort`" in line)
    assert "`CheckedIn`, `Discharged`" in row


@pytest.mark.parametrize(("where", "doc", "anchor"), CITATIONS,
                         ids=[f"{w}->{d}#{a}" for w, d, a in CITATIONS])
def test_citation_resolves(where: str, doc: str, anchor: str) -> None:
    path = DOCS / doc
    if not path.exists():
        pytest.skip(f"{where} cites docs/{doc}, which is not written yet")
    if anchor:
        assert anchor in _anchors(path), f"{where} cites docs/{doc}#{anchor}: no such anchor"


def test_anchors_are_found() -> None:
    """The citation check sees explicit anchors and heading slugs alike."""
    anchors = _anchors(DOCS / "rules.md")
    assert {"block-interval", "time", "the-rules"} <= anchors
    assert any(doc == "rules.md" and anchor == "block-interval" for _, doc, anchor in CITATIONS)


def _bibliography() -> set[str]:
    text = (DOCS / "sources.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\*\*\[([A-Za-z0-9-]+)\]\*\*", text, re.M))


def test_every_source_has_an_anchor_named_after_its_key() -> None:
    anchors = _anchors(DOCS / "sources.md")
    keys = _bibliography()
    assert len(keys) >= 20
    assert all(key.lower() in anchors for key in keys)


def _field_sources() -> str:
    return "\n".join(text for entry in docgen.FIELDS.values() for text in entry.sources.values())


#: Texts that cite sources: every document, and the policy sources in tests/docgen.py.
CITING_SOURCES = {**{p.name: p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md"))},
                  "docgen.FIELDS": _field_sources()}


@pytest.mark.parametrize("name", list(CITING_SOURCES))
def test_every_cited_source_key_is_in_the_bibliography(name: str) -> None:
    keys = _bibliography()
    # A key is a bracketed word with a capital letter, not a link text elsewhere.
    pattern = r"\[([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)\](\([^)]*\))?"
    for key, target in re.findall(pattern, CITING_SOURCES[name]):
        if target and not target.startswith("(sources.md#"):
            continue  # a link to somewhere else, e.g. [README](../README.md)
        assert key in keys, f"{name} cites [{key}], which docs/sources.md does not list"
        if target:
            assert target == f"(sources.md#{key.lower()})", (name, key, target)


def test_old_section_numbers_are_mapped() -> None:
    """Every numbered section the code cites (``[3.3]``, ``§1.7``) has a row in the map."""
    text = (DOCS / "sources.md").read_text(encoding="utf-8")
    table = text[text.index('<a id="section-map"></a>'):]
    mapped = {number for span in re.findall(r"`([^`]+)`", table)
              for number in re.findall(r"(?<![\d.])(\d(?:\.\d)?)(?![\d.])", span)}
    cited: set[str] = set()
    for path in ROOT.glob("src/**/*.py"):
        source = path.read_text(encoding="utf-8")
        for group in re.findall(r"\[([^\[\]]*)\]", source):
            # Section numbers are 1.1 … 8.9; this leaves list literals like [0.0] alone.
            cited |= set(re.findall(r"(?<![\d.])([1-8]\.[1-9])(?![\d.])", group))
        cited |= set(re.findall(r"§(\d\.\d)", source))
        cited |= set(re.findall(r"clinical-facts §(\d)", source))
    missing = sorted(cited - mapped)
    assert not missing, f"docs/sources.md#section-map has no row for {missing}"


#: Files outside the repository that code must no longer cite.
OUTSIDE = re.compile(r"DOMAIN\.md|DOMAIN step|clinical-facts|reference/|DESIGN\.md|DESIGN "
                     r"(principle|\"|events)|perf-baseline")


def test_code_cites_no_file_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(ROOT.glob("src/**/*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not offenders, offenders
