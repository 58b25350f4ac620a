"""Several trained classification runs as one classifier, from Python: what `rnnlab evaluate RUN RUN ...` and
`rnnlab classify RUN INPUT --ensemble RUN2` do.

    team = rnnlab.ensemble(["runs/sentiment-lstm-s0", "runs/sentiment-lstm-s1", "runs/sentiment-lstm-s2"])
    team.evaluate().metrics                  # the mean of their class probabilities, scored on the test split
    team.classify(["a gorgeous, witty movie."])    # [Prediction("positive", 0.91)]
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import torch

from rnnlab.data.tasks.base import HeldOut, Task
from rnnlab.generate.classify import Prediction, RawInputClassifier, classify
from rnnlab.models.ensemble import Ensemble
from rnnlab.train.ensemble import EnsembleScore, evaluate_ensemble, load_ensemble
from rnnlab.train.run import RunFolder


class RunEnsemble:
    """The runs in `paths` (one task, the same data); their models load on first use, on `device`."""

    def __init__(self, paths: Sequence[str | Path], device: str | torch.device | None = None) -> None:
        if len(paths) < 2:
            raise ValueError("an ensemble needs at least two runs")
        self.folders = [RunFolder(Path(path)) for path in paths]
        self.device = device

    def __repr__(self) -> str:
        return f"RunEnsemble({[str(folder.path) for folder in self.folders]!r})"

    @functools.cached_property
    def _loaded(self) -> tuple[Task, Ensemble]:
        _, task, model = load_ensemble(self.folders, self.device)
        return task, model

    @property
    def model(self) -> Ensemble:
        """The members' models as one module: log of the mean class probability (models/ensemble.py)."""
        return self._loaded[1]

    def evaluate(self, split: HeldOut = "test") -> EnsembleScore:
        """The ensemble's metrics on the task's held-out `split`, beside each member's and the baselines'."""
        return evaluate_ensemble(self.folders, split, self.device)

    def classify(self, raws: Sequence[str | Path]) -> list[Prediction]:
        """The class of each raw input (a text, a recording's path) with the highest mean probability."""
        task, model = self._loaded
        if not isinstance(task, RawInputClassifier):
            raise ValueError(f"{self.folders[0].path} is a run of a task that cannot classify raw input")
        return classify(model, task, list(raws))


def ensemble(paths: Sequence[str | Path], device: str | torch.device | None = None) -> RunEnsemble:
    """The runs in `paths` as one classifier (see `RunEnsemble`)."""
    return RunEnsemble(paths, device)
