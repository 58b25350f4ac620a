"""Run a sweep: on this machine in a pool of worker processes, or on a Dask cluster; resumable either way.

    rows = run_sweep(load_sweep(Path("sweep.toml")), Path("sweeps/adding"))
    rows = run_sweep(config, Path("sweeps/adding"), resume=True)  # after Ctrl-C, kill -9 or a crash
    rows = run_sweep(config, Path("/shared/sweeps/adding"), scheduler="tcp://head:8786")  # a Dask cluster

    FOLDER/sweep.sqlite     the results store (store.py)
    FOLDER/sweep.lock       held while a process runs the sweep, so that two never run it at once
    FOLDER/tuned.json       with a [tune] table: each model's chosen settings and every candidate's score
    FOLDER/runs/RUN_ID/     each run's folder: config, metrics, checkpoints, result (train/run.py)

A worker claims a run in the store, trains it into its folder (continuing from the checkpoint an
earlier attempt left there) and writes its summary, or its error in one line: a run that raises is
marked failed and the sweep goes on. Finished runs are never run again; a resumed sweep runs the
queued, running (their process died) and failed ones. Ctrl-C stops the sweep: nothing more is
submitted, the runs it interrupts stay unfinished, and every finished row stays in the store.

On a Dask cluster (`pip install 'rnnlab[dask]'`), start a scheduler on one machine and a worker on
each machine that should train, one thread per worker process (as DEFAULT_THREADS, measured above):

    dask scheduler                                  # listens on tcp://HOST:8786
    dask worker tcp://HOST:8786 --nthreads 1        # on each machine; --nworkers N for N processes

Workers train into FOLDER/runs/, so FOLDER must be on a file system every machine shares, at the same
absolute path, and rnnlab must be installed on every worker. The store is written only by the process
that runs the sweep: SQLite's WAL mode needs its writers on one machine. A run is marked running when it
is handed to the cluster, and the sweep keeps only as many runs in flight as the cluster has threads.
A worker that dies (killed, out of memory, its machine lost) loses nothing: Dask runs its run again on
another worker, which continues from the run's last checkpoint, and the sweep records it once; a run whose
workers all died (Dask's `allowed-failures`, 3 by default) is marked failed, and a resume runs it again.
Tested with real `dask scheduler` and `dask worker` processes (tests/compare/sweeps/test_dask_cluster.py).
Ctrl-C cancels the runs in flight; Dask cannot stop a run a worker has already started, so after Ctrl-C or kill -9
let the workers finish it (or restart them) before resuming, or two workers would train into one folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from rnnlab.compare.sweeps.config import RunPlan, SweepConfig, expand, setting_key
from rnnlab.compare.sweeps.executors import Progress, ProgressCallback, cluster, run_here, run_in_pool, run_on_cluster
from rnnlab.compare.sweeps.one_run import RUNS, STORE
from rnnlab.compare.sweeps.stages import run_by_length
from rnnlab.compare.sweeps.store import ResultsStore, RunRow
from rnnlab.compare.sweeps.tuning import choose, chosen_settings, tuning_plans, write_table

TUNED = "tuned.json"  # the settings tuning chose and every candidate's score (sweeps/tuning.py)
LOCK = "sweep.lock"
# Measured once on this 2-core machine with both cores already busy with other training runs (4 runs:
# adding T=50, 200 steps, LSTM and GRU at H=64, seeds 0 and 1, pool start-up included): 2 workers × 1
# thread took 13.8 s, 1 worker × 2 threads 33.7 s (training throughput 2787 vs 1351 sequences/s).
# Small recurrent models gain little from a second thread and much from a second process.
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 1  # per worker


def run_sweep(config: SweepConfig, folder: Path, *, resume: bool = False, overwrite: bool = False,
              workers: int | None = None, threads: int | None = None, scheduler: str | None = None,
              on_progress: ProgressCallback | None = None) -> list[RunRow]:
    """Run every unfinished run of `config` into `folder`; returns all its rows in plan order.

    `resume` continues the sweep `folder` holds (the same config only); `overwrite` replaces it.
    `workers` processes run at once, each with `threads` torch threads; `workers=0` runs in this
    process, one run after another (a debugger, a notebook). `scheduler` ("tcp://HOST:8786") runs the
    sweep on that Dask cluster instead, `threads` torch threads per run (see the module docstring).
    `on_progress(done, total, eta_seconds, row)` is called as each run ends, failed ones included.
    """
    if scheduler is not None and workers is not None:
        raise ValueError("give workers or a scheduler, not both: a cluster's workers are its own")
    workers = DEFAULT_WORKERS if workers is None else workers
    threads = DEFAULT_THREADS if threads is None else threads
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other")
    if workers < 0 or threads <= 0:
        raise ValueError(f"workers must not be negative and threads must be positive, got {workers}, {threads}")
    tuning = tuning_plans(config)
    plans = expand(config) if not tuning else []  # every config error before anything is written
    with cluster(scheduler) as client:  # an unreachable scheduler too
        folder.mkdir(parents=True, exist_ok=True)
        with sweep_lock(folder), _open_store(config, folder, resume, overwrite) as store:
            total = len(tuning) + sum(len(config.lengths_for(task)) for task in config.tasks) * len(
                config.seed_values) * len(config.grid_points()) * len(config.models)
            progress = Progress(0, total, on_progress)

            def run(batch: list[RunPlan]) -> None:
                store.add_planned(batch)
                unfinished = set(store.unfinished())
                pending = [plan for plan in batch if plan.run_id in unfinished]
                progress.skip(len(batch) - len(pending))
                if client is not None:
                    run_on_cluster(pending, folder.resolve(), store, client, threads, progress)
                elif workers == 0:
                    run_here(pending, folder, store, threads, progress)
                elif pending:
                    run_in_pool(pending, folder, store, min(workers, len(pending)), threads, progress)

            if tuning:
                run(tuning)
                choices = choose(config, store.rows())
                write_table(folder / TUNED, choices, {"how": "tuned in this sweep", "tune_seed": config.tune_seed,
                                                      "tune": {k: list(v) for k, v in config.tune.items()}})
                plans = expand(config, chosen_settings(choices))
                diverged = {key for key, choice in choices.items() if choice.diverged}
                store.add_planned(plans)
                for plan in plans:
                    if setting_key(plan.task, plan.length, plan.model) in diverged:
                        store.skip(plan.run_id, "diverged at tuning: every tuning candidate diverged")
            if not config.stop_at_break:
                run(plans)
                return store.rows()
            run_by_length(plans, store, run, progress.skip)
            return store.rows()


@contextlib.contextmanager
def sweep_lock(folder: Path) -> Iterator[None]:
    """Hold `folder`'s lock, or raise ValueError naming the process that holds it. The system drops the
    lock when its process ends, however it ends, so a killed sweep never leaves it behind."""
    with (folder / LOCK).open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise ValueError(f"{folder}: process {handle.read().strip() or '?'} is running this sweep; "
                             "wait for it to end or stop it") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open_store(config: SweepConfig, folder: Path, resume: bool, overwrite: bool) -> ResultsStore:
    """The sweep's store. Resuming a folder whose store was moved away (a damaged one: store.py says so) makes a
    new one: every run is queued again, and each continues from its folder's checkpoint, so a finished run
    is read back from its final checkpoint, not trained again."""
    path = folder / STORE
    stale = (path.with_name(STORE + "-wal"), path.with_name(STORE + "-shm"))
    if overwrite:
        for old in (path, *stale):
            old.unlink(missing_ok=True)
        shutil.rmtree(folder / RUNS, ignore_errors=True)
    elif path.exists() and not resume:
        raise ValueError(f"{folder} already holds a sweep; pass resume to continue it or overwrite to replace it")
    elif resume and not path.exists() and not (folder / RUNS).is_dir():
        raise ValueError(f"nothing to resume: {folder} holds no sweep")
    elif not path.exists() and (folder / RUNS).exists() and not resume:
        raise ValueError(f"{folder} holds run folders but no results store; pass resume to rebuild the store from "
                         "them, choose another folder or overwrite")
    if not path.exists():
        for old in stale:  # a write-ahead log left by a store that is gone must not be replayed into a new one
            old.unlink(missing_ok=True)
    return ResultsStore(path, config.name, config.digest(), config=config.to_json())


