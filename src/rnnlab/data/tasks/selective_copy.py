"""The selective copying task (Gu & Dao 2023, Mamba, section 3.1 and appendix E.1)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.data.tasks.base import Batch, seeded
from rnnlab.data.tasks.copy_memory import IGNORE, recall_metrics
from rnnlab.models.sequence import IOSpec

TEST_STREAM = 1  # generator stream of the fixed test set; training uses stream 0
NOISE = 0  # the filler around the data tokens


@dataclass(frozen=True)
class SelectiveCopyConfig:
    """Copy memory with the symbols scattered: find `num_tokens` data tokens among `length` steps of
    noise, then, at each of `num_tokens` cue steps, say the next one in order.

    With num_tokens=3, length=8 (ids: noise 0, data 1..8, cue 9; · = ignored, IGNORE = -100):

        step   :  0 1 2 3 4 5 6 7 8 9 10
        inputs :  0 5 0 0 2 0 7 0 9 9  9
        targets:  · · · · · · · · 5 2  7

    The data positions are a uniformly random set of `num_tokens` distinct steps among the first
    `length`; the sequence is `length + num_tokens` long. Every output step shows the cue, as in the
    S4 code base's copying generator with random positions (`variable=True`), which we take to be the
    one behind Gu & Dao's experiment: their text gives the sizes, not the layout.
    """

    num_tokens: int = 16  # data tokens to copy (Gu & Dao)
    length: int = 256  # the difficulty knob T: steps the tokens hide among (1 in 16 at the default); Gu & Dao: 4096
    vocab_size: int = 8  # data ids, as in copy memory; Gu & Dao had 16 ids with noise (and cue) among them
    test_size: int = 1000
    solved_accuracy: float = 0.99  # per copied token, on the test set

    def __post_init__(self) -> None:
        if self.num_tokens < 1:
            raise ValueError(f"selective copy needs at least one data token, got num_tokens={self.num_tokens}")
        if self.length < self.num_tokens:
            raise ValueError(f"{self.num_tokens} data tokens do not fit among length={self.length} steps")
        if self.vocab_size < 2:
            raise ValueError(f"selective copy needs at least 2 data symbols, got vocab_size={self.vocab_size}")
        if self.test_size <= 0:
            raise ValueError(f"test_size must be positive, got {self.test_size}")

    @property
    def cue(self) -> int:
        """The id that asks for the next token, after the data ids."""
        return self.vocab_size + 1

    @property
    def sequence_length(self) -> int:
        return self.length + self.num_tokens


class SelectiveCopyTask:
    """Tokens (B, T + M) -> a prediction at every step, (B, T + M, V + 2); scored at the last M steps.

    Outputs range over the input ids, so targets are the very ids that were shown. Loss: cross-entropy
    over the M output steps only, as Gu & Dao score only those.
    """

    def __init__(self, config: SelectiveCopyConfig | None = None) -> None:
        self.config = config or SelectiveCopyConfig()
        c = self.config
        self.name = f"selective-copy-{c.length}"
        self.io = IOSpec(input_size=c.vocab_size + 2, output_size=c.vocab_size + 2, tokens=True, per_step=True)
        # A memoryless predictor guesses uniformly among the data symbols at every output step.
        self.baseline = {
            "accuracy": 1 / c.vocab_size,
            "sequence_accuracy": c.vocab_size ** -c.num_tokens,
            "cross_entropy": math.log(c.vocab_size),
        }

    def batch_from(self, tokens: Tensor, positions: Tensor) -> Batch:
        """`tokens` (B, M) placed at `positions` (B, M), distinct steps in [0, T): inputs and targets
        (B, T + M), the targets being the tokens in the order of their positions."""
        c = self.config
        expected = (tokens.shape[0], c.num_tokens)
        if tuple(tokens.shape) != expected or tuple(positions.shape) != expected:
            raise ValueError(f"expected tokens and positions of shape {expected}, got {tuple(tokens.shape)} "
                             f"and {tuple(positions.shape)}")
        positions, order = positions.sort(dim=1)
        tokens = tokens.gather(1, order)  # (B, M), left to right
        if positions.numel() and (int(positions.min()) < 0 or int(positions.max()) >= c.length
                                  or bool((positions.diff(dim=1) == 0).any())):
            raise ValueError(f"positions must be distinct steps in [0, {c.length})")
        inputs = torch.full((tokens.shape[0], c.sequence_length), NOISE, dtype=torch.long)
        inputs.scatter_(1, positions, tokens)
        inputs[:, c.length:] = c.cue
        targets = torch.full_like(inputs, IGNORE)
        targets[:, c.length:] = tokens
        return Batch(inputs, targets)

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        c = self.config
        tokens = torch.randint(1, c.vocab_size + 1, (batch_size, c.num_tokens), generator=generator)  # (B, M)
        # The M largest of T uniform draws sit at a uniformly random M-subset of the steps.
        positions = torch.rand(batch_size, c.length, generator=generator).topk(c.num_tokens, dim=1).indices
        return self.batch_from(tokens, positions)

    def test_set(self, seed: int) -> Batch:
        return self.sample(self.config.test_size, seeded(seed, TEST_STREAM))

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        return F.cross_entropy(outputs.flatten(0, 1), batch.targets.flatten(), ignore_index=IGNORE)

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        return recall_metrics(outputs, batch.targets)

    @property
    def solved_threshold(self) -> float:
        """Solved at or above this accuracy per recalled token."""
        return float(self.config.solved_accuracy)

    def solved(self, metrics: dict[str, float]) -> bool:
        return metrics["accuracy"] >= self.config.solved_accuracy
