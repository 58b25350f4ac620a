"""Every file a run writes, truncated, overwritten with garbage, altered in the middle or emptied, then the run
used (`evaluate`, `classify`) and resumed (`train --resume`).

Reference: the issue's rule. Each command either refuses in one line naming the damaged file and saying what
to do (exit 2, no traceback), or recovers cleanly: exit 0 and the same answer as from the undamaged run (a
resumed run's result.json, less its seconds, equals the original's). Which of the two is expected is stated
per file below; `test_following_the_advice_recovers_the_run` then does what the weights' error says.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

# Truncated and altered run in the default suite; garbage and empty (which the SHA-256 and JSON checks catch the
# same way) only in the slow one, to keep the default run short.
DAMAGES = ("truncated", "altered", pytest.param("garbage", marks=pytest.mark.slow),
           pytest.param("empty", marks=pytest.mark.slow))


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(os.urandom(max(len(data), 16)))
    elif how == "altered":  # 16 bytes in the middle inverted: a bit rot that keeps the file's size
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 16]) + data[middle + 16:])
    else:
        path.write_bytes(b"")


def comparable_result(run: Path) -> dict:
    return {k: v for k, v in json.loads((run / "result.json").read_text()).items() if "seconds" not in k}


# (file in the csv run, command, expected): "error" = one line naming the file; "recovers" = exit 0, same answer.
# The csv run (text-csv, 10 steps) has one checkpoint, step-00000010, and its best weights in checkpoints/best.
CASES = [
    ("config.json", "evaluate", "error"), ("config.json", "resume", "error"),
    ("metrics.jsonl", "evaluate", "recovers"), ("metrics.jsonl", "resume", "recovers"),
    ("result.json", "evaluate", "error"), ("result.json", "resume", "recovers"),
    ("tensorboard/*", "evaluate", "recovers"), ("tensorboard/*", "resume", "recovers"),
    ("checkpoints/latest", "evaluate", "recovers"), ("checkpoints/latest", "resume", "recovers"),
    ("checkpoints/step-*/model.safetensors", "resume", "error"),
    ("checkpoints/step-*/optimizer.safetensors", "resume", "error"),
    ("checkpoints/step-*/state.json", "resume", "error"),
    ("checkpoints/best/model.safetensors", "classify", "error"),
    ("checkpoints/best/model.safetensors", "evaluate", "error"),
    ("checkpoints/best/model.safetensors", "resume", "error"),
    ("vocab.json", "classify", "error"), ("vocab.json", "resume", "recovers"),
    ("classes.json", "classify", "error"), ("classes.json", "resume", "recovers"),
]


@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize(("pattern", "command", "expected"), CASES)
def test_a_damaged_run_file_is_named_or_recovered_from(workspace, copy_run, rnnlab, pattern, command, expected, how):
    run = copy_run("csv")
    (target,) = run.glob(pattern)
    reference = {"evaluate": rnnlab("evaluate", run), "classify": rnnlab("classify", run, "a witty film"),
                 "resume": None}[command]
    before = comparable_result(run)
    damage(target, how)
    argv = {"evaluate": ["evaluate", run], "classify": ["classify", run, "a witty film"],
            "resume": ["train", *workspace.commands["csv"], "--out", run, "--resume"]}[command]
    outcome = rnnlab(*argv)
    if expected == "error":
        lines = outcome.err.strip().splitlines()
        assert outcome.code == 2 and len(lines) == 1, outcome.err
        assert target.name in lines[0] and "Traceback" not in outcome.err
        assert any(word in lines[0] for word in ("delete", "restore", "--overwrite", "--resume", "train")), lines[0]
    else:
        assert outcome.code == 0, outcome.err
        if command == "resume":
            assert comparable_result(run) == before
        else:
            assert outcome.out == reference.out


def test_following_the_advice_recovers_the_run(tmp_path, rnnlab):
    """Reference: the same run trained without damage. The newest checkpoint's weights (step 40, the last) are
    truncated; resuming says to delete that checkpoint to use the one before it; done so, the resumed run trains
    steps 31-40 again and ends with the undamaged run's records and result."""
    args = ["train", "--task", "adding", "--length", "6", "--set", "test_size=16", "--hidden", "4", "--batch-size",
            "4", "--eval-every", "10", "--steps", "40", "--no-stop-when-solved", "--threads", "1"]
    assert rnnlab(*args, "--out", tmp_path / "run").code == 0
    assert rnnlab(*args, "--out", tmp_path / "whole").code == 0
    (tmp_path / "run" / "result.json").unlink()
    damage(tmp_path / "run" / "checkpoints" / "step-00000040" / "model.safetensors", "truncated")
    refusal = rnnlab(*args, "--out", tmp_path / "run", "--resume")
    assert refusal.code == 2
    assert f"delete {tmp_path / 'run' / 'checkpoints' / 'step-00000040'} to use the checkpoint before it " \
           "(step-00000030)" in refusal.err
    shutil.rmtree(tmp_path / "run" / "checkpoints" / "step-00000040")
    assert rnnlab(*args, "--out", tmp_path / "run", "--resume").code == 0
    assert comparable_result(tmp_path / "run") == comparable_result(tmp_path / "whole")
    steps = [json.loads(line)["step"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert steps == [10, 20, 30, 40]


def test_a_language_models_damaged_vocabulary_is_named(workspace, copy_run, rnnlab):
    run = copy_run("lm")
    damage(run / "vocab.json", "garbage")
    outcome = rnnlab("generate", run, "--length", "5")
    assert outcome.code == 2 and len(outcome.err.strip().splitlines()) == 1
    assert "vocab.json is not a saved vocabulary" in outcome.err and "delete it" in outcome.err
