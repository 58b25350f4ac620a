"""Diagnostics across models and seeds (compare/diagnose.py): what runs, what is refused, what is written."""

import json
import math
from pathlib import Path

import pytest
import torch

from rnnlab.compare.diagnose import DiagnoseConfig, check_kinds, explode_series, probe_model, run_diagnostics
from rnnlab.data.tasks.base import seeded
from rnnlab.diagnostics.gradients import gradient_flow
from rnnlab.train.experiment import make_experiment

TINY = DiagnoseConfig(models=("rnn", "lstm"), task="adding", length=10, seeds=1, probe_batch=8)


@pytest.mark.parametrize(("config", "kinds", "message"), [
    (TINY, {"memory"}, "need trained models"),
    (TINY, {"stability"}, "need trained models"),
    (DiagnoseConfig(models=("rnn",), length=10), {"gates"}, "need an LSTM or GRU"),
    (DiagnoseConfig(models=("transformer",), length=10), {"gradients"}, "no recurrent state"),
    (TINY, {"nonsense"}, "unknown diagnostic"),
])
def test_what_cannot_be_measured_is_refused_before_training(config, kinds, message) -> None:
    """Reference: check_kinds' rules; each refusal names the problem."""
    with pytest.raises(ValueError, match=message):
        check_kinds(config, kinds)


def test_probes_equal_a_direct_call_on_the_same_model_and_batch() -> None:
    """Reference: gradient_flow called by hand on the model make_experiment builds for seed 0 and the probe
    batch from stream 2: the orchestration adds nothing and loses nothing."""
    probes = probe_model(TINY, "lstm", 0, {"gradients"})
    experiment = make_experiment("adding", "lstm", length=10, train_options={"seed": 0})
    task, model = experiment.build()
    batch = task.sample(8, seeded(0, 2))
    direct = gradient_flow(model, batch, label="lstm")
    assert probes.gradients["init"].hidden.norms == pytest.approx(direct.hidden.norms)
    assert probes.gradients["init"].cell_state is not None


def test_gradients_at_initialisation_write_a_figure_and_numbers(tmp_path: Path) -> None:
    """Reference: the files run_diagnostics promises; the tanh RNN's gradient decays faster per step than
    the LSTM's at initialisation (Bengio et al. 1994; forget bias 1)."""
    report = run_diagnostics(TINY, {"gradients"}, tmp_path)
    assert (tmp_path / "gradients-init.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((tmp_path / "diagnostics.json").read_text())
    assert saved["kinds"] == ["gradients"]
    rnn = report["models"]["rnn"]["gradients_init"]["h_factor_per_step"]["mean"]
    lstm = report["models"]["lstm"]["gradients_init"]["h_factor_per_step"]["mean"]
    assert 0 < rnn < lstm < 1.5


def test_training_adds_trained_probes_gates_and_stability(tmp_path: Path) -> None:
    """Reference: with training, every probe is taken twice, gates are tracked during training, and each
    (model, seed) has a stability record whose status is one of the honest three."""
    config = DiagnoseConfig(models=("gru",), task="adding", length=8, seeds=2, probe_batch=8, train_seconds=0.3)
    report = run_diagnostics(config, {"gates", "stability"}, tmp_path)
    assert {"gates_init", "gates_trained", "training"} <= set(report["models"]["gru"])
    assert (tmp_path / "gates-gru-training.png").exists() and (tmp_path / "stability.png").exists()
    (summary,) = report["stability"]
    assert summary["n"] == 2 and 0.0 <= summary["solved_fraction"] <= 1.0


def test_exploding_gradients_diverge_without_clipping_only() -> None:
    """Reference: Pascanu et al. 2013: plain SGD at a high rate on a tanh RNN explodes; clipping the
    global norm at 1 keeps the run finite."""
    torch.manual_seed(0)
    config = DiagnoseConfig(models=("rnn",), task="adding", length=10, explode_steps=60, explode_lr=1.0)
    clipped, unclipped = explode_series(config, seed=0)
    assert clipped.diverged_at is None and all(math.isfinite(n) for n in clipped.norms)
    assert unclipped.diverged_at is not None
