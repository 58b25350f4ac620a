"""`python -m rnnlab.models.compiled`: build (or find) the compiled core now and say what happened."""

import sys

from rnnlab.models.compiled.build import main

sys.exit(main())
