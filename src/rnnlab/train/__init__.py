"""Training: the loop, its config and its records."""

from rnnlab.train.loop import TrainConfig, evaluate, train
from rnnlab.train.records import EvalRecord, TrainResult

__all__ = ["EvalRecord", "TrainConfig", "TrainResult", "evaluate", "train"]
