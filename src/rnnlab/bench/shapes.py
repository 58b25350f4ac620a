"""The shapes every benchmark runs at, by name: (batch B, time T, input D, hidden H)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class BenchShape:
    name: str
    batch: int
    time: int
    input_size: int
    hidden_size: int
    note: str = ""

    @property
    def tokens(self) -> int:
        """B·T: the tokens one forward pass reads."""
        return self.batch * self.time

    def describe(self) -> str:
        return f"B={self.batch} T={self.time} D={self.input_size} H={self.hidden_size}"


# The shapes of /work/shared/PERFORMANCE.md, so figures there and here can be compared.
FULL_SHAPES: tuple[BenchShape, ...] = (
    BenchShape("s1", 32, 100, 32, 128, "small model, medium sequences"),
    BenchShape("s2", 64, 200, 64, 256, "medium model, long sequences"),
    BenchShape("s3", 16, 1000, 8, 64, "small model, very long sequences"),
    BenchShape("s4", 1, 1, 64, 256, "single-step generation"),
    BenchShape("s5", 128, 50, 128, 512, "large model, short sequences"),
)

# Tiny shapes for smoke tests (`rnnlab bench --quick`): seconds in all, numbers meaningless.
QUICK_SHAPES: tuple[BenchShape, ...] = (
    BenchShape("q1", 4, 6, 3, 8, "smoke test"),
    BenchShape("q2", 1, 1, 3, 8, "smoke test, single step"),
)

# `rnnlab bench --suite scan`: one small model over ever longer sequences, where a parallel scan should
# pay and a loop over time cannot. Sized so that the whole suite takes a few minutes on one CPU thread.
SCAN_SHAPES: tuple[BenchShape, ...] = tuple(
    BenchShape(f"t{T}", 16, T, 32, 128, "scan suite") for T in (128, 512, 1024, 4096)
)

SHAPES: dict[str, BenchShape] = {shape.name: shape for shape in FULL_SHAPES + QUICK_SHAPES + SCAN_SHAPES}


def select_shapes(names: Iterable[str]) -> tuple[BenchShape, ...]:
    """The named shapes, in the order given; ValueError naming the known ones for an unknown name."""
    chosen = []
    for name in names:
        if name not in SHAPES:
            raise ValueError(f"unknown shape {name!r}; choose from {', '.join(SHAPES)}")
        chosen.append(SHAPES[name])
    if not chosen:
        raise ValueError("no shapes chosen")
    return tuple(chosen)
