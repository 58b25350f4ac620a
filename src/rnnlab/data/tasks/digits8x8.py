"""Handwritten digits read row by row: the UCI 8x8 digits as 8 steps of 8 pixels (a smoke-test set).

The sequence version of the handwriting application at toy size: a model sees one row of the image
per step and names the digit after the last row. For real MNIST digits read the same way use
`--task mnist5k --set layout=rows` (28 steps of 28 pixels; rnnlab.data.tasks.pixel_mnist).

"Solved" is matching softmax regression on all 64 pixels at once (no memory needed): our
measurement on these splits, weight decay 1e-3: 0.972 validation, 0.978 test accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rnnlab.data.datasets.digits8x8 import CLASSES, MAX_PIXEL, SIDE, load_digits8x8
from rnnlab.data.tasks.labelled import LabelledSequences, LabelledSequenceTask, Split
from rnnlab.data.tasks.speech import check_common
from rnnlab.models.sequence import IOSpec

SOLVED_ACCURACY = 0.97


@dataclass(frozen=True)
class Digits8x8Config:
    """Read an 8x8 digit one row per step, then name it.

        inputs : x_t = row t, its 8 pixels / 16 in [0, 1]    (B, 8, 8)
        target : the digit, 0-9                              (B,)

    Classes are balanced (174-183 each): guessing scores about 0.10.
    """

    split: Literal["validation", "test"] = "validation"
    max_train: int | None = None  # smoke tests: the first N training images (the split mixes classes)
    max_test: int | None = None
    solved_accuracy: float | None = None  # None: SOLVED_ACCURACY

    def __post_init__(self) -> None:
        check_common(self)


def load_rows(split: Split) -> LabelledSequences:
    """One split as (8, 8) float sequences: step t is row t of the image, pixels scaled to [0, 1]."""
    images, labels = load_digits8x8(split)
    return LabelledSequences(list((images.float() / MAX_PIXEL).unbind(0)), labels)  # each (8, 8)


class Digits8x8Task(LabelledSequenceTask):
    def __init__(self, config: Digits8x8Config | None = None) -> None:
        self.config = config or Digits8x8Config()
        c = self.config
        super().__init__("digits8x8", IOSpec(SIDE, CLASSES, per_step=False), tuple(str(d) for d in range(CLASSES)),
                         load_rows, split=c.split, max_train=c.max_train, max_eval=c.max_test,
                         solved_accuracy=SOLVED_ACCURACY if c.solved_accuracy is None else c.solved_accuracy)
