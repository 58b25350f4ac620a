"""Named benchmark suites: which shapes and cells one `rnnlab bench --suite NAME` run measures."""

from __future__ import annotations

from dataclasses import dataclass

from rnnlab.bench.cases import CELLS
from rnnlab.bench.shapes import FULL_SHAPES, SCAN_SHAPES, BenchShape


@dataclass(frozen=True)
class BenchSuite:
    name: str
    description: str
    shapes: tuple[BenchShape, ...]
    cells: tuple[str, ...]


SUITES: dict[str, BenchSuite] = {suite.name: suite for suite in (
    BenchSuite("default", "every backend of rnn, lstm, gru and a Transformer, at the shapes s1-s5",
               FULL_SHAPES, CELLS),
    # The LSTM and GRU kernels, and every loop over time, against the parallel scan of minGRU and minLSTM
    # as sequences grow (T = 128 to 4096); the IndRNN and Elman loops for scale.
    BenchSuite("scan", "minGRU and minLSTM (parallel scan and loop) against lstm, gru, rnn and indrnn, "
                       "T = 128 to 4096", SCAN_SHAPES, ("lstm", "gru", "rnn", "mingru", "minlstm", "indrnn")),
)}
