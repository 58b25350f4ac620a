"""The results store: one SQLite file per sweep, shared safely by the processes that run it.

    sweep   one row: the sweep's name, the digest of its config, and the config itself (JSON)
    runs    one row per planned run: what it is (task, length, model, seed, hidden size, parameters,
            config), where it stands (status, error, worker pid, started, finished), what it measured

A run's status moves queued -> running -> solved | not solved | diverged, or -> failed (its error kept).
A finished run (solved, not solved, diverged) is never written again, so a re-run can neither lose nor
duplicate it; queued, running (its worker died) and failed runs are what a resumed sweep runs again.

The file is in WAL mode, so readers (progress, reports) never block the writer; each write is one
IMMEDIATE transaction, and a process that finds the file busy waits up to `timeout` seconds for it.
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rnnlab.compare.sweeps.config import RunPlan
from rnnlab.compare.sweeps.store_errors import check_integrity, store_error

RunStatus = Literal["queued", "running", "solved", "not solved", "diverged", "failed"]
FINISHED: tuple[RunStatus, ...] = ("solved", "not solved", "diverged")
UNFINISHED: tuple[RunStatus, ...] = ("queued", "running", "failed")
STATUSES: tuple[RunStatus, ...] = ("queued", "running", *FINISHED, "failed")

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS sweep (
    id INTEGER PRIMARY KEY CHECK (id = 1),  -- one sweep per store
    name TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    config TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,  -- order in the sweep's plan
    task TEXT NOT NULL,
    length INTEGER,
    model TEXT NOT NULL,
    seed INTEGER NOT NULL,
    hidden_size INTEGER NOT NULL,
    parameters INTEGER NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({", ".join(f"'{s}'" for s in STATUSES)})),
    error TEXT,
    metrics TEXT,
    steps INTEGER,
    seconds REAL,
    seconds_to_solve REAL,
    sequences_to_solve INTEGER,
    throughput REAL,
    inference_latency_ms REAL,
    peak_memory_mb REAL,
    artifacts TEXT,
    started TEXT,
    finished TEXT,
    worker_pid INTEGER
);
"""


@dataclass(frozen=True)
class RunRow:
    """One run as the store holds it. Times are ISO 8601 in UTC; a metric that was not finite is None."""

    run_id: str
    task: str
    length: int | None  # the task's knob value; None for a task without one
    model: str
    seed: int
    hidden_size: int
    parameters: int
    config: dict[str, Any]  # {"spec": the run's RunSpec fields, "grid": its grid values}
    status: RunStatus
    error: str | None  # one line, for a failed run
    metrics: dict[str, Any] | None  # {"metric", "best", "final", "solved_at_step", "diverged_at_step", "test"}
    steps: int | None
    seconds: float | None  # training time, evaluation excluded
    seconds_to_solve: float | None
    sequences_to_solve: int | None
    throughput: float | None  # training sequences per second
    inference_latency_ms: float | None
    peak_memory_mb: float | None
    artifacts: str | None  # the run folder, relative to the store's folder when inside it
    started: str | None
    finished: str | None
    worker_pid: int | None

    @property
    def done(self) -> bool:
        return self.status in FINISHED

    @classmethod
    def from_sql(cls, row: sqlite3.Row) -> RunRow:
        values = {f.name: row[f.name] for f in fields(cls)}
        values["config"] = json.loads(row["config"])
        values["metrics"] = None if row["metrics"] is None else json.loads(row["metrics"])
        return cls(**values)


class ResultsStore:
    """The store at `path` for the sweep `sweep_name` whose config digest is `config_hash`.

    Opening a store that holds another config raises ValueError, unless `overwrite` clears it first.
    """

    def __init__(self, path: Path, sweep_name: str, config_hash: str, *, config: Mapping[str, Any] | None = None,
                 overwrite: bool = False, timeout: float = 60.0) -> None:
        self.path, self.sweep_name, self.config_hash = path, sweep_name, config_hash
        try:
            self._db = sqlite3.connect(path, timeout=timeout, isolation_level=None)  # transactions are explicit
        except sqlite3.Error as error:
            raise store_error(path, error) from None
        self._db.row_factory = sqlite3.Row
        try:
            with self._guard():
                if self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0] != "wal":
                    raise ValueError(f"{path}: SQLite cannot use WAL mode here (a network file system?)")
                check_integrity(self._db, path)
                self._db.executescript(SCHEMA)
                self._bind_to_sweep(config or {}, overwrite)
        except BaseException:
            self.close()
            raise

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite's errors as one line naming the store and what to do (store_error)."""
        try:
            yield
        except sqlite3.Error as error:
            raise store_error(self.path, error) from None

    def _bind_to_sweep(self, config: Mapping[str, Any], overwrite: bool) -> None:
        with self._transaction() as db:
            held = db.execute("SELECT name, config_hash FROM sweep").fetchone()
            if held is not None and held["config_hash"] == self.config_hash:
                return
            if held is not None and not overwrite:
                raise ValueError(f"{self.path} holds sweep {held['name']!r} (config {held['config_hash']}), not "
                                 f"{self.sweep_name!r} (config {self.config_hash}); choose another folder or overwrite")
            db.execute("DELETE FROM runs")
            db.execute("INSERT OR REPLACE INTO sweep VALUES (1, ?, ?, ?, ?)",
                       (self.sweep_name, self.config_hash, json.dumps(config, sort_keys=True), _now()))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")  # take the write lock now, not half-way through
            try:
                yield self._db
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # a corrupt file may refuse even this
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sweep_config(self) -> dict[str, Any]:
        with self._guard():
            config: dict[str, Any] = json.loads(self._db.execute("SELECT config FROM sweep").fetchone()["config"])
        return config

    def add_planned(self, plans: Sequence[RunPlan]) -> int:
        """Queue the runs not in the store yet (rows already there are left alone); returns how many."""
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO runs (run_id, position, task, length, model, seed, hidden_size, parameters, "
                "config, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued')",
                [(p.run_id, position, p.task, p.length, p.model, p.seed, p.hidden_size, p.parameters,
                  _json(p.config_json())) for position, p in enumerate(plans)])
            return db.total_changes - before

    def claim(self, run_id: str, pid: int) -> bool:
        """Mark a queued, failed or stale running run as running by process `pid`; False if it is finished.

        A running row is stale whenever a sweep is started, since one sweep runs at a time (the runner
        holds the sweep's lock): its worker died with the process that ran it.
        """
        with self._transaction() as db:
            if self._status(db, run_id) in FINISHED:
                return False
            db.execute("UPDATE runs SET status = 'running', worker_pid = ?, started = ?, finished = NULL, "
                       "error = NULL WHERE run_id = ?", (pid, _now(), run_id))
            return True

    def finish(self, run_id: str, summary: Mapping[str, Any], *, artifacts: Path | None = None,
               throughput: float | None = None, inference_latency_ms: float | None = None,
               peak_memory_mb: float | None = None) -> bool:
        """Record a run's summary (from run_experiment); False, changing nothing, if it was already finished."""
        status = summary["status"]
        if status not in FINISHED:
            raise ValueError(f"a finished run is {', '.join(FINISHED)}, not {status!r}")
        metrics = {"metric": summary["metric"], "best": summary["best"], "final": summary["final_metrics"],
                   "solved_at_step": summary["solved_at_step"], "diverged_at_step": summary["diverged_at_step"],
                   "test": summary.get("test_metrics"),  # real data: the test split, scored once at the end
                   "stop_reason": summary.get("stop_reason"), "still_improving": summary.get("still_improving"),
                   "baselines": summary.get("baselines")}  # real data: classical baselines on the test split
        with self._transaction() as db:
            if self._status(db, run_id) in FINISHED:
                return False
            db.execute(
                "UPDATE runs SET status = ?, error = NULL, metrics = ?, steps = ?, seconds = ?, seconds_to_solve = ?, "
                "sequences_to_solve = ?, throughput = ?, inference_latency_ms = ?, peak_memory_mb = ?, "
                "parameters = COALESCE(?, parameters), artifacts = ?, finished = ? WHERE run_id = ?",
                (status, _json(metrics), summary["steps"], summary["seconds"], summary["seconds_to_solve"],
                 summary["sequences_to_solve"], _finite(throughput), inference_latency_ms, peak_memory_mb,
                 summary.get("parameters"), self._relative(artifacts), _now(), run_id))
            return True

    def skip(self, run_id: str, reason: str, status: str = "diverged", stop_reason: str = "diverged") -> bool:
        """Record a run that is not trained, with the reason as its error: its setting cannot be (every tuning
        candidate diverged: diverged), or the model broke at a shorter length (`stop_at_break`: not solved,
        stop reason "broken"); False, changing nothing, if it was already finished."""
        with self._transaction() as db:
            if self._status(db, run_id) in FINISHED:
                return False
            db.execute("UPDATE runs SET status = ?, error = ?, metrics = ?, steps = 0, seconds = 0, "
                       "finished = ? WHERE run_id = ?",
                       (status, " ".join(reason.split()), _json({"skipped": True, "stop_reason": stop_reason}),
                        _now(), run_id))
            return True

    def fail(self, run_id: str, error: str) -> bool:
        """Mark an unfinished run failed with a one-line error; False, changing nothing, if it was finished."""
        with self._transaction() as db:
            if self._status(db, run_id) in FINISHED:
                return False
            db.execute("UPDATE runs SET status = 'failed', error = ?, finished = ? WHERE run_id = ?",
                       (" ".join(error.split()), _now(), run_id))
            return True

    def unfinished(self) -> list[str]:
        """Queued, running and failed runs, in plan order: what a resumed sweep runs."""
        marks = ", ".join("?" * len(UNFINISHED))
        query = f"SELECT run_id FROM runs WHERE status IN ({marks}) ORDER BY position"
        with self._guard():
            return [row["run_id"] for row in self._db.execute(query, UNFINISHED)]

    def rows(self) -> list[RunRow]:
        with self._guard():
            return [RunRow.from_sql(row) for row in self._db.execute("SELECT * FROM runs ORDER BY position")]

    def row(self, run_id: str) -> RunRow:
        with self._guard():
            row = self._db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise ValueError(f"{self.path} has no run {run_id!r}")
        return RunRow.from_sql(row)

    def counts(self) -> dict[RunStatus, int]:
        """Runs per status, every status listed."""
        with self._guard():
            held = dict(self._db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())
        return {status: held.get(status, 0) for status in STATUSES}

    def _status(self, db: sqlite3.Connection, run_id: str) -> RunStatus:
        row = db.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise ValueError(f"{self.path} has no run {run_id!r}")
        status: RunStatus = row["status"]
        return status

    def _relative(self, artifacts: Path | None) -> str | None:
        if artifacts is None:
            return None
        with contextlib.suppress(ValueError):  # outside the store's folder: kept absolute
            return str(artifacts.resolve().relative_to(self.path.parent.resolve()))
        return str(artifacts.resolve())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _finite(value: Any) -> Any:
    """`value` with every float that is not finite (a diverged run's metrics) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _json(value: Any) -> str:
    return json.dumps(_finite(value), sort_keys=True, allow_nan=False)  # standard JSON, readable by SQLite's json_*
