"""The memory horizon: how long a delay a trained model still bridges, and how far back its output reads.

Two views of one question. `memory_curve` is behavioural: the task built at a rising delay, the model
scored at each, and the effective memory length is where it stops solving. `input_sensitivity` is
mechanistic: ‖∂y_T/∂x_t‖, how strongly the last output moves with the input t steps before it, for any
model (a Transformer too, which has no recurrent state to differentiate).

    curve = memory_curve(model, lambda n: make_task("copy", length=n), [50, 100, 200, 400], seed=0)
    curve.effective_length           # e.g. 200: solved at 50, 100 and 200, not at 400
    sensitivity = input_sensitivity(model, task.sample(32, generator))
    sensitivity.horizon              # beyond this lag ∂y_T/∂x_t stays below 1e-3 of its peak
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.data.tasks.base import Batch, Task, seeded
from rnnlab.diagnostics.gradients import check_sequences, encoded_inputs, evaluating, model_device, model_label
from rnnlab.models.sequence import SequenceModel

TEST_STREAM = 1  # the generator stream the tasks draw their test sets from (training draws stream 0)
EVAL_CHUNK = 256  # sequences per forward pass, so a 1000-sequence test set at T = 1000 fits in memory
SENSITIVITY_THRESHOLD = 1e-3  # "no longer depends": below this fraction of the peak sensitivity


@dataclass(frozen=True)
class MemoryPoint:
    """The model on the task built at one length."""

    length: int  # the value task_factory was called with (the task's difficulty knob: delay or length)
    task: str  # the task's name at that length, e.g. "copy-200"
    metrics: dict[str, float]  # task.metrics on the evaluation batch
    baseline: dict[str, float]  # what a memoryless predictor scores on the same metrics (task.baseline)
    solved: bool  # task.solved(metrics)


@dataclass(frozen=True)
class MemoryCurve:
    """Task metrics against length, and the longest length up to which every tested length is solved.

    The effective memory length is a bracket, not a point: the true horizon lies between it and the next
    tested length. A length solved after an unsolved shorter one does not count (luck, not memory).
    """

    label: str  # the model, as plots and tables name it
    points: tuple[MemoryPoint, ...]  # in increasing length
    effective_length: int | None  # None: not even the shortest tested length is solved
    seed: int  # the evaluation data's seed
    batch_size: int | None  # sequences per length; None: each task's fixed test set (task.test_set(seed))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Sensitivity:
    """‖∂y_T/∂x_t‖ against lag k = T−1−t, normalised to its largest value."""

    label: str  # the model, as plots and tables name it
    steps: int  # T, the sequence length
    batch_size: int  # B, the examples averaged over
    sensitivity: tuple[float, ...]  # [k]: mean over the batch of ‖∂y_T/∂x_t‖_F at t = T−1−k, / its maximum
    peak: float  # that maximum before normalising (output units per input unit)
    threshold: float  # the fraction of the peak below which the output counts as independent of x_t
    # The largest lag whose sensitivity is at least `threshold`: beyond it the output no longer depends
    # on the input. steps − 1 means it may reach further back than the sequence shows; None: the output
    # ignores the input altogether.
    horizon: int | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def memory_curve(model: nn.Module, task_factory: Callable[[int], Task], lengths: Sequence[int], *,
                 batch_size: int | None = None, seed: int = 0, label: str | None = None) -> MemoryCurve:
    """Evaluate a trained `model` on `task_factory(length)` for every length; lengths are sorted first.

    `model` is anything with the models' call, `model(inputs, lengths=...) -> (outputs, state)`, trained
    for the task's inputs and outputs. Each length is scored on `batch_size` fresh sequences drawn from
    the test stream of `seed`, or, with batch_size=None, on the task's own test set `task.test_set(seed)`.
    The model runs in eval mode without gradients (its modes are restored afterwards).
    """
    if not lengths:
        raise ValueError("memory_curve needs at least one length to test")
    if any(length <= 0 for length in lengths):
        raise ValueError(f"lengths must be positive, got {list(lengths)}")
    if batch_size is not None and batch_size <= 0:
        raise ValueError(f"batch_size must be positive (or None for the test set), got {batch_size}")
    points = []
    for length in sorted(set(lengths)):
        task = task_factory(length)
        batch = task.test_set(seed) if batch_size is None else task.sample(batch_size, seeded(seed, TEST_STREAM))
        outputs = evaluate(model, batch)
        metrics = task.metrics(outputs, batch)
        points.append(MemoryPoint(length, task.name, metrics, dict(task.baseline), task.solved(metrics)))
    return MemoryCurve(label or model_label(model), tuple(points), effective_length(points), seed, batch_size)


def effective_length(points: Sequence[MemoryPoint]) -> int | None:
    """The longest tested length (delay) still solved, or None if none is.

    Shorter lengths need not be solved too: a model trained at one length can fail a much shorter one
    for reasons that are not memory (the adding task's values then sum over a different span).
    """
    solved = [point.length for point in points if point.solved]
    return max(solved) if solved else None


@torch.no_grad()
def evaluate(model: nn.Module, batch: Batch) -> Tensor:
    """The model's outputs on a whole batch, EVAL_CHUNK sequences at a time, in eval mode; on the batch's device."""
    device = model_device(model)
    outputs = []
    with evaluating(model):
        for start in range(0, len(batch.inputs), EVAL_CHUNK):
            rows = slice(start, start + EVAL_CHUNK)
            lengths = None if batch.lengths is None else batch.lengths[rows].to(device)
            outputs.append(model(batch.sequence[rows].to(device), lengths=lengths)[0])
    return torch.cat(outputs).to(batch.sequence.device)


def input_sensitivity(model: SequenceModel, batch: Batch, *, threshold: float = SENSITIVITY_THRESHOLD,
                      label: str | None = None) -> Sensitivity:
    """How strongly the output at the last step depends on the input at each earlier step.

    y_T is the per-sequence output, or a per-step model's output at the last step; x_t is the encoder's
    output at step t (the raw features, or the embeddings for tokens), so every core and backend reads
    alike. ‖∂y_T/∂x_t‖_F is the Frobenius norm of the (O × E) Jacobian, one backward pass per output
    unit; the model runs in eval mode and no parameter's `.grad` changes.
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie in (0, 1), got {threshold}")
    if not isinstance(model, SequenceModel):
        raise ValueError(f"input sensitivity needs a SequenceModel (encoder, core, head), got {type(model).__name__}")
    T = check_sequences(batch)
    # cuDNN's RNN backward refuses to run in eval mode; PyTorch's own kernels do not.
    with evaluating(model), torch.enable_grad(), torch.backends.cudnn.flags(enabled=False), \
            encoded_inputs(model) as encoded:
        outputs, _ = model(batch.sequence.to(model_device(model)))
        last = outputs[:, -1] if model.io.per_step else outputs  # (B, O)
        squared = torch.zeros(encoded[0].shape[:2], dtype=torch.float64, device=last.device)  # (B, T)
        for unit in range(last.shape[-1]):
            (grad,) = torch.autograd.grad(last[:, unit].sum(), encoded[0], retain_graph=True,
                                          materialize_grads=True)  # (B, T, E)
            squared += grad.double().pow(2).sum(dim=-1)
    by_lag = squared.sqrt().mean(dim=0).flip(0)  # (T,), index k = T−1−t
    peak = float(by_lag.max())
    normalised = by_lag / peak if peak > 0 else by_lag
    above = (normalised >= threshold).nonzero()
    horizon = int(above.max()) if peak > 0 else None
    return Sensitivity(label or model_label(model), T, batch.sequence.shape[0], tuple(normalised.tolist()), peak,
                       threshold, horizon)
