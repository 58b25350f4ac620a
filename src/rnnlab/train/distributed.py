"""One model trained by several processes (ranks): DistributedDataParallel under torchrun, or one rank alone.

    torchrun --nproc-per-node 2 -m rnnlab train --task adding --batch-size 64 --out runs/a     # 2 ranks here
    torchrun --nnodes 2 --node-rank 0 --master-addr head --master-port 29500 --nproc-per-node 8 \\
        -m rnnlab train ...                                                                       # 16 ranks

torchrun gives every process it starts RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT. Without
them (or with WORLD_SIZE=1) a run is one process and nothing here does anything: `ALONE`'s methods return
what they are given, so a run outside torchrun is exactly what it was before this module existed.

A step on N ranks is a step of one process on the same global batch B: every rank draws the same batch (the
same seeded generator, or `sample_at(step, B)` for a stream) and trains on its contiguous rows
[r·B/N, (r+1)·B/N); DDP averages the gradients, so every rank applies the mean gradient over all B rows (exactly
so when the task's loss weighs every row alike, as a mean over rows or over rows of equal length does; where
padding gives rows fewer steps it is the mean of the ranks' means). For a truncated-BPTT stream the rows are
stream columns: each rank reads its own contiguous columns and carries their state. Dropout masks are drawn
per rank: a model with dropout trains as on a batch of B, but not bit for bit.

Every decision to stop is the same on every rank: the loss is averaged over the ranks before it is tested,
a time budget runs on the slowest rank's clock, and rank 0 evaluates and sends its metrics to the others. Rank 0
alone writes (run folder, checkpoints, logs). gloo carries the CPU tensors and NCCL the GPU ones.

When a rank fails, the others fail after it (their collectives lose it) and torchrun ends them all. The rank
that failed first says why: the first to count itself in the rendezvous store (`first_to_fail`), which
outlives the ranks under torchrun, so that one failure is one line, not a line (or traceback) per rank.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from rnnlab.data.tasks.base import Batch

T = TypeVar("T")
# How long a rank waits for the others at one collective (rank 0 evaluating or writing a checkpoint, a node
# starting late) before it gives up. torchrun stops every rank as soon as one fails, so this bounds only the
# hangs torchrun cannot see, such as a rank started by hand.
TIMEOUT = timedelta(minutes=30)
TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
FAILURES = "rnnlab/failures"  # in the rendezvous store: how many ranks have failed


@dataclass(frozen=True)
class Ranks:
    """This process's place among the `world` processes training one model. The default is one alone."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0  # the rank on this machine: the GPU it uses
    store: dist.Store | None = field(default=None, compare=False, repr=False)  # the rendezvous store

    @property
    def writes(self) -> bool:
        """Rank 0 writes the run folder, its checkpoints and logs; the others write nothing."""
        return self.rank == 0

    def share(self, batch_size: int) -> int:
        """Rows of the global batch this rank trains on; a batch that does not split evenly is an error."""
        if batch_size % self.world:
            raise ValueError(f"the batch size {batch_size} is the global batch and must split evenly over "
                             f"{self.world} ranks: use a multiple of {self.world}")
        return batch_size // self.world

    def rows(self, batch: Batch) -> Batch:
        """This rank's contiguous rows of the global batch (for a stream: its columns)."""
        if self.world == 1:
            return batch
        share = self.share(batch.size)
        return batch.slice(self.rank * share, (self.rank + 1) * share)

    def wrap(self, model: nn.Module) -> nn.Module:
        """The model behind DistributedDataParallel, which averages gradients over the ranks in backward;
        the model itself when alone. Buffers (positions, token tables) are built alike on every rank and
        never trained, so they are not sent again at every step."""
        if self.world == 1:
            return model
        device = next(model.parameters()).device
        return DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None,
                                       forward_sync_buffers=False)

    def mean(self, value: float) -> float:
        """The mean of `value` over the ranks (a NaN or inf on any rank makes it not finite on every rank)."""
        if self.world == 1:
            return value
        total = torch.tensor([value], dtype=torch.float64)
        dist.all_reduce(total)
        return float(total) / self.world

    def slowest(self, seconds: float) -> float:
        """The largest of `seconds` over the ranks: a clock every rank reads alike."""
        if self.world == 1:
            return seconds
        largest = torch.tensor([seconds], dtype=torch.float64)
        dist.all_reduce(largest, op=dist.ReduceOp.MAX)
        return float(largest)

    def first(self, compute: Callable[[], T]) -> T:
        """`compute()` on rank 0, its result sent to every rank (which wait for it)."""
        if self.world == 1:
            return compute()
        box = [compute() if self.writes else None]
        dist.broadcast_object_list(box, src=0, device=torch.device("cpu"))
        return box[0]  # type: ignore[return-value]  # rank 0's value, which has type T

    def first_to_fail(self) -> bool:
        """Count this rank's failure: whether it is the first, the one that says why. A store that cannot be
        reached (it lived in a rank that died, outside torchrun) counts as first: better a line too many."""
        if self.store is None:
            return True
        try:
            return int(self.store.add(FAILURES, 1)) == 1
        except RuntimeError:  # DistStoreError, DistNetworkError
            return True


ALONE = Ranks()


def ranks_from(environ: Mapping[str, str]) -> Ranks:
    """This process's ranks as torchrun describes them in `environ`; ALONE without WORLD_SIZE or with 1."""
    if int(environ.get("WORLD_SIZE", "1") or "1") <= 1:
        return ALONE
    missing = [name for name in TORCHRUN_VARIABLES if not environ.get(name)]
    if missing:
        raise ValueError(f"WORLD_SIZE is set but {', '.join(missing)} not: start the ranks with torchrun")
    try:
        ranks = Ranks(int(environ["RANK"]), int(environ["WORLD_SIZE"]), int(environ["LOCAL_RANK"]))
    except ValueError:
        raise ValueError("RANK, WORLD_SIZE and LOCAL_RANK must be whole numbers") from None
    if not 0 <= ranks.rank < ranks.world or ranks.local_rank < 0:
        raise ValueError(f"RANK {ranks.rank} does not fit WORLD_SIZE {ranks.world}")
    return ranks


@contextlib.contextmanager
def joined() -> Iterator[Ranks]:
    """Join the other ranks torchrun started (gloo for CPU tensors; with CUDA, NCCL for GPU tensors and this
    rank's GPU is LOCAL_RANK's) and leave when the block ends; ALONE, doing nothing, outside torchrun."""
    ranks = ranks_from(os.environ)
    if ranks.world == 1:
        yield ranks
        return
    if not dist.is_available():
        raise ValueError("this PyTorch build has no torch.distributed: train in one process")
    backend = "gloo"
    if torch.cuda.is_available():
        if ranks.local_rank >= torch.cuda.device_count():
            raise ValueError(f"LOCAL_RANK {ranks.local_rank} has no GPU: this machine has "
                             f"{torch.cuda.device_count()}; start at most that many ranks per node")
        torch.cuda.set_device(ranks.local_rank)
        backend = "cpu:gloo,cuda:nccl"
    try:
        store, _, _ = next(dist.rendezvous("env://", timeout=TIMEOUT))
        # The process group's keys apart from ours, as init_process_group keeps them when it makes the store.
        dist.init_process_group(backend, store=dist.PrefixStore("default_pg", store), rank=ranks.rank,
                                world_size=ranks.world, timeout=TIMEOUT)
    except (RuntimeError, ValueError) as error:  # DistNetworkError and DistStoreError are RuntimeErrors
        where = f"{os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']}"
        raise ValueError(f"rank {ranks.rank} cannot join the others at {where}: "
                         f"{' '.join(str(error).split())}") from None
    yield dataclasses.replace(ranks, store=store)
    # Left only after a clean end: after an error the other ranks may be waiting in a collective, and
    # torchrun ends them; this process exits without waiting for them.
    dist.destroy_process_group()
