"""Where a sweep's runs train (sweeps/runner.py chooses): in this process, in a pool of worker processes on this
machine, or on a Dask cluster; and the progress they report as each run ends."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from rnnlab.compare.sweeps.config import RunPlan
from rnnlab.compare.sweeps.one_run import one_line, record, run_planned, train_planned
from rnnlab.compare.sweeps.store import ResultsStore, RunRow

if TYPE_CHECKING:
    from distributed import Client
    from distributed import Future as DaskFuture

WATCH_PARENT_SECONDS = 0.2  # how soon a worker notices that the sweep process died
CONNECT_SECONDS = 5.0  # how long to try reaching a Dask scheduler, and to wait for its first worker

ProgressCallback = Callable[[int, int, float, RunRow], None]  # (done, total, eta_seconds, last row)


class Progress:
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


def run_here(pending: list[RunPlan], folder: Path, store: ResultsStore, threads: int, progress: Progress) -> None:
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for plan in pending:
            run_planned(plan, folder, store.sweep_name, store.config_hash)
            progress.update(store.row(plan.run_id))
    finally:
        torch.set_num_threads(before)


def run_in_pool(pending: list[RunPlan], folder: Path, store: ResultsStore, workers: int, threads: int,
                 progress: Progress) -> None:
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
def cluster(scheduler: str | None) -> Iterator[Client | None]:
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


def run_on_cluster(pending: list[RunPlan], folder: Path, store: ResultsStore, client: Client, threads: int,
                    progress: Progress) -> None:
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
                record(store, plan, folder, future.result())
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
