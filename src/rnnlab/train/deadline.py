"""A wall-clock cap on a whole command (`rnnlab train --max-seconds`), evaluations included.

TrainConfig.max_seconds counts training time only, which keeps a sweep's budgets comparable across runs; a
person who says "85 seconds" means the command. The trainer asks the deadline two things:

    reached()                 stop now: the time left would not hold the next step, the evaluation that ends
                              the run, and `evaluations_after` more (the caller's, e.g. a test split's)
    first_evaluation_due()    evaluate now, off schedule, to learn what an evaluation costs: before any has
                              been timed, once half of the time the loop started with has passed

so the command overruns its cap only by what one step or one evaluation took beyond the longest seen so far;
or, when setting up (loading data, importing torch's optimizers) already took the whole cap, by one step and
the evaluations that end the run.
"""

from __future__ import annotations

import time


class Deadline:
    def __init__(self, at: float, evaluations_after: int = 0) -> None:
        """`at` is a `time.monotonic()` value."""
        self.at, self.evaluations_after = at, evaluations_after
        self.started = time.monotonic()
        self.step_seconds = 0.0  # the longest step so far
        self.evaluation_seconds: float | None = None  # the longest evaluation so far; None before one

    def stepped(self, seconds: float) -> None:
        self.step_seconds = max(self.step_seconds, seconds)

    def evaluated(self, seconds: float) -> None:
        self.evaluation_seconds = max(self.evaluation_seconds or 0.0, seconds)

    def reached(self) -> bool:
        needed = self.step_seconds + (1 + self.evaluations_after) * (self.evaluation_seconds or 0.0)
        return time.monotonic() + needed >= self.at

    def first_evaluation_due(self) -> bool:
        return self.evaluation_seconds is None and time.monotonic() >= self.started + (self.at - self.started) / 2
