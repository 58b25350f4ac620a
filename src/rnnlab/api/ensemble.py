"""Several trained runs as one model, from Python: what `rnnlab evaluate RUN RUN ...`,
`rnnlab classify RUN INPUT --ensemble RUN2` and `rnnlab translate RUN TEXT --ensemble RUN2` do.

    team = rnnlab.ensemble(["runs/sentiment-lstm-s0", "runs/sentiment-lstm-s1", "runs/sentiment-lstm-s2"])
    team.evaluate().metrics                  # the mean of their class probabilities, scored on the test split
    team.classify(["a gorgeous, witty movie."])    # [Prediction("positive", 0.91)]

    team = rnnlab.ensemble(["runs/de-en-transformer-s0", "runs/de-en-transformer-s1"])
    team.translate(["Es regnet."], beam=5)   # decoded with the mean of their next-token probabilities
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import torch

from rnnlab.data.tasks.base import HeldOut, Task
from rnnlab.data.tasks.pairs import PairTask
from rnnlab.generate.classify import Prediction, RawInputClassifier, classify
from rnnlab.models.ensemble import Ensemble, Seq2SeqEnsemble
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
    def _loaded(self) -> tuple[Task, Ensemble | Seq2SeqEnsemble]:
        _, task, model = load_ensemble(self.folders, self.device)
        return task, model

    @property
    def model(self) -> Ensemble | Seq2SeqEnsemble:
        """The members' models as one module: log of the mean class (or next-token) probability
        (models/ensemble.py)."""
        return self._loaded[1]

    def evaluate(self, split: HeldOut = "test") -> EnsembleScore:
        """The ensemble's metrics on the task's held-out `split`, beside each member's and the baselines'."""
        return evaluate_ensemble(self.folders, split, self.device)

    def classify(self, raws: Sequence[str | Path]) -> list[Prediction]:
        """The class of each raw input (a text, a recording's path) with the highest mean probability."""
        task, model = self._loaded
        if not isinstance(task, RawInputClassifier) or not isinstance(model, Ensemble):
            raise ValueError(f"{self.folders[0].path} is a run of a task that cannot classify raw input")
        return classify(model, task, list(raws))

    def translate(self, texts: Sequence[str], beam: int = 1, alpha: float = 0.6) -> list[str]:
        """Each text translated (or replied to) with the mean of the runs' next-token probabilities at every
        step: greedy for a beam of 1, else beam search with length normalisation `alpha`."""
        task, model = self._loaded
        if not isinstance(task, PairTask) or not isinstance(model, Seq2SeqEnsemble):
            raise ValueError(f"{self.folders[0].path} is a run of a task that does not translate")
        return task.translate(model, [(text,) for text in texts], beam, alpha)


def ensemble(paths: Sequence[str | Path], device: str | torch.device | None = None) -> RunEnsemble:
    """The runs in `paths` as one classifier or translator (see `RunEnsemble`)."""
    return RunEnsemble(paths, device)
