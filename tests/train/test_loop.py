"""The training loop against a hand-written loop, and its stopping rules: steps, time, divergence, success."""

import copy
import itertools
import math

import pytest
import torch
from torch import Tensor, nn
from torch.testing import assert_close

from rnnlab.data.tasks.adding import BASELINE_MSE, AddingConfig, AddingTask
from rnnlab.data.tasks.base import Batch, seeded
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train import loop
from rnnlab.train.loop import TRAIN_STREAM, TrainConfig, evaluate, train
from rnnlab.train.records import EvalRecord, improved_within, still_improving


def adding(length: int = 10, test_size: int = 64, **options) -> AddingTask:
    return AddingTask(AddingConfig(length=length, test_size=test_size, **options))


def lstm(task: AddingTask, hidden_size: int = 8, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return build_model(ModelConfig("lstm", hidden_size=hidden_size), task.io)


def test_train_equals_a_hand_written_loop():
    """Reference: the loop written out by hand with the same stream seeded(seed, TRAIN_STREAM), Adam and
    clip_grad_norm_: records every eval_every steps and at the last step, each with the mean loss and
    the (upper) median gradient norm since the previous record, and test metrics from `evaluate`."""
    task = adding()
    model = lstm(task)
    reference = copy.deepcopy(model)
    config = TrainConfig(steps=7, batch_size=16, lr=0.05, clip=0.5, eval_every=3, seed=2, stop_when_solved=False)
    seen = []
    result = train(model, task, config, on_eval=seen.append)

    generator = seeded(config.seed, TRAIN_STREAM)
    optimiser = torch.optim.Adam(reference.parameters(), lr=config.lr)
    losses, norms = [], []
    for _ in range(config.steps):
        batch = task.sample(config.batch_size, generator)
        outputs, _ = reference(batch.inputs)
        loss = ((outputs - batch.targets) ** 2).mean()
        optimiser.zero_grad()
        loss.backward()
        norms.append(float(torch.sqrt(sum((p.grad ** 2).sum() for p in reference.parameters()))))
        nn.utils.clip_grad_norm_(reference.parameters(), config.clip)
        optimiser.step()
        losses.append(float(loss.detach()))

    assert [r.step for r in result.records] == [3, 6, 7]
    assert seen == result.records
    for record, since in zip(result.records, [slice(0, 3), slice(3, 6), slice(6, 7)]):
        assert record.sequences == record.step * config.batch_size
        assert record.train_loss == pytest.approx(sum(losses[since]) / len(losses[since]), rel=1e-5)
        assert record.grad_norm == pytest.approx(sorted(norms[since])[len(norms[since]) // 2], rel=1e-5)
    assert_close(list(model.parameters()), list(reference.parameters()))
    assert result.final.metrics == pytest.approx(evaluate(reference, task, task.test_set(config.seed)))
    assert not result.diverged
    assert [r.seconds for r in result.records] == sorted(r.seconds for r in result.records)


@pytest.mark.parametrize("clip", [0.0, 1e-9])
def test_clip_zero_disables_clipping(clip):
    """Reference: one Adam step by hand with the unclipped gradient (clip = 0) or the gradient scaled by
    clip / (norm + 1e-6), torch's clip_grad_norm_ (clip = 1e-9). The recorded norm is the unclipped one
    either way; so tiny a clip changes Adam's step (through its eps), so the two cases differ."""
    task = adding()
    model = lstm(task)
    reference = copy.deepcopy(model)
    record = train(model, task, TrainConfig(steps=1, batch_size=16, lr=0.1, clip=clip, eval_every=1)).final

    batch = task.sample(16, seeded(0, TRAIN_STREAM))
    outputs, _ = reference(batch.inputs)
    ((outputs - batch.targets) ** 2).mean().backward()
    norm = float(torch.sqrt(sum((p.grad ** 2).sum() for p in reference.parameters())))
    assert record.grad_norm == pytest.approx(norm, rel=1e-5)
    assert norm > 1e-3  # so clip = 1e-9 does clip
    if clip > 0:
        for p in reference.parameters():
            p.grad.mul_(clip / (norm + 1e-6))
    before = [p.detach().clone() for p in reference.parameters()]
    torch.optim.Adam(reference.parameters(), lr=0.1).step()
    assert_close(list(model.parameters()), list(reference.parameters()))
    moved = max(float((p.detach() - b).abs().max()) for p, b in zip(reference.parameters(), before))
    assert moved > 0.05 if clip == 0 else moved < 0.05  # unclipped Adam moves each weight by about lr


def test_tiny_lstm_learns_adding_10():
    """Reference: the memoryless baseline MSE 1/6 (adding.BASELINE_MSE). A tiny LSTM (H = 16, Adam 3e-2,
    seed 0) goes well below it within 200 steps; measured at about 0.04 by step 150, well under 1 s."""
    task = adding(test_size=256)
    result = train(lstm(task, hidden_size=16), task,
                   TrainConfig(steps=200, lr=3e-2, eval_every=50, stop_when_solved=False))
    assert [r.step for r in result.records] == [50, 100, 150, 200]
    assert result.final.metrics["mse"] < BASELINE_MSE / 2
    assert result.final.train_loss < result.records[0].train_loss


@pytest.mark.slow
def test_lstm_solves_adding_50():
    """Reference: Le et al. 2015's criterion, test MSE < 0.01 (AddingConfig.solved_mse). An LSTM with
    H = 32 and Adam 1e-2 solved adding-50 in 1400 steps here (seed 0, about 4 s on one thread)."""
    task = adding(length=50, test_size=500)
    result = train(lstm(task, hidden_size=32), task, TrainConfig(steps=3000, lr=1e-2, eval_every=100))
    assert result.solved and result.first_solved is result.final
    assert result.final.metrics["mse"] < 0.01
    assert result.final.step < 3000  # stopped when solved


def test_stop_when_solved():
    """Reference: a task whose criterion any model meets (solved_mse = 10): training stops at the first
    evaluation unless told to go on."""
    task = adding(solved_mse=10.0)
    stopped = train(lstm(task), task, TrainConfig(steps=6, eval_every=2))
    assert [r.step for r in stopped.records] == [2]
    assert stopped.solved and stopped.first_solved is stopped.records[0]
    going_on = train(lstm(task), task, TrainConfig(steps=6, eval_every=2, stop_when_solved=False))
    assert [r.step for r in going_on.records] == [2, 4, 6]
    assert going_on.first_solved is going_on.records[0]


def test_max_seconds_stops_at_the_first_step_past_it(monkeypatch):
    """Reference: a fake clock that advances 0.5 s per reading (two readings a step): 1.2 s of training
    time is passed during step 3, which ends training with a record though eval_every is far off."""
    clock = itertools.count(start=0.0, step=0.5)
    monkeypatch.setattr(loop.time, "perf_counter", lambda: next(clock))
    task = adding()
    result = train(lstm(task), task, TrainConfig(steps=100, eval_every=50, max_seconds=1.2))
    assert [r.step for r in result.records] == [3]
    assert result.final.seconds == pytest.approx(1.5)


def test_max_seconds_on_the_real_clock():
    """Reference: the wall clock: with a 0.05 s budget a million steps stop early, past the budget."""
    task = adding()
    result = train(lstm(task), task, TrainConfig(steps=1_000_000, eval_every=1_000_000, max_seconds=0.05))
    assert len(result.records) == 1
    assert result.final.seconds >= 0.05 and result.final.step < 1_000_000


class NaNAfter(nn.Module):
    """Wraps a model; from the `after`-th training call on, its outputs are NaN."""

    def __init__(self, model: nn.Module, after: int) -> None:
        super().__init__()
        self.model, self.after, self.calls = model, after, 0

    def forward(self, inputs: Tensor, state=None, lengths=None):
        outputs, state = self.model(inputs, state, lengths)
        if self.training:
            self.calls += 1
            if self.calls >= self.after:
                outputs = outputs * math.nan
        return outputs, state


@pytest.mark.parametrize("after", [1, 3])
def test_nan_marks_the_run_diverged_and_stops(after):
    """Reference: the parameters the NaN step's forward saw (a forward pre-hook's snapshot): the NaN step
    leaves them unchanged, and training stops there with a record though 100 steps were asked for."""
    task = adding()
    model = NaNAfter(lstm(task), after=after)
    seen: list[list[Tensor]] = []

    def snapshot(module: nn.Module, _args: object) -> None:
        if module.training:
            seen.append([p.detach().clone() for p in module.parameters()])

    model.register_forward_pre_hook(snapshot)
    result = train(model, task, TrainConfig(steps=100, eval_every=50))
    assert result.diverged and not result.solved
    assert [r.step for r in result.records] == [after]
    assert math.isnan(result.final.train_loss)
    assert len(seen) == after
    assert_close(list(model.parameters()), seen[-1])
    if after > 1:
        assert not torch.equal(seen[-2][0], seen[-1][0])  # the finite steps did update


@pytest.mark.parametrize("options", [
    {"steps": 0}, {"batch_size": 0}, {"eval_every": 0}, {"lr": 0.0}, {"lr": -1e-3}, {"clip": -1.0},
], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_train_config_validation(options):
    """Reference: TrainConfig's constraints: positive steps, batch size, eval interval and learning rate;
    a non-negative clip (0 disables it)."""
    with pytest.raises(ValueError):
        TrainConfig(**options)


def test_evaluate_in_slices_equals_one_pass():
    """Reference: the task's metrics over the whole test set in one call; `evaluate` slices it (here
    into 7, 7, ..., 1 sequences) and weights each slice by its size. It restores training mode."""
    task = adding(test_size=50)
    model = lstm(task).train()
    test = task.test_set(0)
    with torch.no_grad():
        model.eval()
        expected = task.metrics(model(test.inputs)[0], test)
        model.train()
    assert evaluate(model, task, test, batch_size=7) == pytest.approx(expected, rel=1e-5)
    assert model.training


def test_evaluate_passes_lengths():
    """Reference: a hand-made task batch with lengths: the slices carry their own lengths, so the
    result equals the metrics of the model called with the whole lengths tensor."""
    task = adding(test_size=10)
    model = lstm(task).eval()
    test = task.test_set(0)
    batch = Batch(test.inputs, test.targets, torch.arange(1, 11))
    with torch.no_grad():
        expected = task.metrics(model(batch.inputs, None, batch.lengths)[0], batch)
    assert evaluate(model, task, batch, batch_size=3) == pytest.approx(expected, rel=1e-5)


def test_carry_state_detaches_and_zeroes_only_the_reset_rows():
    """Reference: by hand, a (L, B, H) LSTM-style state with row 1 reset."""
    from rnnlab.models.cells import LSTMState
    from rnnlab.train.loop import carry_state

    h = torch.ones(1, 3, 2, requires_grad=True) * 2
    state = LSTMState(h, h + 1)
    carried = carry_state(state, torch.tensor([False, True, False]))
    assert not carried.h.requires_grad and not carried.c.requires_grad
    torch.testing.assert_close(carried.h[0, :, 0], torch.tensor([2.0, 0.0, 2.0]))
    torch.testing.assert_close(carried.c[0, :, 0], torch.tensor([3.0, 0.0, 3.0]))
    assert carry_state(None, None) is None


def test_a_task_with_its_own_evaluation_is_scored_by_it():
    """The trainer calls `evaluate_model` (in eval mode, without gradients) instead of slicing a test set."""
    from rnnlab.data.tasks.adding import AddingConfig, AddingTask
    from rnnlab.train.loop import evaluate_task

    class OwnEvaluation(AddingTask):
        def evaluate_model(self, model, device):
            assert not model.training and not torch.is_grad_enabled()
            return {"mse": 0.5, "own": 1.0}

        def test_set(self, seed):
            raise AssertionError("a task with its own evaluation needs no test set")

    task = OwnEvaluation(AddingConfig(length=10))
    model = build_model(ModelConfig("rnn", hidden_size=4), task.io)
    assert evaluate_task(model, task, None, torch.device("cpu")) == {"mse": 0.5, "own": 1.0}
    assert model.training
    result = train(model, task, TrainConfig(steps=2, eval_every=1, batch_size=4))
    assert result.final.metrics["own"] == 1.0


def test_select_ends_with_the_weights_of_the_best_evaluation(tmp_path):
    """Reference: the run's own records. The model after training scores exactly the best recorded metric,
    and a resumed run keeps choosing from its whole history (the best weights are kept on disk)."""
    task = AddingTask(AddingConfig(length=10, test_size=64))
    config = TrainConfig(steps=40, eval_every=5, batch_size=8, lr=0.05, stop_when_solved=False)
    torch.manual_seed(0)
    model = build_model(ModelConfig("gru", hidden_size=4), task.io)
    result = train(model, task, config, checkpoints=tmp_path, select=("mse", True))
    values = [r.metrics["mse"] for r in result.records]
    best = min(range(len(values)), key=values.__getitem__)
    assert result.selected_step == result.records[best].step
    assert_close(evaluate(model, task, task.test_set(0))["mse"], values[best])
    assert (tmp_path / "best" / "model.safetensors").exists()
    resumed = build_model(ModelConfig("gru", hidden_size=4), task.io)
    again = train(resumed, task, config, checkpoints=tmp_path, resume=True, select=("mse", True))
    assert again.selected_step == result.selected_step
    assert_close(evaluate(resumed, task, task.test_set(0))["mse"], values[best])


def records(values: list[float]) -> list[EvalRecord]:
    return [EvalRecord(10 * (k + 1), 1.0, 10, 0.1, 1.0, 1e-3, {"mse": v}, False) for k, v in enumerate(values)]


def test_improved_within_a_window_of_evaluations():
    """Reference: worked by hand: the best of the last 3 values against the best before them, by more than
    1% of the earlier best; fewer evaluations than the window + 1 count as improving (the plateau rule
    waits for a full window); NaN never improves."""
    monitor = ("mse", True)
    assert improved_within(records([0.5, 0.4, 0.3, 0.2]), monitor, 3, 0.01)
    assert not improved_within(records([0.2, 0.3, 0.199, 0.25]), monitor, 3, 0.01)  # 0.5% only
    assert improved_within(records([0.2, 0.3]), monitor, 3, 0.01)
    assert improved_within(records([math.nan, 0.3, 0.2, 0.1]), monitor, 3, 0.01)  # finite after NaN
    assert not improved_within(records([0.2, math.nan, math.nan, math.nan]), monitor, 3, 0.01)
    assert improved_within(records([0.1, 0.1, 0.1, 0.2]), ("mse", False), 3, 0.01)  # higher is better


def test_still_improving_judges_a_short_run_on_the_later_half_of_its_evaluations():
    """Reference: worked by hand. A full window: as `improved_within`. Fewer evaluations than the window + 1:
    the best of the later half against the best before it; one evaluation: improving."""
    monitor = ("mse", True)
    assert still_improving(records([0.5, 0.4, 0.3, 0.2]), monitor, 3, 0.01)
    assert not still_improving(records([0.2, 0.3, 0.199, 0.25]), monitor, 3, 0.01)
    assert still_improving(records([0.3, 0.2]), monitor, 3, 0.01) and still_improving(records([0.3]), monitor, 3, 0.01)
    assert not still_improving(records([0.2, 0.3]), monitor, 3, 0.01)  # worse at its last: not for being short
    # a shakespeare-dialogue GRU's validation CE: best at its 2nd of 5 evaluations, worse at the last two
    assert not still_improving(records([4.754, 4.722, 4.816, 4.908, 4.960]), monitor, 6, 0.01)
    assert still_improving(records([4.79, 4.64, 4.60, 4.50, 4.40]), monitor, 6, 0.01)  # 4.40 against 4.60


def test_a_run_stops_on_a_plateau_and_says_why():
    """Reference: TrainConfig.plateau_evals: a task no model can solve (solved_mse = -1) evaluated every step; with
    a window of 2 evaluations the run stops once its test MSE has not improved by 1% over 2 evaluations;
    without a window it runs its budget and says whether it was still improving."""
    task = adding(solved_mse=-1.0)
    flat = train(lstm(task), task, TrainConfig(steps=200, eval_every=1, lr=1e-12, plateau_evals=2),
                 monitor=("mse", True))
    assert flat.stop_reason == "plateaued" and len(flat.records) == 3 and not flat.still_improving
    budget = train(lstm(task), task, TrainConfig(steps=3, eval_every=1, lr=1e-12), monitor=("mse", True))
    assert budget.stop_reason == "budget" and not budget.still_improving  # flat, so not improving
    solved = train(lstm(adding(solved_mse=10.0)), adding(solved_mse=10.0), TrainConfig(steps=6, eval_every=2))
    assert solved.stop_reason == "solved"


def test_a_diverged_run_says_so():
    task = adding()
    result = train(lstm(task), task, TrainConfig(steps=50, eval_every=10, lr=1e30, clip=0))
    assert result.stop_reason == "diverged" and not result.still_improving
