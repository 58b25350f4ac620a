"""What the studies gain: training steps per second of whole models on the study tasks, with the compiled core
and with the backends `auto` ran before it existed (fused for rnn, lstm, gru; the readable loop for minGRU).

    PYTHONPATH=src python benchmarks/training_speed.py                 # Markdown on stdout, about 5 minutes
    PYTHONPATH=src python benchmarks/training_speed.py --steps 20 --rounds 1 --configs adding:10:gru  # smoke test

Each configuration is a task, a length and a model as `rnnlab train` builds them (the task's suggested batch
size and hidden size, the H=64 budget of the rnn-vs-lstm suite); both backends train fresh copies of the same
model for `--steps` steps, alternately, `--rounds` times, on one thread. The time is the training loop's own
(evaluation excluded: `EvalRecord.seconds`); the ratio is the median of per-round ratios. With wall-clock
budgets (the suite gives every run 27 s) the speed-up is the factor by which more steps fit in a run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import warnings

import torch

from rnnlab.train.experiment import make_experiment
from rnnlab.train.loop import train

# (task, length, model): the rnn-vs-lstm suite's tasks at the lengths where its models part ways, and minGRU
CONFIGS = ("adding:100:rnn", "adding:100:lstm", "adding:100:gru", "adding:200:gru", "adding:200:lstm",
           "copy:25:lstm", "copy:25:gru", "adding:200:mingru")
BEFORE = {"rnn": "fused", "lstm": "fused", "gru": "fused", "mingru": "readable", "minlstm": "readable"}


def seconds_per_step(task: str, length: int, model: str, backend: str, steps: int) -> float:
    experiment = make_experiment(task, model, length=length, model_options={"backend": backend, "hidden_size": 64},
                                 train_options={"steps": steps, "eval_every": steps, "stop_when_solved": False,
                                                "max_seconds": None, "device": "cpu"})
    built_task, net = experiment.build()
    result = train(net, built_task, experiment.train)
    return result.final.seconds / steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--configs", default=",".join(CONFIGS), help="task:length:model, comma-separated")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")  # the runs' own notices (e.g. an unavailable core) are not the table
    print("| task | length | model | before | before ms/step | compiled ms/step | speed-up |")
    print("| --- | ---: | --- | --- | ---: | ---: | ---: |")
    for config in args.configs.split(","):
        task, length, model = config.split(":")
        times: dict[str, list[float]] = {BEFORE[model]: [], "compiled": []}
        for _ in range(args.rounds):
            for backend in times:
                times[backend].append(seconds_per_step(task, int(length), model, backend, args.steps))
        before, compiled = (times[name] for name in (BEFORE[model], "compiled"))
        speedup = statistics.median(b / c for b, c in zip(before, compiled))
        print(f"| {task} | {length} | {model} | {BEFORE[model]} | {statistics.median(before) * 1e3:.2f} | "
              f"{statistics.median(compiled) * 1e3:.2f} | {speedup:.2f}x |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
