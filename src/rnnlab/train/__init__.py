"""Training: the loop, its config and its records."""

from rnnlab.train.loop import EvalRecord, TrainConfig, TrainResult, evaluate, train

__all__ = ["EvalRecord", "TrainConfig", "TrainResult", "evaluate", "train"]
