"""`rnnlab train` end to end through `main([...])`: the run folder it writes, every model and init option
reachable from the command line and recorded in config.json, and one-line errors for bad input."""

import dataclasses
import json
import math
from pathlib import Path

import pytest
import torch

from rnnlab.cli.main import main
from rnnlab.cli.train import summary_lines
from rnnlab.data.tasks.registry import TASKS
from rnnlab.models.registry import MODELS, ModelConfig, build_model, count_parameters
from rnnlab.models.sequence import IOSpec
from rnnlab.train.experiment import Experiment
from rnnlab.train.optim import lr_factor
from rnnlab.train.run import RunFolder, RunSummary
from rnnlab.train.tensorboard import read_scalars

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")

# Small and quick: a short adding task, a tiny test set and model.
QUICK_TASK = ["--task", "adding", "--length", "6", "--set", "test_size=16", "--steps", "4", "--eval-every", "2",
              "--batch-size", "4"]
QUICK = [*QUICK_TASK, "--hidden", "4"]


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield
    torch.set_num_threads(1)  # `train --threads` sets the process-wide count; put back the tests' one


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def config_of(folder: str) -> dict:
    return json.loads((Path(folder) / "config.json").read_text())


def test_train_writes_a_complete_run_folder(capsys):
    """Reference: the run folder layout of train/run.py's docstring, and the task's suggested settings
    (adding: lr 1e-2, batch 32, H = 64) for the flags not given."""
    code, out, err = cli(capsys, "train", "--task", "adding", "--length", "10", "--steps", "60", "--eval-every", "20",
                         "--out", "DIR")
    assert code == 0, err
    folder = Path("DIR")
    config = config_of("DIR")
    assert config["task"] == "adding" and config["task_config"]["length"] == 10
    assert config["model"]["name"] == "lstm" and config["model"]["hidden_size"] == 64
    assert config["train"]["lr"] == 0.01 and config["train"]["batch_size"] == 32 and config["train"]["steps"] == 60

    records = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [20, 40, 60]
    assert [r["sequences"] for r in records] == [640, 1280, 1920]
    (events,) = (folder / "tensorboard").glob("events.*")
    assert [(step, value) for step, tag, value in read_scalars(events) if tag == "test/mse"] == [
        (r["step"], torch.tensor(r["metrics"]["mse"], dtype=torch.float32).item()) for r in records]
    latest = (folder / "checkpoints" / "latest").read_text().strip()
    assert latest == "step-00000060" and (folder / "checkpoints" / latest / "model.safetensors").exists()

    result = json.loads((folder / "result.json").read_text())
    assert result["status"] in ("solved", "not solved") and result["steps"] == 60 and result["metric"] == "mse"
    assert result["best"] == min(r["metrics"]["mse"] for r in records)
    assert f"best test mse {result['best']:.4f} after 60 steps" in out
    assert "17,473 parameters" in out  # an LSTM with H=64 on 2 inputs: 4·64·(2+64) + 2·4·64 + 64 + 1
    assert "DIR/result.json" in out
    assert err.splitlines()[0].startswith("adding-10-lstm-s0  H=64  -> DIR")


def test_the_default_folder_is_named_after_the_run(capsys):
    code, _, err = cli(capsys, "train", *QUICK)
    assert code == 0, err
    assert Path("runs/adding-6-lstm-s0/result.json").exists()


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_trains(capsys, name):
    """Reference: the model registry: each name trains and is recorded, with the parameter count of the
    model the registry builds for that config."""
    code, out, err = cli(capsys, "train", *QUICK, "--model", name, "--out", name)
    assert code == 0, err
    config = config_of(name)
    assert config["model"]["name"] == name
    model = build_model(ModelConfig(name, hidden_size=4), IOSpec(input_size=2, output_size=1))
    assert f"; {count_parameters(model):,} parameters" in out


def rebuilt(folder: str):
    """The model as `evaluate` and `--resume` rebuild it from config.json, before any training."""
    return Experiment.from_spec(RunFolder(Path(folder)).spec()).build()[1]


INIT_DEFAULTS = {"scheme": "uniform", "forget_bias": 1.0, "chrono_max_len": None, "identity_scale": 1.0}


@pytest.mark.parametrize(("flags", "model", "train"), [
    (["--model", "ln-lstm"], {"name": "ln-lstm"}, {}),
    (["--model", "irnn", "--init-scheme", "orthogonal"],
     {"name": "irnn", "init": INIT_DEFAULTS | {"scheme": "orthogonal"}}, {}),
    (["--model", "irnn", "--init-identity-scale", "0.5"],
     {"init": INIT_DEFAULTS | {"scheme": "identity", "identity_scale": 0.5}}, {}),  # irnn's own scheme kept
    (["--model", "gru", "--init-chrono-max-len", "20"], {"name": "gru", "init": INIT_DEFAULTS | {"chrono_max_len": 20}},
     {}),
    (["--init-forget-bias", "2.5"], {"init": INIT_DEFAULTS | {"forget_bias": 2.5}}, {}),
    ([], {"init": None}, {}),
    (["--bidirectional"], {"bidirectional": True}, {}),
    (["--num-layers", "2", "--dropout", "0.1"], {"num_layers": 2, "dropout": 0.1}, {}),
    (["--backend", "readable"], {"backend": "readable"}, {}),
    (["--model", "transformer", "--num-heads", "2", "--ff-mult", "2", "--positions", "learned", "--max-len", "32"],
     {"num_heads": 2, "ff_mult": 2, "positions": "learned", "max_len": 32}, {}),
    (["--optimizer", "sgd", "--momentum", "0.9"], {}, {"optimizer": "sgd", "momentum": 0.9}),
    (["--optimizer", "adamw", "--weight-decay", "0.01"], {}, {"optimizer": "adamw", "weight_decay": 0.01}),
    (["--optimizer", "rmsprop"], {}, {"optimizer": "rmsprop"}),
    (["--decay", "cosine", "--warmup-steps", "5"], {}, {"decay": "cosine", "warmup_steps": 5}),
    (["--clip", "0"], {}, {"clip": 0.0}),
    (["--seed", "3", "--lr", "0.05", "--no-stop-when-solved", "--checkpoint-every", "2", "--max-seconds", "100",
      "--device", "cpu"],
     {}, {"seed": 3, "lr": 0.05, "stop_when_solved": False, "checkpoint_every": 2, "max_seconds": 100.0,
          "device": "cpu"}),
], ids=lambda value: " ".join(value) if isinstance(value, list) else None)
def test_flags_reach_config_json(capsys, flags, model, train):
    """Reference: the flags given: config.json holds exactly those values (every other field at its
    default or the task's suggestion)."""
    code, _, err = cli(capsys, "train", *QUICK, *flags, "--out", "run")
    assert code == 0, err
    config = config_of("run")
    assert config["model"] | model == config["model"]
    assert config["train"] | train == config["train"]
    assert rebuilt("run") is not None


def test_init_flags_reach_the_weights(capsys):
    """Reference: the schemes' definitions (models/init.py): an orthogonal recurrent matrix for
    `--model irnn --init-scheme orthogonal` (U Uᵀ = I), ReLU kept; chrono biases for the GRU's update gate
    in [0, log(T_max − 1)] (Tallec & Ollivier 2018) with the b_hh rows zero; layer norms in ln-lstm."""
    assert cli(capsys, "train", *QUICK, "--model", "irnn", "--init-scheme", "orthogonal", "--out", "irnn")[0] == 0
    cell = rebuilt("irnn").core.cells[0]
    U = cell.h_to_gates.weight.detach()
    torch.testing.assert_close(U @ U.T, torch.eye(4))
    assert cell.nonlinearity == "relu"

    assert cli(capsys, "train", *QUICK, "--model", "gru", "--init-chrono-max-len", "20", "--out", "gru")[0] == 0
    cell = rebuilt("gru").core.cells[0]
    z = cell.gate_slice("z")
    bias = cell.x_to_gates.bias.detach()[z]
    assert float(bias.min()) >= 0.0 and float(bias.max()) <= math.log(19)
    assert torch.equal(cell.h_to_gates.bias.detach()[z], torch.zeros(4))

    assert cli(capsys, "train", *QUICK, "--model", "ln-lstm", "--out", "ln")[0] == 0
    assert hasattr(rebuilt("ln").core.cells[0], "ln_c")


def test_budget_picks_the_largest_hidden_size_within_it(capsys):
    """Reference: parameter counts of the registry's models at H and H + 1."""
    code, _, err = cli(capsys, "train", *QUICK_TASK, "--budget", "2000", "--out", "run")
    assert code == 0, err
    hidden = config_of("run")["model"]["hidden_size"]
    io = IOSpec(input_size=2, output_size=1)
    assert count_parameters(build_model(ModelConfig("lstm", hidden_size=hidden), io)) <= 2000
    assert count_parameters(build_model(ModelConfig("lstm", hidden_size=hidden + 1), io)) > 2000
    assert f"H={hidden}" in err


def test_warmup_and_cosine_reach_the_learning_rate(capsys):
    """Reference: lr_factor's formula, 0.5 (1 + cos(π p)) after a linear warm-up, times --lr, at each
    recorded step."""
    argv = ["train", "--task", "adding", "--length", "6", "--set", "test_size=16", "--steps", "12", "--eval-every", "3",
            "--batch-size", "4", "--hidden", "4", "--lr", "0.1", "--decay", "cosine", "--warmup-steps", "5"]
    assert cli(capsys, *argv, "--out", "run")[0] == 0
    records = [json.loads(line) for line in Path("run/metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [3, 6, 9, 12]
    for r in records:
        step = r["step"]
        expected = 3 / 5 if step == 3 else 0.5 * (1 + math.cos(math.pi * (step - 5) / 7))
        assert r["lr"] == pytest.approx(0.1 * expected, abs=1e-12)
        assert r["lr"] == pytest.approx(0.1 * lr_factor(step, 12, 5, "cosine"))


def test_set_options_reach_the_task(capsys):
    code, _, err = cli(capsys, "train", *QUICK, "--set", "solved_mse=0.5", "--set", "test-size = 8", "--out", "run")
    assert code == 0, err
    assert config_of("run")["task_config"] == {"length": 6, "test_size": 8, "solved_mse": 0.5}


def test_a_tokens_task_with_an_embedding(capsys):
    code, _, err = cli(capsys, "train", "--task", "copy", "--length", "3", "--set", "length=2", "--set", "test_size=8",
                       "--steps", "2", "--eval-every", "1", "--batch-size", "4", "--hidden", "4", "--embed-size", "3",
                       "--out", "run")
    assert code == 0, err
    config = config_of("run")
    assert config["task_config"]["delay"] == 3 and config["task_config"]["length"] == 2
    assert config["model"]["embed_size"] == 3


def test_a_run_can_be_resumed_and_overwritten(capsys):
    """Reference: the first run's records: resuming a finished run adds none; --overwrite starts afresh
    with the new settings."""
    assert cli(capsys, "train", *QUICK, "--out", "run")[0] == 0
    before = Path("run/metrics.jsonl").read_text()
    code, _, err = cli(capsys, "train", *QUICK, "--out", "run", "--resume")
    assert code == 0, err
    assert Path("run/metrics.jsonl").read_text() == before
    code, _, err = cli(capsys, "train", *QUICK, "--model", "gru", "--out", "run", "--overwrite")
    assert code == 0, err
    assert config_of("run")["model"]["name"] == "gru"


def test_a_diverged_run_is_reported_as_diverged(capsys):
    """Reference: an IRNN with recurrent weights 10·I overflows float32 within 60 steps of the adding task
    (10^60 > 3.4·10^38), so the first step's loss is not finite; resuming it changes nothing."""
    argv = ["train", *QUICK, "--length", "60", "--model", "irnn", "--init-identity-scale", "10", "--out", "run"]
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    result = json.loads(Path("run/result.json").read_text())
    assert result["status"] == "diverged" and result["diverged_at_step"] == 1 and result["solved_at_step"] is None
    assert out.startswith("diverged: ") and "diverged at step 1" in out
    code, out, err = cli(capsys, *argv, "--resume")
    assert code == 0, err
    assert json.loads(Path("run/result.json").read_text())["status"] == "diverged"


def snapshot(folder: str) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def expect_usage_error(capsys, argv: list[str], message: str) -> str:
    """Exit code 2, nothing on stdout, and on stderr exactly one line: "error: ..." naming the problem."""
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(("flags", "message"), [
    (["--task", "adding-problem"], "unknown task 'adding-problem'; choose one of adding, copy"),
    (["--task", "adding", "--length", "0"], "--length must be positive, got 0"),
    (["--task", "adding", "--length", "-3"], "--length must be positive, got -3"),
    (["--task", "adding", "--length", "1"], "the adding problem needs a length of at least 2"),
    (["--task", "adding", "--set", "test_size"], "--set takes OPTION=VALUE, got 'test_size'"),
    (["--task", "adding", "--set", "=3"], "--set takes OPTION=VALUE"),
    (["--task", "adding", "--set", "delay=3"], "task 'adding' has no option delay; its options are length, "
                                               "solved_mse, test_size"),
    (["--task", "adding", "--hidden", "8", "--budget", "2000"], "give --hidden or --budget, not both"),
    (["--task", "adding", "--budget", "3"], "a budget of 3 parameters is below the smallest 'lstm' model"),
    (["--task", "adding", "--steps", "0"], "steps must be positive, got 0"),
    (["--task", "adding", "--num-layers", "0"], "hidden_size and num_layers must be positive"),
    (["--task", "adding", "--threads", "0"], "--threads must be positive"),
    (["--task", "mnist5k", "--length", "10"], "task 'mnist5k' has no length to set"),
], ids=lambda value: " ".join(value) if isinstance(value, list) else None)
def test_bad_input_is_one_error_line(capsys, flags, message):
    expect_usage_error(capsys, ["train", *flags, "--out", "run"], message)
    assert not Path("run").exists()


def test_an_existing_run_is_refused_and_left_untouched(capsys):
    """Reference: the folder's bytes before the refused commands."""
    assert cli(capsys, "train", *QUICK, "--out", "run")[0] == 0
    before = snapshot("run")
    expect_usage_error(capsys, ["train", *QUICK, "--out", "run"], "run already holds a run; pass --resume")
    expect_usage_error(capsys, ["train", *QUICK, "--out", "run", "--resume", "--overwrite"],
                       "--resume and --overwrite exclude each other")
    expect_usage_error(capsys, ["train", *QUICK, "--lr", "0.5", "--out", "run", "--resume"],
                       "run holds a run with a different train; resume with the same settings")
    expect_usage_error(capsys, ["train", *QUICK, "--model", "gru", "--out", "run", "--resume"],
                       "holds a run with a different model")
    assert snapshot("run") == before


def test_folders_that_hold_no_run(capsys):
    expect_usage_error(capsys, ["train", *QUICK, "--out", "empty", "--resume"], "nothing to resume: empty holds no run")
    Path("notes").mkdir()
    Path("notes/thesis.txt").write_text("mine")
    expect_usage_error(capsys, ["train", *QUICK, "--out", "notes"], "notes is not empty")
    assert snapshot("notes") == {"notes/thesis.txt": b"mine"}


def test_paths_with_brackets_are_printed_as_they_are(capsys):
    """Rich reads [x] as markup; a folder named so must still be named right (and `[/x]` must not crash)."""
    assert cli(capsys, "train", *QUICK, "--out", "runs/[a]")[0] == 0
    err = expect_usage_error(capsys, ["train", *QUICK, "--out", "runs/[a]"], "runs/[a] already holds a run")
    assert "runs/[a]" in err
    Path("x[/y]").mkdir(parents=True)  # the folder y] in the folder x[
    Path("x[/y]/file").write_text("")
    expect_usage_error(capsys, ["train", *QUICK, "--out", "x[/y]"], "x[/y] is not empty")


def test_every_registered_task_is_a_train_choice(capsys):
    """Reference: the task registry: the --task help names every task."""
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = "".join(capsys.readouterr().out.split())  # argparse wraps lines, even at hyphens
    for name in TASKS:
        assert name in help_text


def test_a_bad_user_file_is_one_line_and_leaves_no_run_folder(tmp_path, capsys):
    """A task's `prepare` (load and validate) runs before the run folder is written."""
    bad = tmp_path / "series.csv"
    bad.write_text("date,load\n2020-01-01,1\n2020-01-02,x\n")
    out = tmp_path / "run"
    assert main(["train", "--task", "csv-series", "--set", f"path={bad}", "--time-column", "date",
                 "--target", "load", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "line 3, column 'load'" in err and not out.exists()


def test_the_last_lines_call_validation_validation_and_put_test_metrics_beside_the_baselines():
    """Reference: issue 14's wording: the best score is the validation split's, the test score is printed with
    the baselines of the same split, and a model that loses to a baseline is told so."""
    summary = RunSummary("not solved", None, 300, 30.0, None, None, None, "accuracy", 0.74, {"accuracy": 0.72},
                         "plateaued", False, 1000, {"accuracy": 0.70}, 200,
                         {"majority class": {"accuracy": 0.58}, "bag of words": {"accuracy": 0.75}})
    first, test, baselines = summary_lines(summary, "validation", lower_is_better=False)
    assert first.startswith("not solved: best validation accuracy 0.7400 after 300 steps") and "plateaued" in first
    assert test.startswith("test accuracy 0.7000 (the weights of step 200, chosen on validation")
    assert baselines == ("baselines on the test split: majority class 0.5800, bag of words 0.7500; the model does "
                         "NOT beat the bag of words baseline (0.7500)")
    better = dataclasses.replace(summary, test_metrics={"accuracy": 0.8})
    assert summary_lines(better, "validation", False)[2].endswith("the model beats every baseline")
    lower = dataclasses.replace(summary, metric="mase", test_metrics={"mase": 0.9},
                                baselines={"naive": {"mase": 1.2}, "seasonal naive": {"mase": 0.8}})
    assert "does NOT beat the seasonal naive baseline (0.8000)" in summary_lines(lower, "validation", True)[2]
    assert len(summary_lines(dataclasses.replace(summary, test_metrics=None), "test", False)) == 1


def test_progress_lines_name_the_held_out_split(capsys):
    """Reference: a generated task's held-out set is its test set; the training line says so."""
    code, _, err = cli(capsys, "train", *QUICK, "--out", "run")
    assert code == 0 and "test mse" in err and "validation" not in err


def test_recipe_flag_reaches_the_configs_and_flags_given_still_win():
    """Reference: train/recipe_book.py's de-en cpu recipe (read without building the model or the data)."""
    from rnnlab.cli.main import build_parser
    from rnnlab.cli.train import build_experiment
    from rnnlab.train.recipe_book import find_recipe

    args = build_parser().parse_args(["train", "--task", "de-en", "--model", "gru", "--recipe", "cpu",
                                      "--lr", "0.01"])
    experiment = build_experiment(args)
    recipe = find_recipe("de-en", "cpu").settings("gru")
    assert experiment.model.attention_placement == "bahdanau" and experiment.model.dropout == recipe.dropout
    assert experiment.task_config.tokenizer == "bpe" and experiment.train.lr == 0.01
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--task", "de-en", "--recipe", "tpu"])
