"""A quick comparison on the adding problem: the smallest honest answer to "RNN or LSTM?".

Each model gets the same parameter budget (hidden size solved per model), the same data stream,
optimiser and wall-clock budget; the table says who solved the task and how fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from rnnlab.data.tasks.adding import AddingConfig, AddingTask
from rnnlab.models.registry import ModelConfig, build_model, count_parameters, hidden_size_for_budget
from rnnlab.train.loop import EvalRecord, TrainConfig, TrainResult, train


@dataclass(frozen=True)
class QuickConfig:
    models: tuple[str, ...] = ("rnn", "lstm", "gru")
    length: int = 100  # adding-problem length; a tanh RNN fails here, an LSTM solves it
    budget: int = 17_000  # parameters per model, about an LSTM with H = 64
    seconds: float = 30.0  # training time per model
    lr: float = 1e-2  # PERFORMANCE.md: H = 64, Adam 1e-2, batch 32 solved adding-100 in ~22 s (LSTM)
    batch_size: int = 32
    seed: int = 0


@dataclass(frozen=True)
class QuickRow:
    model: str
    hidden_size: int
    parameters: int
    result: TrainResult

    @property
    def sequences_per_second(self) -> float:
        final = self.result.final
        return final.sequences / final.seconds if final.seconds > 0 else 0.0


def run_quick(config: QuickConfig, on_eval: Callable[[str, EvalRecord], None] | None = None) -> list[QuickRow]:
    task = AddingTask(AddingConfig(length=config.length))
    train_config = TrainConfig(steps=1_000_000, batch_size=config.batch_size, lr=config.lr, eval_every=50,
                               max_seconds=config.seconds, seed=config.seed)
    rows = []
    for name in config.models:
        hidden = hidden_size_for_budget(ModelConfig(name), task.io, config.budget)
        torch.manual_seed(config.seed)
        model = build_model(ModelConfig(name, hidden_size=hidden), task.io)

        def report(record: EvalRecord, name: str = name) -> None:
            if on_eval is not None:
                on_eval(name, record)

        result = train(model, task, train_config, report)
        rows.append(QuickRow(name, hidden, count_parameters(model), result))
    return rows
