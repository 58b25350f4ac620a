"""Ensembles of translation runs (train/ensemble.py, `rnnlab evaluate RUN RUN`, `rnnlab translate --ensemble`,
`rnnlab.ensemble(...).translate`): scored against next-token probabilities averaged here by hand, and refused
for runs whose vocabularies differ."""

import json
import math
from pathlib import Path

import pytest
import torch
from seq2seq_checks import PAIRS

import rnnlab
from rnnlab.cli.main import main
from rnnlab.data.tasks.base import on_split
from rnnlab.data.tasks.pairs import BOS_ID, EOS_ID, PairTask
from rnnlab.train.ensemble import evaluate_ensemble, load_seq2seq_ensemble
from rnnlab.train.experiment import evaluate_run, load_run
from rnnlab.train.run import RunFolder


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Tiny runs on one file of repeated pairs (about a second each): a GRU and an LSTM with attention on the
    same vocabularies, and a GRU whose vocabularies are smaller."""
    folder = tmp_path_factory.mktemp("seq2seq-ensemble")
    (folder / "pairs.tsv").write_text("".join(f"{s}\t{t}\n" for s, t in PAIRS) * 3, encoding="utf-8")
    common = ["train", "--task", "tsv", "--set", f"path={folder / 'pairs.tsv'}", "--set", "min_count=1",
              "--attention", "additive", "--hidden", "16", "--steps", "100", "--eval-every", "100", "--lr", "0.02",
              "--batch-size", "16"]
    argv = {"gru": ["--model", "gru", "--seed", "0", "--set", "vocab_size=24"],
            "lstm": ["--model", "lstm", "--seed", "1", "--set", "vocab_size=24"],
            "smaller": ["--model", "gru", "--seed", "2", "--set", "vocab_size=20"]}
    for name, extra in argv.items():
        assert main([*common, *extra, "--out", str(folder / name)]) == 0
    torch.set_num_threads(1)
    return {name: folder / name for name in argv}


@pytest.mark.parametrize("split", ["test", "validation"])
def test_the_ensemble_against_next_token_probabilities_averaged_by_hand(runs, split):
    """Reference: every held-out pair teacher-forced through each member alone, the softmaxes averaged, and
    the cross-entropy of the true next tokens under that mean; members' rows are `evaluate_run`'s."""
    folders = [RunFolder(runs["gru"]), RunFolder(runs["lstm"])]
    result = evaluate_ensemble(folders, split)
    experiment, _, _ = load_run(folders[0])
    task = experiment.entry.build(on_split(experiment.task_config, split))
    assert isinstance(task, PairTask)
    models = [load_run(folder)[2].eval() for folder in folders]
    nats, count = 0.0, 0
    for turns, target in task.held_out_examples(split):
        source = torch.tensor([task.encode_source(turns)])
        wanted = [*task.encode_target(target), EOS_ID]
        target_in = torch.tensor([[BOS_ID, *wanted[:-1]]])
        with torch.no_grad():
            mean = torch.stack([m((source, target_in), None, None)[0][0].softmax(-1) for m in models]).mean(0)
        nats -= float(mean[torch.arange(len(wanted)), torch.tensor(wanted)].log().sum())
        count += len(wanted)
    assert result.split == split and result.averaged == "next-token"
    assert math.isclose(result.metrics["cross_entropy"], nats / count, rel_tol=1e-4)
    assert {"bleu", "chrf", "perplexity"} <= set(result.metrics)
    for folder, (_, _, metrics) in zip(folders, result.members, strict=True):
        assert metrics == pytest.approx(evaluate_run(folder, split)[1], rel=1e-6)
    assert "unigram" in result.baselines


def test_runs_with_other_vocabularies_cannot_join(runs):
    with pytest.raises(ValueError, match=r"smaller cannot join an ensemble with .*gru: its vocabularies differ"):
        evaluate_ensemble([RunFolder(runs["gru"]), RunFolder(runs["smaller"])])


def test_translate_decodes_with_the_ensemble(runs, capsys):
    """Reference: the pairs both members learned by heart; the command's output is the Python API's."""
    code = main(["translate", str(runs["gru"]), "das boot ist klein", "ein kleines haus", "--ensemble",
                 str(runs["lstm"]), "--beam", "3"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and out == ["the boat is small", "a small house"]
    team = rnnlab.ensemble([runs["gru"], runs["lstm"]])
    assert team.translate(["das boot ist klein", "ein kleines haus"], beam=3) == out
    with pytest.raises(ValueError, match="cannot classify raw input"):
        team.classify(["das boot"])


def test_one_run_loads_as_itself(runs):
    task, model = load_seq2seq_ensemble([RunFolder(runs["gru"])])
    assert type(model).__name__ == "EncoderDecoder" and isinstance(task, PairTask)


def test_evaluate_and_translate_refuse_a_mismatch_in_one_line(runs, capsys):
    for argv in (["evaluate", str(runs["gru"]), str(runs["smaller"]), "--json"],
                 ["translate", str(runs["gru"]), "das boot", "--ensemble", str(runs["smaller"])]):
        code = main(argv)
        captured = capsys.readouterr()
        assert code == 2 and captured.out == "" and "vocabularies differ" in captured.err
        assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err


def test_the_command_names_what_was_averaged(runs, capsys):
    assert main(["evaluate", str(runs["gru"]), str(runs["lstm"]), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["averaged"] == "next-token" and len(report["members"]) == 2 and "bleu" in report["ensemble"]
