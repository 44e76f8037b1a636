"""CPT lines: per level for blocks, per joint for neurotomies, bilateral as modifier 50."""

from facetcare.anatomy import Side
from facetcare.coding import BilateralStyle, block_lines, neurotomy_lines

L, R = Side.LEFT, Side.RIGHT


def codes(lines):
    return [(line.code, line.joint, line.modifiers) for line in lines]


def test_lumbar_block_levels_use_primary_then_add_ons():
    lines = block_lines([("L5-S1", L), ("L3-L4", R), ("L4-L5", L), ("L4-L5", R)])
    assert codes(lines) == [
        ("64493", "L3-L4", ("RT",)),
        ("64494", "L4-L5", ("50",)),
        ("64495", "L5-S1", ("LT",)),
    ]
    assert [line.add_on for line in lines] == [False, True, True]


def test_fourth_block_level_repeats_the_third_code():
    lines = block_lines([(j, L) for j in ("C3-C4", "C4-C5", "C5-C6", "C6-C7")])
    assert [line.code for line in lines] == ["64490", "64491", "64492", "64492"]


def test_thoracic_uses_the_cervical_thoracic_codes():
    assert [x.code for x in block_lines([("T12-L1", R)])] == ["64490"]
    assert [x.code for x in neurotomy_lines([("T4-T5", R), ("T5-T6", R)])] == ["64633", "64634"]


def test_neurotomy_add_on_for_each_additional_joint():
    lines = neurotomy_lines([("L3-L4", L), ("L4-L5", L), ("L5-S1", L)])
    assert [x.code for x in lines] == ["64635", "64636", "64636"]


def test_rt_lt_style_gives_two_lines_for_a_bilateral_level():
    lines = neurotomy_lines([("L4-L5", L), ("L4-L5", R)], style=BilateralStyle.RT_LT)
    assert codes(lines) == [("64635", "L4-L5", ("RT",)), ("64635", "L4-L5", ("LT",))]
    assert not any(line.bilateral for line in lines)
    (one,) = neurotomy_lines([("L4-L5", L), ("L4-L5", R)])
    assert one.bilateral
