"""A quick comparison on the adding problem: the smallest honest answer to "RNN or LSTM?".

Each model gets the same parameter budget (hidden size solved per model), the same data stream,
optimiser and wall-clock budget, and its own learning rate: the one the quick suite's tuning chose for it on
the adding problem (suites/tuned/rnn-vs-lstm-quick.json), at the tuned length nearest this one. One rate
shared by every model would measure the rate, not the models: at 1e-2 the tanh RNN never solves adding
T=10, which it solves at 3e-3. The table says who solved the task and how fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from rnnlab.compare.suites.profiles import QUICK
from rnnlab.compare.sweeps.tuning import read_table
from rnnlab.data.tasks.adding import AddingConfig, AddingTask
from rnnlab.models.registry import ModelConfig, build_model, count_parameters, hidden_size_for_budget
from rnnlab.train.loop import TrainConfig, train
from rnnlab.train.records import EvalRecord, TrainResult

FALLBACK_LR = 1e-2  # PERFORMANCE.md: H = 64, Adam 1e-2, batch 32 solved adding-100 in ~22 s (LSTM)


@dataclass(frozen=True)
class QuickConfig:
    models: tuple[str, ...] = ("rnn", "lstm", "gru")
    length: int = 100  # adding-problem length; a tanh RNN fails here, an LSTM solves it
    budget: int = 17_000  # parameters per model, about an LSTM with H = 64
    seconds: float = 30.0  # training time per model
    lr: float | None = None  # None: each model's tuned rate (see the module docstring); a number: for every model
    batch_size: int = 32
    seed: int = 0


@dataclass(frozen=True)
class QuickRow:
    model: str
    hidden_size: int
    parameters: int
    result: TrainResult
    lr: float = FALLBACK_LR

    @property
    def sequences_per_second(self) -> float:
        final = self.result.final
        return final.sequences / final.seconds if final.seconds > 0 else 0.0


def tuned_lr(model: str, length: int) -> float:
    """The learning rate the quick suite's tuning chose for `model` on adding at the tuned length nearest
    `length`; FALLBACK_LR where the table has none."""
    path = QUICK.tuned_path
    if path is None or not path.is_file():
        return FALLBACK_LR
    choices, _ = read_table(path)
    tuned = [(abs((c.length or 0) - length), c.settings["lr"]) for c in choices.values()
             if c.task == "adding" and c.model == model and c.settings is not None and "lr" in c.settings]
    return float(min(tuned)[1]) if tuned else FALLBACK_LR


def run_quick(config: QuickConfig, on_eval: Callable[[str, EvalRecord], None] | None = None) -> list[QuickRow]:
    task = AddingTask(AddingConfig(length=config.length))
    rows = []
    for name in config.models:
        lr = config.lr if config.lr is not None else tuned_lr(name, config.length)
        train_config = TrainConfig(steps=1_000_000, batch_size=config.batch_size, lr=lr, eval_every=50,
                                   max_seconds=config.seconds, seed=config.seed)
        hidden = hidden_size_for_budget(ModelConfig(name), task.io, config.budget)
        torch.manual_seed(config.seed)
        model = build_model(ModelConfig(name, hidden_size=hidden), task.io)

        def report(record: EvalRecord, name: str = name) -> None:
            if on_eval is not None:
                on_eval(name, record)

        result = train(model, task, train_config, report)
        rows.append(QuickRow(name, hidden, count_parameters(model), result, lr))
    return rows
