"""Shapes by name: the table of PERFORMANCE.md, and how names are chosen."""

import pytest

from rnnlab.bench.shapes import SHAPES, select_shapes


def test_full_shapes_are_those_of_the_performance_notes():
    """Reference: /work/shared/PERFORMANCE.md, "Shapes used below", (batch, time, input, hidden)."""
    table = {name: (s.batch, s.time, s.input_size, s.hidden_size) for name, s in SHAPES.items()}
    assert {name: table[name] for name in ("s1", "s2", "s3", "s4", "s5")} == {
        "s1": (32, 100, 32, 128), "s2": (64, 200, 64, 256), "s3": (16, 1000, 8, 64), "s4": (1, 1, 64, 256),
        "s5": (128, 50, 128, 512)}
    assert SHAPES["s2"].tokens == 64 * 200


def test_select_keeps_the_order_given():
    assert [s.name for s in select_shapes(["s4", "s1"])] == ["s4", "s1"]


def test_unknown_shape_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown shape 's9'; choose from s1, s2, s3, s4, s5"):
        select_shapes(["s1", "s9"])
