"""`rnnlab translate` end to end: a tiny run trained in seconds translates its sentences, from arguments or a file,
never overwrites without --overwrite, and reports misuse in one line."""

import json
from pathlib import Path

import pytest
import torch
from seq2seq_checks import PAIRS

from rnnlab.cli.main import main


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A GRU with additive attention trained for 100 steps (about a second) on ten repeated pairs."""
    folder = tmp_path_factory.mktemp("translate")
    (folder / "pairs.tsv").write_text("".join(f"{s}\t{t}\n" for s, t in PAIRS) * 3, encoding="utf-8")
    code = main(["train", "--task", "tsv", "--set", f"path={folder / 'pairs.tsv'}", "--set", "vocab_size=24",
                 "--set", "min_count=1", "--model", "gru", "--attention", "additive", "--hidden", "16", "--steps",
                 "100", "--eval-every", "100", "--lr", "0.02", "--batch-size", "16", "--out", str(folder / "run")])
    torch.set_num_threads(1)
    assert code == 0
    return folder / "run"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_trained_run_translates_what_it_learned(run_dir, capsys):
    """Reference: the pairs the run was trained on (tiny model, 100 steps: it has learned them by heart)."""
    assert json.loads((run_dir / "result.json").read_text())["test_metrics"]["bleu"] > 50
    code, out, _ = cli(capsys, "translate", str(run_dir), "das boot ist klein", "Ein kleines Haus.", "--beam", "3")
    assert code == 0
    assert out.splitlines() == ["the boat is small", "a small house"]


def test_a_file_translates_line_by_line_and_is_never_overwritten(run_dir, tmp_path, capsys):
    """Reference: one output line per input line, blank lines kept blank; an existing --out needs --overwrite."""
    source, target = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text("das haus\n\nein boot\n", encoding="utf-8")
    assert cli(capsys, "translate", str(run_dir), "--file", str(source), "--out", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == "the house\n\na boat\n"
    code, _, err = cli(capsys, "translate", str(run_dir), "--file", str(source), "--out", str(target))
    assert code == 2 and "exists; pass --overwrite" in err and target.read_text(encoding="utf-8").startswith("the")
    assert cli(capsys, "translate", str(run_dir), "--file", str(source), "--out", str(target), "--overwrite")[0] == 0


@pytest.mark.parametrize(("argv", "message"), [
    (["x", "--file", "f.txt"], "not both and not neither"),
    ([], "not both and not neither"),
    (["x", "--beam", "0"], "must be positive"),
])
def test_misuse_is_one_line(run_dir, capsys, argv, message):
    code, _, err = cli(capsys, "translate", str(run_dir), *argv)
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_run_of_another_task_is_refused(tmp_path, capsys):
    """Reference: train.experiment.load_seq2seq_run's check: only sequence-to-sequence runs translate."""
    assert main(["train", "--task", "adding", "--length", "5", "--set", "test_size=4", "--steps", "2", "--eval-every",
                 "2", "--batch-size", "2", "--hidden", "2", "--out", str(tmp_path / "adding")]) == 0
    torch.set_num_threads(1)
    code, _, err = cli(capsys, "translate", str(tmp_path / "adding"), "hallo")
    assert code == 2 and "not of a sequence-to-sequence task" in err
