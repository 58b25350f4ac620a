"""`rnnlab generate`: a tiny train -> generate on a user's text file, seeds, vocab.json, and clear errors."""

from pathlib import Path

import pytest

from rnnlab.cli.main import main

TEXT = "the quick brown fox jumps over the lazy dog.\n" * 40


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    """A 30-step LSTM on a 1,800-character file (about a second)."""
    folder = tmp_path_factory.mktemp("lm")
    corpus = folder / "fox.txt"
    corpus.write_text(TEXT, encoding="utf-8")
    run = folder / "run"
    code = main(["train", "--task", "text-file", "--set", f"corpus={corpus}", "--set", "chunk_length=16",
                 "--set", "eval_columns=2", "--model", "lstm", "--hidden", "32", "--steps", "30", "--batch-size", "4",
                 "--eval-every", "15", "--lr", "0.01", "--out", str(run)])
    assert code == 0
    return run, corpus


def test_train_then_generate_streams_reproducible_text(trained, capsys):
    run, corpus = trained
    capsys.readouterr()
    args = ["generate", str(run), "--prompt", "the ", "--length", "60", "--temperature", "0.8", "--seed", "1"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert first.startswith("the ") and len(first) == len("the ") + 60 + 1  # prompt, 60 characters, newline
    assert set(first) <= set(TEXT) | {"\n"}
    assert (run / "vocab.json").exists()
    corpus.rename(corpus.with_suffix(".moved"))  # from now on the run generates from its vocab.json
    try:
        assert main(args) == 0
        assert capsys.readouterr().out == first
        assert main([*args[:-1], "2", "--top-k", "3", "--top-p", "0.9"]) == 0
        assert capsys.readouterr().out.startswith("the ")
    finally:
        corpus.with_suffix(".moved").rename(corpus)


def test_a_run_that_is_not_a_language_model_is_one_clear_error(tmp_path, capsys):
    run = tmp_path / "adding"
    assert main(["train", "--task", "adding", "--length", "5", "--steps", "2", "--eval-every", "2",
                 "--hidden", "4", "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["generate", str(run)]) == 2
    err = capsys.readouterr().err
    assert "not a language model" in err and "Traceback" not in err


def test_bad_corpus_and_bad_flags_are_one_line_exit_2(tmp_path, trained, capsys):
    binary = tmp_path / "model.bin"
    binary.write_bytes(bytes(range(256)))
    assert main(["train", "--task", "text-file", "--set", f"corpus={binary}", "--steps", "2",
                 "--out", str(tmp_path / "r")]) == 2
    assert "looks binary" in capsys.readouterr().err
    assert main(["generate", str(trained[0]), "--top-p", "1.5"]) == 2
    assert "top-p must be in (0, 1]" in capsys.readouterr().err
    assert main(["generate", str(tmp_path / "nothing")]) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_a_run_keeps_its_vocabulary_from_the_start_and_generates_without_its_corpus(tmp_path, capsys):
    """The vocabulary is saved when training starts; deleting the corpus afterwards changes nothing."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("to be or not to be, that is the question. " * 40, encoding="utf-8")
    run = tmp_path / "run"
    assert main(["train", "--task", "text-file", "--set", f"corpus={corpus}", "--model", "gru", "--hidden", "8",
                 "--steps", "3", "--eval-every", "3", "--batch-size", "2",
                 "--set", "chunk_length=16", "--out", str(run)]) == 0
    assert (run / "vocab.json").exists()
    corpus.unlink()
    capsys.readouterr()
    assert main(["generate", str(run), "--prompt", "to", "--length", "20", "--seed", "1"]) == 0
    assert capsys.readouterr().out.startswith("to")
