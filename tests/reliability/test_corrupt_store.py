"""A sweep's results store (sweep.sqlite), its write-ahead log and its lock file, damaged after the sweep ran.

Reference: the sweep as it was. A damaged store is refused by `compare --resume` and by `report` in one line
naming it and saying what to do (move it away, resume); done so, the resumed sweep has every run once, with
the rows it had (status, metrics, steps) and without training any run again. A damaged log or lock file is
recovered from without a word: SQLite ignores log frames whose checksums fail, and the lock holds no data.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from rnnlab.compare.sweeps.config import SweepConfig
from rnnlab.compare.sweeps.runner import run_sweep

SWEEP = SweepConfig("tiny", ("rnn", "gru"), ("adding",), lengths=(6,), seeds=1, max_steps=20,
                    train={"eval_every": 10, "batch_size": 4, "stop_when_solved": False},
                    model={"hidden_size": 4}, task_options={"adding": {"test_size": 16}})
TOML = """name = "tiny"
models = ["rnn", "gru"]
tasks = ["adding"]
lengths = [6]
seeds = 1
max_steps = 20
[train]
eval_every = 10
batch_size = 4
stop_when_solved = false
[model]
hidden_size = 4
[task_options.adding]
test_size = 16
"""


def fields(rows) -> list[tuple]:
    return [(row.run_id, row.status, row.metrics, row.steps) for row in rows]


def checkpoints(folder: Path) -> dict[str, int]:
    """Every checkpoint file of every run, with its modification time: unchanged means nothing trained again."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in (folder / "runs").rglob("checkpoints/**/*")}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> tuple[Path, list]:
    folder = tmp_path_factory.mktemp("store") / "sweep"
    rows = run_sweep(SWEEP, folder, workers=0)
    assert all(row.done for row in rows)
    (folder.parent / "sweep.toml").write_text(TOML, encoding="utf-8")
    return folder, rows


def copy(sweep, tmp_path: Path) -> Path:
    target = tmp_path / "sweep"
    shutil.copytree(sweep[0], target)
    return target


def wreck(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "header":
        path.write_bytes(os.urandom(100) + data[100:])
    else:  # pages in the middle
        middle = len(data) // 2
        path.write_bytes(data[:middle] + os.urandom(4096) + data[middle + 4096:])


@pytest.mark.parametrize("how", ["truncated", "header", "pages"])
def test_a_damaged_store_is_named_and_the_advice_rebuilds_it(sweep, tmp_path, rnnlab, how):
    folder = copy(sweep, tmp_path)
    store = folder / "sweep.sqlite"
    wreck(store, how)
    before = checkpoints(folder)
    for argv in (["compare", sweep[0].parent / "sweep.toml", "--out", folder, "--resume", "--workers", "0"],
                 ["report", folder]):
        outcome = rnnlab(*argv)
        lines = outcome.err.strip().splitlines()
        assert outcome.code == 2 and len(lines) == 1, outcome.err
        assert f"{store} is not a results store, or a damaged one" in lines[0]
        assert "move it away" in lines[0] and "--resume" in lines[0]
    for path in folder.glob("sweep.sqlite*"):
        path.rename(tmp_path / path.name)
    rows = run_sweep(SWEEP, folder, resume=True, workers=0)
    assert fields(rows) == fields(sweep[1])
    assert checkpoints(folder) == before


def leave_a_log(folder: Path) -> None:
    """The store as a killed writer leaves it: its last transaction (here one that touches no run) still in the
    write-ahead log, copied while the connection is open, before SQLite folds the log into the file."""
    live = folder.parent / "live"
    shutil.copytree(folder, live)
    db = sqlite3.connect(live / "sweep.sqlite", isolation_level=None)
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE scratch (x)")
    db.execute("INSERT INTO scratch VALUES (randomblob(3000))")
    for name in ("sweep.sqlite", "sweep.sqlite-wal"):
        shutil.copyfile(live / name, folder / name)
    db.close()
    assert (folder / "sweep.sqlite-wal").stat().st_size > 1000


@pytest.mark.parametrize("damage", ["wal-garbage", "wal-truncated", "lock-garbage", "store-empty"])
def test_a_damaged_log_or_lock_is_recovered_from(sweep, tmp_path, damage):
    """An empty store file reads as a new store: the resume queues every run again and reads each back from its
    final checkpoint, as after moving a damaged store away."""
    folder = copy(sweep, tmp_path)
    if damage.startswith("wal"):
        leave_a_log(folder)
    path = folder / {"wal": "sweep.sqlite-wal", "lock": "sweep.lock", "store": "sweep.sqlite"}[damage.split("-")[0]]
    if damage.endswith("garbage"):
        path.write_bytes(os.urandom(5000))
    elif damage.endswith("truncated"):
        path.write_bytes(path.read_bytes()[:1000])
    else:
        path.write_bytes(b"")
    before = checkpoints(folder)
    rows = run_sweep(SWEEP, folder, resume=True, workers=0)
    assert fields(rows) == fields(sweep[1])
    assert checkpoints(folder) == before
