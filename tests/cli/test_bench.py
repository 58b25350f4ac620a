"""`rnnlab bench` through the command line: a quick run writes its table; bad flags are one-line errors."""

import json

import pytest
import torch

from rnnlab.cli.main import main


@pytest.fixture(autouse=True)
def restore_threads():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_quick_run_writes_a_markdown_table(tmp_path, monkeypatch, capsys):
    """Reference: the default output path, bench-results/bench-YYYYMMDD-HHMMSS.md under the working folder,
    holding the results table with every cell of the default --cells."""
    monkeypatch.chdir(tmp_path)
    assert main(["bench", "--quick"]) == 0
    (written,) = (tmp_path / "bench-results").glob("bench-*.md")
    text = written.read_text()
    assert "## Results" in text
    for cell in ("rnn", "lstm", "gru", "transformer"):
        assert f"| {cell} |" in text
    out = capsys.readouterr().out
    assert "rnnlab bench" in out and f"wrote {written.relative_to(tmp_path)}" in out


def test_quick_run_writes_markdown_and_json(tmp_path):
    markdown, json_file = tmp_path / "r.md", tmp_path / "r.json"
    assert main(["bench", "--quick", "--models", "gru", "--mode", "infer", "--out", str(markdown),
                 "--out", str(json_file)]) == 0
    assert "| gru |" in markdown.read_text()
    data = json.loads(json_file.read_text())
    assert {m["implementation"] for m in data["measurements"]} == {"readable", "fused", "compiled", "auto", "torch"}
    assert {m["mode"] for m in data["measurements"]} == {"infer"}


def test_scan_suite_writes_its_tables(tmp_path):
    """Reference: the scan suite's cells (rnnlab.bench.suites), here on the tiny shape q1: every one is in
    the results, and the two scan tables are written."""
    path = tmp_path / "scan.md"
    assert main(["bench", "--suite", "scan", "--quick", "--shapes", "q1", "--mode", "infer", "--no-memory",
                 "--out", str(path)]) == 0
    text = path.read_text()
    for cell in ("lstm", "gru", "rnn", "mingru", "minlstm", "indrnn"):
        assert f"| {cell} |" in text
    assert "## Which backend for the scan cells?" in text and "## Against the LSTM kernel" in text
    assert "| mingru | scan |" in text


@pytest.mark.parametrize("flags, message", [
    (["--shapes", "s1,s9"], "unknown shape 's9'"),
    (["--models", "lstm,lru"], "unknown cell 'lru'"),
    (["--mode", "eval"], "unknown mode 'eval'"),
    (["--suite", "fast"], "unknown suite 'fast'; choose from default, scan"),
    (["--out", "results.csv"], "--out results.csv: name a .md or .json file"),
])
def test_bad_flags_are_one_line_errors(flags, message, capsys):
    assert main(["bench", "--quick", *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_an_existing_output_file_is_not_overwritten(tmp_path, capsys):
    """The check comes before the run: nothing is measured, the earlier file is untouched."""
    path = tmp_path / "r.md"
    path.write_text("earlier results")
    assert main(["bench", "--quick", "--out", str(path)]) == 2
    assert "exists; choose another name or pass --overwrite" in capsys.readouterr().err
    assert path.read_text() == "earlier results"
