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
import multiprocessing
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from rnnlab.compare.sweeps.config import RunPlan, SweepConfig, expand, setting_key
from rnnlab.compare.sweeps.costs import run_costs
from rnnlab.compare.sweeps.stages import run_by_length
from rnnlab.compare.sweeps.store import ResultsStore, RunRow
from rnnlab.compare.sweeps.tuning import choose, chosen_settings, tuning_plans, write_table
from rnnlab.train.checkpoint import latest_checkpoint
from rnnlab.train.experiment import run_experiment
from rnnlab.train.run import RunFolder

if TYPE_CHECKING:
    from distributed import Client
    from distributed import Future as DaskFuture

STORE = "sweep.sqlite"
TUNED = "tuned.json"  # the settings tuning chose and every candidate's score (sweeps/tuning.py)
LOCK = "sweep.lock"
RUNS = "runs"
# Measured once on this 2-core machine with both cores already busy with other training runs (4 runs:
# adding T=50, 200 steps, LSTM and GRU at H=64, seeds 0 and 1, pool start-up included): 2 workers × 1
# thread took 13.8 s, 1 worker × 2 threads 33.7 s (training throughput 2787 vs 1351 sequences/s).
# Small recurrent models gain little from a second thread and much from a second process.
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 1  # per worker
WATCH_PARENT_SECONDS = 0.2  # how soon a worker notices that the sweep process died
CONNECT_SECONDS = 5.0  # how long to try reaching a Dask scheduler, and to wait for its first worker

ProgressCallback = Callable[[int, int, float, RunRow], None]  # (done, total, eta_seconds, last row)


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
    with _cluster(scheduler) as client:  # an unreachable scheduler too
        folder.mkdir(parents=True, exist_ok=True)
        with sweep_lock(folder), _open_store(config, folder, resume, overwrite) as store:
            total = len(tuning) + sum(len(config.lengths_for(task)) for task in config.tasks) * len(
                config.seed_values) * len(config.grid_points()) * len(config.models)
            progress = _Progress(0, total, on_progress)

            def run(batch: list[RunPlan]) -> None:
                store.add_planned(batch)
                unfinished = set(store.unfinished())
                pending = [plan for plan in batch if plan.run_id in unfinished]
                progress.skip(len(batch) - len(pending))
                if client is not None:
                    _run_on_cluster(pending, folder.resolve(), store, client, threads, progress)
                elif workers == 0:
                    _run_here(pending, folder, store, threads, progress)
                elif pending:
                    _run_in_pool(pending, folder, store, min(workers, len(pending)), threads, progress)

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


def run_planned(plan: RunPlan, folder: Path, sweep_name: str, config_hash: str) -> None:
    """Claim, train and record one run (in a worker process); an exception in the run marks it failed."""
    with ResultsStore(folder / STORE, sweep_name, config_hash) as store:
        if not store.claim(plan.run_id, os.getpid()):
            return  # finished meanwhile
        try:
            summary = train_planned(plan, folder)
        except Exception as error:
            store.fail(plan.run_id, one_line(error))
            return
        _record(store, plan, folder, summary)


def train_planned(plan: RunPlan, folder: Path) -> dict[str, Any]:
    """Train one run into FOLDER/runs/RUN_ID, from the checkpoint an earlier attempt left there if any;
    returns its summary. Touches no store: what a Dask worker runs."""
    run = RunFolder(folder / RUNS / plan.run_id)
    resume = run.holds_a_run() and latest_checkpoint(run.checkpoints) is not None
    return run_experiment(plan.experiment, run, resume=resume, overwrite=not resume).to_json() | run_costs(run)


def _record(store: ResultsStore, plan: RunPlan, folder: Path, summary: dict[str, Any]) -> None:
    store.finish(plan.run_id, summary, artifacts=folder / RUNS / plan.run_id,
                 throughput=training_throughput(summary, plan.experiment.train.batch_size),
                 inference_latency_ms=summary.get("inference_latency_ms"), peak_memory_mb=summary.get("peak_memory_mb"))


def training_throughput(summary: dict[str, Any], batch_size: int) -> float | None:
    """Training sequences per second, from a run's summary (training time excludes evaluation)."""
    return summary["steps"] * batch_size / summary["seconds"] if summary["seconds"] > 0 else None


def one_line(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())


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


class _Progress:
    """Runs done out of the total, and the time left at the rate this process has run them so far."""

    def __init__(self, done: int, total: int, callback: ProgressCallback | None) -> None:
        self.done, self.done_before, self.total, self.callback = done, done, total, callback
        self.started = time.monotonic()

    def skip(self, runs: int) -> None:
        """Runs finished before this process started (a resumed sweep): counted, not timed."""
        self.done += runs
        self.done_before += runs

    def update(self, row: RunRow) -> None:
        self.done += 1
        rate = (self.done - self.done_before) / max(time.monotonic() - self.started, 1e-9)  # runs per second
        if self.callback is not None:
            self.callback(self.done, self.total, (self.total - self.done) / rate, row)


def _run_here(pending: list[RunPlan], folder: Path, store: ResultsStore, threads: int, progress: _Progress) -> None:
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for plan in pending:
            run_planned(plan, folder, store.sweep_name, store.config_hash)
            progress.update(store.row(plan.run_id))
    finally:
        torch.set_num_threads(before)


def _run_in_pool(pending: list[RunPlan], folder: Path, store: ResultsStore, workers: int, threads: int,
                 progress: _Progress) -> None:
    """At most `workers` runs in flight, so that Ctrl-C leaves nothing queued inside the pool. A worker that
    dies (killed, out of memory) breaks the pool: the runs in flight are marked failed and a new pool goes on."""
    todo = deque(pending)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no forked torch or SQLite state
    while todo:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                 initargs=(threads, os.getpid())) as pool:
            in_flight: dict[Future[None], RunPlan] = {}
            failed_before = len(todo)
            while todo or in_flight:
                while todo and len(in_flight) < workers:
                    plan = todo.popleft()
                    try:
                        in_flight[pool.submit(run_planned, plan, folder, store.sweep_name, store.config_hash)] = plan
                    except BrokenProcessPool:
                        todo.appendleft(plan)
                        break
                if not in_flight:
                    break  # the pool broke: start another
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    plan = in_flight.pop(future)
                    error = future.exception()
                    if isinstance(error, KeyboardInterrupt):
                        raise error
                    if isinstance(error, BrokenProcessPool):
                        store.fail(plan.run_id, "its worker process died (this run's or another's in flight: "
                                                "killed, or out of memory?)")
                    elif error is not None:  # outside the run itself, e.g. the store could not be written
                        store.fail(plan.run_id, one_line(error))
                    progress.update(store.row(plan.run_id))
            if todo and len(todo) == failed_before:
                raise RuntimeError("the worker pool broke before it could run anything")


def _start_worker(threads: int, sweep_pid: int) -> None:
    """Set the worker's torch threads, and end the worker if the sweep process dies (kill -9), so that it
    never trains into a run folder that a resumed sweep has taken over."""
    torch.set_num_threads(threads)

    def exit_with_sweep() -> None:
        while os.getppid() == sweep_pid:
            time.sleep(WATCH_PARENT_SECONDS)
        os._exit(1)

    threading.Thread(target=exit_with_sweep, name="exit-with-sweep", daemon=True).start()


@contextlib.contextmanager
def _cluster(scheduler: str | None) -> Iterator[Client | None]:
    """A client of the Dask scheduler at `scheduler` with at least one worker; None for no scheduler."""
    if scheduler is None:
        yield None
        return
    try:
        from distributed import Client
    except ImportError:
        raise ValueError("running on a Dask scheduler needs dask.distributed: pip install 'rnnlab[dask]'") from None
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError) as error:  # OSError: timed out or refused; ValueError: not an address
        raise ValueError(f"cannot reach the Dask scheduler {scheduler}: {one_line(error)}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except TimeoutError:
            raise ValueError(f"the Dask scheduler {scheduler} has no workers; start one on each machine with "
                             f"`dask worker {scheduler} --nthreads 1`") from None
        yield client


def _run_on_cluster(pending: list[RunPlan], folder: Path, store: ResultsStore, client: Client, threads: int,
                    progress: _Progress) -> None:
    """As many runs in flight as the cluster has threads (counted again as each run ends, so workers that
    join are used), each recorded in the store by this process as it completes."""
    from distributed import KilledWorker, as_completed

    todo = deque(pending)
    in_flight: dict[DaskFuture, RunPlan] = {}
    finished = as_completed(loop=client.loop)

    def submit_while_idle() -> None:
        capacity = max(1, sum(client.nthreads().values()))
        while todo and len(in_flight) < capacity:
            plan = todo.popleft()
            store.claim(plan.run_id, os.getpid())  # handed to the cluster, which says nothing on when it starts
            future = client.submit(_train_on_worker, plan, folder, threads, pure=False)
            in_flight[future] = plan
            finished.add(future)

    try:
        submit_while_idle()
        for future in finished:
            plan = in_flight.pop(future)
            error = future.exception()
            if error is None:
                _record(store, plan, folder, future.result())
            elif isinstance(error, KilledWorker):  # Dask ran it again on other workers, and they died too
                store.fail(plan.run_id, "every Dask worker that ran it died (killed, or out of memory?); resume "
                                        f"the sweep to run it again: {one_line(error)}")
            else:  # raised in the run
                store.fail(plan.run_id, one_line(error))
            progress.update(store.row(plan.run_id))
            submit_while_idle()
    except BaseException:
        client.cancel(list(in_flight))
        raise


def _train_on_worker(plan: RunPlan, folder: Path, threads: int) -> dict[str, Any]:
    torch.set_num_threads(threads)
    return train_planned(plan, folder)
