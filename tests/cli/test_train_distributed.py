"""`torchrun --nproc-per-node 2 -m rnnlab train ...` as a user runs it: two ranks over gloo on 127.0.0.1 train
to one process's result, rank 0 alone writes, a run stopped by a failing rank resumes, and any failure stops
every rank with one line. `python -m rnnlab` is the command.

Slow: each torchrun starts three Python processes that import torch (about 25 s on a busy 2-core machine).
The same equalities are checked fast, on ranks forked from the test process, in tests/train/test_distributed.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SOURCE = Path(__file__).parents[2] / "src"
FAILING = Path(__file__).with_name("rank_fails.py")
TRAIN = ["train", "--task", "adding", "--length", "6", "--set", "test_size=16", "--hidden", "8", "--batch-size", "8",
         "--steps", "40", "--eval-every", "10", "--no-stop-when-solved", "--threads", "1"]
RTOL, ATOL = 1e-5, 1e-6  # as in tests/train/test_distributed.py: all-reduce sums in another order


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(**extra: str) -> dict[str, str]:
    """The tree under test first on the path, for torchrun and the ranks it starts."""
    path = os.pathsep.join(filter(None, [str(SOURCE), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path, **extra)


def torchrun(*program: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """`torchrun --nproc-per-node 2 PROGRAM` on 127.0.0.1; PROGRAM is `-m rnnlab ...` or a script."""
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-addr", "127.0.0.1",
               "--master-port", str(free_port()), *program]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=environment(**extra), timeout=300)


def rnnlab(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rnnlab", *argv], capture_output=True, text=True, cwd=cwd,
                          env=environment(), timeout=300)


def records(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]


def without_time(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if "seconds" not in k} for row in rows]


def numbers(record: dict) -> torch.Tensor:
    return torch.tensor([record["train_loss"], record["grad_norm"], *record["metrics"].values()], dtype=torch.float64)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.mark.slow
def test_two_ranks_under_torchrun_train_as_one_process_and_resume(tmp_path: Path) -> None:
    """Reference: `python -m rnnlab train` in one process with the same global batch (8). Two ranks log the
    same evaluations (once each: rank 1 writes nothing) to float tolerance. A two-rank run whose rank 1 fails
    at step 25 stops with one error line, after its step-20 checkpoint; `--resume` on two ranks finishes it
    with the uninterrupted two-rank run's records and result, bit for bit but the seconds."""
    one = rnnlab(*TRAIN, "--out", "one", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    two = torchrun("-m", "rnnlab", *TRAIN, "--out", "two", cwd=tmp_path)
    assert two.returncode == 0, two.stderr
    assert "2 ranks" in two.stderr and two.stdout.count("results:") == 1  # rank 0 alone speaks
    expected, got = records(tmp_path / "one"), records(tmp_path / "two")
    assert [r["step"] for r in got] == [r["step"] for r in expected] == [10, 20, 30, 40]
    for record, reference in zip(got, expected):
        assert record["sequences"] == reference["sequences"]
        torch.testing.assert_close(numbers(record), numbers(reference), rtol=RTOL, atol=ATOL)

    failed = torchrun(str(FAILING), *TRAIN, "--out", "resumed", cwd=tmp_path, RNNLAB_TEST_FAILING_RANK="1",
                      RNNLAB_TEST_FAILING_STEP="25", RNNLAB_TEST_FAILURE="raise")
    assert failed.returncode != 0
    assert error_lines(failed.stderr) == ["error: rank 1 cannot read the rows of step 25 (a test failure)"]
    assert "[rank0]" not in failed.stderr  # no traceback from the rank that lost its peer
    assert (tmp_path / "resumed" / "checkpoints" / "latest").read_text().strip() == "step-00000020"
    assert not (tmp_path / "resumed" / "result.json").exists()

    resumed = torchrun("-m", "rnnlab", *TRAIN, "--out", "resumed", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert without_time(records(tmp_path / "resumed")) == without_time(got)
    result = json.loads((tmp_path / "resumed" / "result.json").read_text())
    assert without_time([result]) == without_time([json.loads((tmp_path / "two" / "result.json").read_text())])


@pytest.mark.slow
def test_a_rank_killed_or_failing_stops_every_rank_with_one_line(tmp_path: Path) -> None:
    """Reference: the house rule, one line and no traceback. Rank 1 killed with SIGKILL mid-run (as for its
    memory): rank 0 loses it and says so in one line; a global batch that does not split over the ranks: one
    line before anything is written. torchrun ends every rank either way (it returns, no rank hangs)."""
    killed = torchrun(str(FAILING), *TRAIN, "--out", "killed", cwd=tmp_path, RNNLAB_TEST_FAILING_RANK="1",
                      RNNLAB_TEST_FAILING_STEP="15", RNNLAB_TEST_FAILURE="kill")
    assert killed.returncode != 0
    [line] = error_lines(killed.stderr)
    assert line.startswith("error: rank 0: ") and "[rank0]" not in killed.stderr

    uneven = torchrun("-m", "rnnlab", *TRAIN, "--batch-size", "5", "--out", "uneven", cwd=tmp_path)
    assert uneven.returncode != 0
    assert error_lines(uneven.stderr) == ["error: the batch size 5 is the global batch and must split evenly over 2 "
                                          "ranks: use a multiple of 2"]
    assert not (tmp_path / "uneven").exists()
