"""What `rnnlab train --help` says about each config flag, and the default it shows.

The flags themselves come from the typed configs (config_args.py) with no default of their own, so that a
flag left out falls back to the task's suggestion and then to the config's default (train/experiment.py,
`make_experiment`). The help shows that chain with real numbers instead of argparse's "(default: None)".
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rnnlab.data.tasks.entry import SuggestedModel, SuggestedTraining
from rnnlab.models.init import InitConfig
from rnnlab.models.registry import ModelConfig
from rnnlab.train.loop import TrainConfig

MODEL_HELP = {
    "hidden_size": "hidden units H (d_model for the Transformer)",
    "num_layers": "stacked recurrent layers (Transformer blocks)",
    "bidirectional": "read each sequence both ways (recurrent models)",
    "dropout": "dropout between stacked layers (in the Transformer: after attention and feed-forward)",
    "embed_size": "token embedding width",
    "backend": "readable loop, fused kernels, parallel scan, or auto: the fastest measured for the case",
    "num_heads": "Transformer attention heads",
    "ff_mult": "Transformer feed-forward width, in multiples of d_model",
    "positions": "Transformer positions",
    "max_len": "Transformer context window, in steps",
    "attention": "attention of recurrent encoder-decoders (translation, dialogue)",
}
INIT_HELP = {
    "scheme": "recurrent weights: PyTorch's uniform, orthogonal, or identity (IRNN)",
    "forget_bias": "LSTM forget-gate bias (Jozefowicz et al. 2015)",
    "chrono_max_len": "chrono initialisation for dependencies up to this many steps (Tallec & Ollivier 2018)",
    "identity_scale": "scale of the identity initialisation",
}
TRAIN_HELP = {
    "steps": "training steps at most (runs stop earlier when solved)",
    "batch_size": "sequences per step",
    "optimizer": "optimiser",
    "lr": "learning rate",
    "weight_decay": "weight decay",
    "momentum": "momentum (SGD and RMSprop)",
    "warmup_steps": "steps of linear learning-rate warm-up from 0",
    "decay": "learning-rate decay after warm-up",
    "clip": "clip the global gradient norm at this value; 0: no clipping",
    "eval_every": "evaluate every this many steps",
    "max_seconds": "training time budget in seconds (evaluation not counted)",
    "seed": "random seed: data, initial weights and dropout",
    "stop_when_solved": "stop as soon as the task counts as solved",
    "device": "where to train: auto (a CUDA GPU when present), cpu, cuda or cuda:N",
    "checkpoint_every": "write a checkpoint every this many evaluations; 0: never",
    "plateau_evals": "stop when the metric has not improved for this many evaluations; 0: never",
    "plateau_delta": "the relative improvement that counts for --plateau-evals",
}


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def shown_defaults(cls: type, suggested: type | None, chain: str) -> dict[str, str]:
    """What each field of `cls` defaults to, in words: "the task's suggestion, else 0.001" for the fields a task
    suggests (`suggested`'s fields), else `chain` (e.g. "the model's own") or the config's own default."""
    example = cls()
    suggests = {f.name for f in dataclasses.fields(suggested)} if suggested is not None else set()
    shown = {}
    for field in dataclasses.fields(cls):
        value = _shown(getattr(example, field.name))
        if field.name in suggests:
            shown[field.name] = f"the task's suggestion, else {value}"
        else:
            shown[field.name] = f"{chain}{value}"
    return shown


MODEL_DEFAULTS = shown_defaults(ModelConfig, SuggestedModel, "") | {"embed_size": "H"}
INIT_DEFAULTS = shown_defaults(InitConfig, None, "the model's own; for most models ") | {
    "chrono_max_len": "the model's own; for most models off"}
TRAIN_DEFAULTS = shown_defaults(TrainConfig, SuggestedTraining, "") | {"max_seconds": "no limit"}
