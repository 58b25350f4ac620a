"""The temporal order problem (Hochreiter & Schmidhuber 1997, experiment 6a, "two relevant, widely
separated symbols")."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.data.tasks.base import Batch, seeded
from rnnlab.models.sequence import IOSpec

TEST_STREAM = 1  # generator stream of the fixed test set; training uses stream 0
SYMBOLS = "abcdXYBE"  # token id -> symbol: distractors a-d, the relevant X and Y, begin and end markers
DISTRACTORS = 4  # ids 0..3 are a, b, c, d
X, Y, BEGIN, END = 4, 5, 6, 7
CLASSES = ("XX", "XY", "YX", "YY")  # class id -> order of the relevant symbols (the paper's Q, R, S, U)
ERROR_TOLERANCE = 0.3  # 1997, table 11, ABS(0.3): a sequence is right when every output is off by less


@dataclass(frozen=True)
class TemporalOrderConfig:
    """Classify a sequence by the order of its two relevant symbols, X or Y each; the rest is noise.

    With length=20 the windows are [2, 4] and [10, 12]:

        step  :  0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19
        inputs:  B a d X c b a c d a  b  Y  d  c  a  b  c  d  a  E
        target:  XY (class 1), read at the last step

    Step 0 is B, step T - 1 is E, the first relevant symbol sits at a uniformly random step of the
    first window, the second in the second window, and every other step is a uniform draw from a-d.

    Windows: the 1997 paper draws t1 from [10, 20] and t2 from [50, 60] for sequences 100 to 110 long.
    We fix the length at T and scale the windows with it, as later work that varies T does (Martens &
    Sutskever 2011; Pascanu et al. 2013): t1 in [T//10, 2T//10], t2 in [5T//10, 6T//10], both ends
    included, steps counted from 0 at B. T = 100 gives the paper's windows (which does not say whether
    it counts from 0 or 1); its lengths vary from 100 to 110, ours is fixed at T.

    Markers: the paper's text starts sequences with E and ends them with B (its "trigger symbol"); we
    call them B(egin) and E(nd). Only the names differ.
    """

    length: int = 100  # the difficulty knob T; 100 is the paper's shortest sequence
    test_size: int = 2560  # the paper's test set (1997, table 9)
    solved_error_rate: float = 0.01  # share of test sequences wrong by the paper's ABS(0.3) criterion

    def __post_init__(self) -> None:
        if self.length < 10:
            raise ValueError(f"temporal order needs length >= 10 so that the windows [T//10, 2T//10] and "
                             f"[5T//10, 6T//10] lie strictly between the markers, got {self.length}")
        if self.test_size <= 0:
            raise ValueError(f"test_size must be positive, got {self.test_size}")

    @property
    def first_window(self) -> tuple[int, int]:
        """Steps the first relevant symbol may take, both ends included."""
        return self.length // 10, 2 * self.length // 10

    @property
    def second_window(self) -> tuple[int, int]:
        return 5 * self.length // 10, 6 * self.length // 10


class TemporalOrderTask:
    """Tokens (B, T) -> 4 class logits per sequence (B, 4); loss cross-entropy.

    Solved: at most `solved_error_rate` of the test sequences wrong by the paper's success criterion,
    "the final absolute error of all output units is below 0.3" (1997, section 5.6 and table 11), read on
    softmax probabilities: right when p(true class) > 0.7, which implies the argmax is right. The paper
    instead stopped training once the average training error fell below 0.1 and the 2000 most recent
    training sequences were all right; its nets then got at most 3 of 2560 test sequences wrong.
    """

    def __init__(self, config: TemporalOrderConfig | None = None) -> None:
        self.config = config or TemporalOrderConfig()
        self.name = f"temporal-order-{self.config.length}"
        self.io = IOSpec(input_size=len(SYMBOLS), output_size=len(CLASSES), tokens=True, per_step=False)
        # A memoryless predictor sees only the end marker: uniform over the 4 classes, every output 0.25.
        self.baseline = {"accuracy": 1 / len(CLASSES), "cross_entropy": math.log(len(CLASSES)),
                         "error_rate_0.3": 1.0}

    def batch_from(self, sequences: Tensor) -> Batch:
        """Token sequences (B, T) with exactly two relevant symbols each -> inputs and class ids (B,)."""
        if sequences.dim() != 2 or sequences.shape[1] != self.config.length:
            raise ValueError(f"expected sequences of shape (batch, {self.config.length}), "
                             f"got {tuple(sequences.shape)}")
        relevant = (sequences == X) | (sequences == Y)  # (B, T)
        if bool((relevant.sum(dim=1) != 2).any()):
            raise ValueError("every sequence needs exactly two relevant symbols (X or Y)")
        is_y = (sequences[relevant] == Y).view(-1, 2).long()  # (B, 2), in time order
        targets = 2 * is_y[:, 0] + is_y[:, 1]  # (B,) XX 0, XY 1, YX 2, YY 3
        return Batch(sequences, targets)

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        c = self.config
        sequences = torch.randint(0, DISTRACTORS, (batch_size, c.length), generator=generator)  # (B, T)
        rows = torch.arange(batch_size)
        for low, high in (c.first_window, c.second_window):
            step = torch.randint(low, high + 1, (batch_size,), generator=generator)  # (B,)
            sequences[rows, step] = torch.randint(X, Y + 1, (batch_size,), generator=generator)
        sequences[:, 0] = BEGIN
        sequences[:, -1] = END
        return self.batch_from(sequences)

    def test_set(self, seed: int) -> Batch:
        return self.sample(self.config.test_size, seeded(seed, TEST_STREAM))

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        return F.cross_entropy(outputs, batch.targets)

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        wanted = F.one_hot(batch.targets, len(CLASSES)).to(outputs.dtype)  # (B, 4)
        worst_error = (outputs.softmax(dim=-1) - wanted).abs().amax(dim=-1)  # (B,)
        return {
            "accuracy": float((outputs.argmax(dim=-1) == batch.targets).float().mean()),
            "cross_entropy": float(F.cross_entropy(outputs, batch.targets)),
            "error_rate_0.3": float((worst_error >= ERROR_TOLERANCE).float().mean()),
        }

    @property
    def solved_threshold(self) -> float:
        """Solved at or below this error rate."""
        return float(self.config.solved_error_rate)

    def solved(self, metrics: dict[str, float]) -> bool:
        return metrics["error_rate_0.3"] <= self.config.solved_error_rate
