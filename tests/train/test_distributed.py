"""Training on several ranks (train/distributed.py): a step on N ranks is a step of one process on the same
global batch, every rank stops at the same step, rank 0 alone writes, and a run resumes on N ranks.

The fast tests fork two real processes from this one (gloo over 127.0.0.1, no new interpreter to start), which
call `train` as `rnnlab train` does under torchrun; the slow ones start `torchrun -m rnnlab train` itself."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import pickle
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from rnnlab.data.stream import StreamBatches
from rnnlab.data.tasks.adding import AddingConfig, AddingTask
from rnnlab.data.tasks.base import Batch, seeded
from rnnlab.data.tasks.language_model import TextFileConfig, text_file
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.checkpoint import latest_checkpoint
from rnnlab.train.distributed import ALONE, Ranks, joined, ranks_from
from rnnlab.train.loop import TrainConfig, train
from rnnlab.train.records import EvalRecord

# Float tolerance between one process and two ranks: the ranks' gradients are averaged by an all-reduce, so
# sums are taken in another order. Measured (20 steps): records within 1.4e-6 relative, weights within 6e-8.
RTOL, ATOL = 1e-5, 1e-6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Without processes: how the ranks are read from torchrun's variables and how a batch is shared.


def test_a_process_outside_torchrun_is_alone_and_alone_changes_nothing():
    """Reference: identity. Alone (no WORLD_SIZE, or WORLD_SIZE=1 as `torchrun --nproc-per-node 1` sets),
    every method returns what it is given, so a run outside torchrun is the run it always was."""
    assert ranks_from({}) is ALONE and ranks_from({"WORLD_SIZE": "1", "RANK": "0"}) is ALONE
    batch = AddingTask(AddingConfig(length=5)).sample(6, seeded(0, 0))
    model = torch.nn.Linear(2, 1)
    assert ALONE.rows(batch) is batch and ALONE.wrap(model) is model
    assert (ALONE.mean(0.25), ALONE.slowest(3.0), ALONE.first(lambda: {"mse": 1.0})) == (0.25, 3.0, {"mse": 1.0})
    assert ALONE.writes and ALONE.share(7) == 7 and ALONE.first_to_fail()


def test_torchrun_variables_are_read_and_checked():
    environ = {"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1", "MASTER_ADDR": "head", "MASTER_PORT": "29500"}
    assert ranks_from(environ) == Ranks(rank=3, world=4, local_rank=1)
    assert not ranks_from(environ).writes
    with pytest.raises(ValueError, match="WORLD_SIZE is set but MASTER_ADDR, MASTER_PORT not: start the ranks "
                                         "with torchrun"):
        ranks_from({"RANK": "0", "WORLD_SIZE": "2", "LOCAL_RANK": "0"})
    with pytest.raises(ValueError, match="RANK 4 does not fit WORLD_SIZE 4"):
        ranks_from(environ | {"RANK": "4"})
    with pytest.raises(ValueError, match="must be whole numbers"):
        ranks_from(environ | {"LOCAL_RANK": "one"})


def test_a_global_batch_that_does_not_split_evenly_is_one_clear_error():
    with pytest.raises(ValueError, match="the batch size 10 is the global batch and must split evenly over 4 "
                                         "ranks: use a multiple of 4"):
        Ranks(1, 4).share(10)


def test_each_rank_trains_on_its_contiguous_rows_and_a_stream_rank_on_its_own_columns():
    """Reference: the global batch. The ranks' rows, in rank order, are the batch; for a truncated-BPTT stream
    (data/stream.py) a rank's rows of batch k+1 continue its rows of batch k, so the state it carries is its
    own columns' state."""
    batch = AddingTask(AddingConfig(length=5)).sample(6, seeded(0, 0))
    shares = [Ranks(rank, 3).rows(batch) for rank in range(3)]
    assert torch.equal(torch.cat([share.sequence for share in shares]), batch.sequence)
    assert torch.equal(torch.cat([share.targets for share in shares]), batch.targets)

    stream = StreamBatches([torch.arange(100)], chunk_length=3, columns=4)  # 33 chunks: columns of 8
    for rank in range(2):
        first, second = Ranks(rank, 2).rows(stream.batch(0)), Ranks(rank, 2).rows(stream.batch(1))
        assert torch.equal(second.sequence[:, 0], first.sequence[:, -1] + 1)  # each row reads on
        assert int(first.sequence[0, 0]) == rank * 2 * len(stream) * 3  # columns 2r and 2r+1


# Two real ranks, forked from this process.


def on_ranks(world: int, work: Callable[[Ranks], Any], timeout: float = 120) -> list[Any]:
    """`work(ranks)` in `world` forked processes joined as torchrun joins them (over 127.0.0.1); each rank's
    return value, in rank order. A rank that raises or hangs fails the test."""
    context = multiprocessing.get_context("fork")  # the children share this process's imports: no start-up
    results = context.Queue()
    port = free_port()

    def child(rank: int) -> None:
        os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank), MASTER_ADDR="127.0.0.1",
                          MASTER_PORT=str(port))
        torch.set_num_threads(1)
        try:
            with joined() as ranks:
                answer = work(ranks)
        except BaseException as error:  # reported to the test, which fails with it
            answer = error
        # Plain pickle: a tensor put as is would be shared through a file descriptor this process takes away.
        results.put((rank, pickle.dumps(answer)))

    processes = [context.Process(target=child, args=(rank,)) for rank in range(world)]
    for process in processes:
        process.start()
    try:
        answers = {rank: pickle.loads(answer) for rank, answer in (results.get(timeout=timeout) for _ in processes)}
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    for rank in range(world):
        if isinstance(answers[rank], BaseException):
            raise AssertionError(f"rank {rank} failed") from answers[rank]
    return [answers[rank] for rank in range(world)]


CONFIG = TrainConfig(steps=20, batch_size=8, lr=0.01, eval_every=5, seed=3, stop_when_solved=False)


def adding_run(config: TrainConfig = CONFIG, rows: set[int] | None = None,
               **options: Any) -> Callable[[Ranks], tuple[list[dict], list]]:
    """Train a small LSTM on the adding task on these ranks: (records, final weights). `rows` collects the
    number of rows of every training batch the model saw."""
    def work(ranks: Ranks) -> tuple[list[dict], list]:
        task = AddingTask(AddingConfig(length=8, test_size=32))
        torch.manual_seed(11)
        model = build_model(ModelConfig("lstm", hidden_size=8), task.io)
        if rows is not None:
            def count_rows(module: torch.nn.Module, args: tuple) -> None:
                if module.training:
                    rows.add(args[0].shape[0])

            model.register_forward_pre_hook(count_rows)
        result = train(model, task, config, ranks=ranks, **options)
        return [r.to_json() for r in result.records], [p.detach().clone() for p in model.parameters()]

    return work


def assert_same_run(run: tuple[list[dict], list], reference: tuple[list[dict], list]) -> None:
    (records, weights), (expected_records, expected_weights) = run, reference
    assert [r["step"] for r in records] == [r["step"] for r in expected_records]
    for record, expected in zip(records, expected_records):
        assert record["sequences"] == expected["sequences"]
        numbers = [record["train_loss"], record["grad_norm"], *record["metrics"].values()]
        expected_numbers = [expected["train_loss"], expected["grad_norm"], *expected["metrics"].values()]
        torch.testing.assert_close(torch.tensor(numbers), torch.tensor(expected_numbers), rtol=RTOL, atol=ATOL)
    for weight, expected in zip(weights, expected_weights):
        torch.testing.assert_close(weight, expected, rtol=RTOL, atol=ATOL)


def without_time(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def test_two_ranks_train_as_one_process_on_the_same_global_batch():
    """Reference: `train` in this process on the global batch of 8. Two ranks on 4 rows each give the same
    records (loss, gradient norm, test metrics) and final weights to float tolerance, and both ranks hold
    the same records and weights (rank 0's metrics are sent to rank 1)."""
    reference = adding_run()(ALONE)

    def shared(ranks: Ranks) -> tuple[tuple[list[dict], list], set[int]]:
        rows: set[int] = set()
        return adding_run(rows=rows)(ranks), rows

    (rank0, rows0), (rank1, rows1) = on_ranks(2, shared)
    assert rows0 == rows1 == {4}  # each rank trained on its half of every batch, not on the whole batch
    assert_same_run(rank0, reference)
    assert without_time(rank0[0]) == without_time(rank1[0])
    assert all(torch.equal(a, b) for a, b in zip(rank0[1], rank1[1]))


def test_two_ranks_train_a_truncated_bptt_stream_as_one_process(tmp_path: Path):
    """Reference: `train` in this process. A character language model over a text file (StreamTask with
    carried state, SelfEvaluatingTask): each rank reads 2 of the 4 stream columns and carries their state;
    the records and weights equal one process's to float tolerance."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the quick brown fox jumps over the lazy dog. " * 60)
    config = TextFileConfig(corpus=str(corpus), chunk_length=8, eval_tokens=200, eval_columns=2)
    train_config = dataclasses.replace(CONFIG, batch_size=4, steps=12, eval_every=4)

    def work(ranks: Ranks) -> tuple[list[dict], list]:
        task = text_file(config)
        torch.manual_seed(5)
        model = build_model(ModelConfig("gru", hidden_size=8), task.io)
        result = train(model, task, train_config, ranks=ranks)
        return [r.to_json() for r in result.records], [p.detach().clone() for p in model.parameters()]

    assert_same_run(on_ranks(2, work)[0], work(ALONE))


def test_rank_0_alone_writes_checkpoints_and_both_ranks_resume_from_them(tmp_path: Path):
    """Reference: the same two-rank run uninterrupted. Stopped at the evaluation of step 10, before its
    checkpoint (on both ranks, as torchrun stops them), and resumed on two ranks from rank 0's step-5
    checkpoint, it ends with the uninterrupted run's records and weights, bit for bit; rank 1 wrote nothing."""
    whole = on_ranks(2, adding_run())[0]

    class Stopped(Exception):
        pass

    def stop_at_10(record: EvalRecord) -> None:
        if record.step == 10:
            raise Stopped

    def interrupted(ranks: Ranks) -> bool:
        folder = tmp_path / f"rank{ranks.rank}"  # rank 1 would write here if it wrote at all
        try:
            adding_run(on_eval=stop_at_10, checkpoints=folder)(ranks)
        except Stopped:
            return True
        return False

    assert on_ranks(2, interrupted) == [True, True]
    assert latest_checkpoint(tmp_path / "rank0") == tmp_path / "rank0" / "step-00000005"
    assert not (tmp_path / "rank1").exists()

    def resumed(ranks: Ranks) -> tuple[list[dict], list]:
        return adding_run(checkpoints=tmp_path / "rank0", resume=True)(ranks)

    records, weights = on_ranks(2, resumed)[0]
    assert without_time(records) == without_time(whole[0])
    assert all(torch.equal(a, b) for a, b in zip(weights, whole[1]))


def test_a_time_budget_stops_every_rank_at_the_same_step():
    """Reference: the slowest rank's clock. The ranks' clocks differ (rank 1 sleeps 50 ms after each step,
    outside its clock, and rank 0 waits for it inside its own); with a 0.4 s budget both ranks stop at the
    same step with identical records, seconds included."""
    config = dataclasses.replace(CONFIG, steps=1000, eval_every=1000, max_seconds=0.4)

    def slow_on_rank_1(ranks: Ranks) -> list[dict]:
        def on_step(step: int, loss: float, norm: float) -> None:
            if ranks.rank == 1:
                time.sleep(0.05)

        return adding_run(config, on_step=on_step)(ranks)[0]

    rank0, rank1 = on_ranks(2, slow_on_rank_1)
    assert rank0 == rank1  # seconds included: every rank reads the slowest clock
    assert rank0[-1]["step"] < 1000 and rank0[-1]["seconds"] >= 0.4


def test_batches_shared_by_rows_match_a_batch_of_rows():
    """The slice a rank trains on is a Batch like any other (lengths and resets sliced with the rows)."""
    batch = Batch(torch.arange(12).reshape(4, 3), torch.arange(4), lengths=torch.tensor([3, 2, 3, 1]),
                  resets=torch.tensor([True, False, False, True]))
    share = Ranks(1, 2).rows(batch)
    assert share.lengths is not None and share.resets is not None
    assert (share.lengths.tolist(), share.resets.tolist(), share.targets.tolist()) == ([3, 1], [False, True], [2, 3])
