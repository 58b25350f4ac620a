"""`rnnlab chat` driven through a pipe: one reply line per input line, /reset and /quit, no prompts or colour."""

import io
from pathlib import Path

import pytest
import torch

from rnnlab.cli.main import main
from rnnlab.data.tasks import dialogue

CONVERSATIONS = [["hello", "hi there"], ["how are you", "fine thanks"], ["what is your name", "i am a bot"]] * 4


def train_chatterbot(out: Path, model: str, seed: int) -> None:
    """A tiny model trained for 60 steps on a fixture corpus standing in for ChatterBot's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dialogue, "load_conversations", lambda split: CONVERSATIONS)
        code = main(["train", "--task", "chatterbot", "--set", "vocab_size=20", "--set", "min_count=1", "--model",
                     model, "--seed", str(seed), "--hidden", "16", "--steps", "60", "--eval-every", "60", "--lr",
                     "0.03", "--batch-size", "12", "--out", str(out)])
    torch.set_num_threads(1)
    assert code == 0


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """An LSTM (see train_chatterbot)."""
    run = tmp_path_factory.mktemp("chat") / "run"
    train_chatterbot(run, "lstm", 0)
    return run


def chat(monkeypatch, capsys, run_dir: Path, text: str, *options: str) -> list[str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))  # not a TTY: what a pipe looks like
    assert main(["chat", str(run_dir), *options]) == 0
    out = capsys.readouterr().out
    assert "\x1b[" not in out and "you>" not in out
    return out.splitlines()


def test_one_reply_per_piped_line_until_quit(run_dir, monkeypatch, capsys):
    """Reference: the piped lines hello, /reset, how are you, /quit, ignored: two replies; greedy replies are the
    ones the run learned by heart (the corpus needs no data at chat time: the model carries its vocabulary)."""
    replies = chat(monkeypatch, capsys, run_dir, "hello\n/reset\nhow are you\n/quit\nignored\n", "--temperature", "0")
    assert replies == ["hi there", "fine thanks"]


def test_an_ensemble_replies_as_one_model(run_dir, monkeypatch, capsys):
    """Reference: the replies a GRU of another seed and the LSTM both learned by heart, greedy from their mean
    next-token probabilities (models/ensemble.py)."""
    other = run_dir.parent / "gru"
    train_chatterbot(other, "gru", 1)
    capsys.readouterr()
    replies = chat(monkeypatch, capsys, run_dir, "hello\nhow are you\n", "--temperature", "0", "--ensemble", str(other))
    assert replies == ["hi there", "fine thanks"]


def test_sampling_is_seeded(run_dir, monkeypatch, capsys):
    first = chat(monkeypatch, capsys, run_dir, "hello\nwhat is your name\n", "--temperature", "1.5", "--seed", "3")
    again = chat(monkeypatch, capsys, run_dir, "hello\nwhat is your name\n", "--temperature", "1.5", "--seed", "3")
    assert first == again and len(first) == 2


def test_chat_needs_a_dialogue_run(tmp_path, monkeypatch, capsys):
    (tmp_path / "pairs.tsv").write_text("a b\tc d\ne f\tg h\ni j\tk l\n", encoding="utf-8")
    assert main(["train", "--task", "tsv", "--set", f"path={tmp_path / 'pairs.tsv'}", "--set", "vocab_size=20",
                 "--set", "min_count=1", "--steps", "2", "--eval-every", "2", "--hidden", "4", "--out",
                 str(tmp_path / "run")]) == 0
    torch.set_num_threads(1)
    monkeypatch.setattr("sys.stdin", io.StringIO("hello\n"))
    assert main(["chat", str(tmp_path / "run")]) == 2
    assert "not a dialogue task; use `rnnlab translate`" in capsys.readouterr().err
