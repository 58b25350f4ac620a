"""`python -m rnnlab ...` is the `rnnlab` command, for launchers that start a module: `torchrun -m rnnlab train ...`."""

import sys

from rnnlab.cli.main import main

sys.exit(main())
