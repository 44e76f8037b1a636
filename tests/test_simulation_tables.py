"""The simulated tables in README.md and docs/simulation.md come from the current model.

They take minutes to simulate, so `tests/simulation_tables.py` stamps each
with a fingerprint of the model (small runs over every region, profile,
study protocol and PSA draw); this test recomputes it. A change to the
model fails here until ``python tests/simulation_tables.py --write``
regenerates the tables.
"""

from __future__ import annotations

import pytest

import simulation_tables as tables


@pytest.fixture(scope="module")
def model() -> str:
    return tables.fingerprint()


@pytest.mark.parametrize(("name", "file"), [(name, file)
                                            for name, (files, _) in tables.SECTIONS.items()
                                            for file in files])
def test_each_simulated_table_was_made_by_this_model(name: str, file: str, model: str) -> None:
    text = (tables.ROOT / file).read_text(encoding="utf-8")
    found = tables.marker(name).search(text)
    assert found is not None, f"{file} has no generated {name} section"
    assert found.group(1) == model, (
        f"{file}'s {name} table was simulated by another model ({found.group(1)}, now "
        f"{model}): run python tests/simulation_tables.py --write")
    assert found.group(2).startswith("| figure |" if name != "parameters" else "| parameter |")


def test_the_parameter_table_shows_the_parameters() -> None:
    text = (tables.ROOT / "docs/simulation.md").read_text(encoding="utf-8")
    found = tables.marker("parameters").search(text)
    assert found is not None and found.group(2) == tables.parameters()


def test_the_fingerprint_sees_a_change_to_the_model(monkeypatch: pytest.MonkeyPatch,
                                                    model: str) -> None:
    from facetcare.simulation import patient

    monkeypatch.setattr(patient, "NO_RELIEF", patient.NO_RELIEF * 0.9)
    assert tables.fingerprint() != model
