"""A real `rnnlab train` process killed with SIGKILL, then resumed: in the default test set, so that every change
to training, checkpoints or run folders meets a real kill (the random-point kills are in test_kill_points.py).

Reference: the same command run without interruption. The child process is the real command, started through a
few lines that pause it right after it logged step 50 and before that step's checkpoint (the moment where a
record exists that no checkpoint holds yet); the test waits for that event, not for a time, then kills it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from rnnlab.cli.main import main

ARGS = ["train", "--task", "adding", "--length", "8", "--set", "test_size=16", "--hidden", "8", "--batch-size", "8",
        "--eval-every", "25", "--steps", "100", "--no-stop-when-solved", "--threads", "1"]

# Runs `rnnlab` as `python -m rnnlab.cli.main` would, except that after logging step PAUSE_AT the process writes
# the file named by argv[1] and waits to be killed.
PAUSING = """
import sys, time
from pathlib import Path
from rnnlab.train.run import RunFolder
marker, pause_at = Path(sys.argv[1]), int(sys.argv[2])
log = RunFolder.log
def pausing_log(self, record):
    log(self, record)
    if record.step == pause_at:
        marker.write_text("paused")
        time.sleep(3600)
RunFolder.log = pausing_log
sys.argv = ["rnnlab", *sys.argv[3:]]
from rnnlab.cli.main import main
sys.exit(main())
"""


def start_pausing(argv: list[object], marker: Path, pause_at: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PAUSING, str(marker), str(pause_at), *map(str, argv)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for(marker: Path, process: subprocess.Popen, limit: float = 600.0) -> None:
    """Until `marker` exists: the child's own event. `limit` only ends a test whose child hung."""
    ends = time.monotonic() + limit
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"the child ended before pausing: {process.stderr.read() if process.stderr else ''}")
        assert time.monotonic() < ends, "the child never reached its pause"
        time.sleep(0.01)


def records(folder: Path) -> list[dict]:
    return [{k: v for k, v in json.loads(line).items() if k != "seconds"}
            for line in (folder / "metrics.jsonl").read_text().splitlines()]


def comparable(folder: Path) -> dict:
    return {k: v for k, v in json.loads((folder / "result.json").read_text()).items() if "seconds" not in k}


def test_a_sigkilled_training_process_resumes_to_the_uninterrupted_result(tmp_path, capsys, monkeypatch, child_env):
    killed, marker = tmp_path / "killed", tmp_path / "paused"
    process = start_pausing([*ARGS, "--out", killed], marker, 50, child_env)
    try:
        wait_for(marker, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert (killed / "checkpoints" / "latest").read_text().strip() == "step-00000025"
    assert [r["step"] for r in records(killed)] == [25, 50]  # step 50 logged, not checkpointed
    assert not (killed / "result.json").exists()

    monkeypatch.chdir(tmp_path)
    assert main([*ARGS, "--out", str(killed), "--resume"]) == 0  # in this process: one child is enough
    assert main([*ARGS, "--out", str(tmp_path / "whole")]) == 0
    assert [r["step"] for r in records(killed)] == [25, 50, 75, 100]
    assert records(killed) == records(tmp_path / "whole")
    assert comparable(killed) == comparable(tmp_path / "whole")
