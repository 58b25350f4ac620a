"""`rnnlab train` in which one rank fails at a given step, as a rank whose data went missing (RNNLAB_TEST_FAILURE
=raise: OSError) or that the kernel killed for its memory (=kill: SIGKILL) would. RNNLAB_TEST_FAILING_RANK and
RNNLAB_TEST_FAILING_STEP say which rank and when. Started by torchrun in test_train_distributed.py: a program
the tests run, not a test module."""

import os
import signal
import sys

from rnnlab.cli.main import main
from rnnlab.data.tasks.base import Batch
from rnnlab.train.distributed import Ranks

if os.environ["RANK"] == os.environ["RNNLAB_TEST_FAILING_RANK"]:
    rows = Ranks.rows
    failing_step = int(os.environ["RNNLAB_TEST_FAILING_STEP"])
    steps = 0

    def failing_rows(self: Ranks, batch: Batch) -> Batch:
        global steps
        steps += 1
        if steps == failing_step:
            if os.environ["RNNLAB_TEST_FAILURE"] == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise OSError(f"rank {self.rank} cannot read the rows of step {steps} (a test failure)")
        return rows(self, batch)

    Ranks.rows = failing_rows  # type: ignore[method-assign]

sys.exit(main(sys.argv[1:]))
