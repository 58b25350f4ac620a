"""`rnnlab demo`: a short comparison run end to end through the command line, and its argument checks."""

import pytest
import torch

from rnnlab.cli.main import main
from rnnlab.models.registry import MODELS


@pytest.fixture(autouse=True)
def restore_threads():
    """`demo` sets torch's thread count for the process (--threads); put it back for the other tests."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_demo_prints_a_table(capsys):
    """Reference: the table `demo` builds: its title, its columns, and one row per model asked for,
    each with a parameter count within the default budget of 17,000."""
    assert main(["demo", "--max-seconds", "0.5", "--length", "10", "--models", "rnn,lstm"]) == 0
    out, err = capsys.readouterr()
    assert "RNN vs LSTM: adding problem, T = 10" in out
    for column in ("model", "params", "test MSE", "solved", "seq/s"):
        assert column in out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 2}
    assert set(rows) == {"rnn", "lstm"}
    for line in rows.values():
        parameters = int(line.split("│")[3].strip().replace(",", ""))
        assert 0 < parameters <= 17_000
    assert "Traceback" not in out + err
    assert torch.get_num_threads() == 1  # --threads defaults to 1


@pytest.mark.parametrize("argv, message", [
    (["--models", "nope"], "unknown model nope"),
    (["--models", "rnn,nope,lstm"], "unknown model nope"),
    (["--models", " , "], "unknown model (none given)"),
    (["--models", "rnn", "--max-seconds", "0"], "--max-seconds must be positive"),
    (["--models", "rnn", "--threads", "0"], "--threads must be positive"),
])
def test_bad_arguments_give_one_error_line(capsys, argv, message):
    """Reference: the CLI's error contract (cli/main.py): exit code 2, one line starting with "error:"
    on stderr, nothing on stdout, no traceback. An unknown model's message lists every registered name."""
    assert main(["demo", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert message in lines[0]
    if "unknown model" in message:
        assert all(name in lines[0] for name in MODELS)
