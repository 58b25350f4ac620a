"""The copy memory problem (Arjovsky, Shah & Bengio 2016, section 4.1; after Hochreiter & Schmidhuber 1997)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.data.tasks.base import Batch, seeded
from rnnlab.models.sequence import IOSpec

TEST_STREAM = 1  # generator stream of the fixed test set; training uses stream 0
BLANK = 0  # the filler between the symbols and the cue, and the input while recalling
IGNORE = -100  # F.cross_entropy's default ignore_index: a step with nothing to recall


@dataclass(frozen=True)
class CopyMemoryConfig:
    """Remember `length` symbols, wait out `delay` steps, then reproduce them in order.

    With length=4, delay=5 (ids: blank 0, symbols 1..8, cue 9; · = ignored, IGNORE = -100):

        step   :  0 1 2 3 4 5 6 7 8 9 10 11 12
        inputs :  3 1 4 1 0 0 0 0 9 0  0  0  0
        targets:  · · · · · · · · · 3  1  4  1

    The delay is `delay - 1` blanks and the cue: Arjovsky et al. put T - 1 blanks and the delimiter
    between the symbols and the recall, so that the sequence is T + 20 long for length 10 and each
    symbol is asked for `length + delay` steps after it was shown. While recalling, the input is blank.
    """

    length: int = 10  # symbols to remember (Arjovsky et al.)
    delay: int = 100  # the difficulty knob T; Arjovsky et al. report T = 100, 200, 300 and 500
    vocab_size: int = 8  # data symbols, ids 1..vocab_size; blank and cue come on top (Arjovsky et al.)
    test_size: int = 1000
    solved_accuracy: float = 0.99  # per recalled symbol, on the test set

    def __post_init__(self) -> None:
        if self.length < 1:
            raise ValueError(f"copy memory needs at least one symbol to remember, got length={self.length}")
        if self.delay < 1:
            raise ValueError(f"copy memory needs a delay of at least 1 (the cue's own step), got {self.delay}")
        if self.vocab_size < 2:
            raise ValueError(f"copy memory needs at least 2 data symbols, got vocab_size={self.vocab_size}")
        if self.test_size <= 0:
            raise ValueError(f"test_size must be positive, got {self.test_size}")

    @property
    def cue(self) -> int:
        """The delimiter's id, after the data symbols."""
        return self.vocab_size + 1

    @property
    def sequence_length(self) -> int:
        """Symbols, delay (blanks and cue), recall: T + 20 in Arjovsky et al.'s terms."""
        return self.length + self.delay + self.length


class CopyMemoryTask:
    """Tokens (B, T + 2L) -> a prediction at every step, (B, T + 2L, V + 2); scored at the last L steps.

    Outputs range over the input ids (blank, symbols, cue): targets are the very ids that were shown.

    Loss: cross-entropy over the recalled steps only, so that its memoryless baseline is log V whatever
    the delay. Arjovsky et al. average over all T + 20 steps, blanks included, whose baseline shrinks as
    T grows (10 log 8 / 120 = 0.173 at T = 100, 0.040 at T = 500); their number is reported too, as
    `cross_entropy_all_steps`.
    """

    def __init__(self, config: CopyMemoryConfig | None = None) -> None:
        self.config = config or CopyMemoryConfig()
        c = self.config
        self.name = f"copy-{c.delay}"
        self.io = IOSpec(input_size=c.vocab_size + 2, output_size=c.vocab_size + 2, tokens=True, per_step=True)
        # A memoryless predictor says blank until the recall, then guesses uniformly among the symbols.
        self.baseline = {
            "accuracy": 1 / c.vocab_size,
            "sequence_accuracy": c.vocab_size ** -c.length,
            "cross_entropy": math.log(c.vocab_size),
            # Arjovsky et al.: 10 log(8) / (T + 20); blank steps cost nothing, each recalled step log V
            "cross_entropy_all_steps": c.length * math.log(c.vocab_size) / c.sequence_length,
        }

    def batch_from(self, symbols: Tensor) -> Batch:
        """The sequences that ask for `symbols` (B, L) back: inputs and targets (B, T + 2L)."""
        c = self.config
        if symbols.dim() != 2 or symbols.shape[1] != c.length:
            raise ValueError(f"expected symbols of shape (batch, {c.length}), got {tuple(symbols.shape)}")
        inputs = torch.full((symbols.shape[0], c.sequence_length), BLANK, dtype=torch.long)
        inputs[:, :c.length] = symbols
        inputs[:, c.length + c.delay - 1] = c.cue
        targets = torch.full_like(inputs, IGNORE)
        targets[:, -c.length:] = symbols
        return Batch(inputs, targets)

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        c = self.config
        symbols = torch.randint(1, c.vocab_size + 1, (batch_size, c.length), generator=generator)  # (B, L)
        return self.batch_from(symbols)

    def test_set(self, seed: int) -> Batch:
        return self.sample(self.config.test_size, seeded(seed, TEST_STREAM))

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        return F.cross_entropy(outputs.flatten(0, 1), batch.targets.flatten(), ignore_index=IGNORE)

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        metrics = recall_metrics(outputs, batch.targets)
        # Arjovsky et al.'s all-steps cross-entropy with the untrained blank steps counted as free:
        # what their loss reads once the blanks are learnt, a lower bound on it before.
        metrics["cross_entropy_all_steps"] = metrics["cross_entropy"] * self.config.length / self.config.sequence_length
        return metrics

    @property
    def solved_threshold(self) -> float:
        """Solved at or above this accuracy per recalled symbol."""
        return float(self.config.solved_accuracy)

    def solved(self, metrics: dict[str, float]) -> bool:
        return metrics["accuracy"] >= self.config.solved_accuracy


def recall_metrics(outputs: Tensor, targets: Tensor) -> dict[str, float]:
    """Scores at the steps whose target is not IGNORE; every sequence must have as many of them.

    outputs (B, T, V) logits, targets (B, T) ids -> per-symbol accuracy, all-symbols-right accuracy,
    and the cross-entropy over the recalled steps.
    """
    recalled = targets != IGNORE  # (B, T)
    logits = outputs[recalled]  # (B·L, V), row by row
    wanted = targets[recalled]  # (B·L,)
    correct = (logits.argmax(dim=-1) == wanted).view(targets.shape[0], -1)  # (B, L)
    return {
        "accuracy": float(correct.float().mean()),
        "sequence_accuracy": float(correct.all(dim=1).float().mean()),
        "cross_entropy": float(F.cross_entropy(logits, wanted)),
    }
