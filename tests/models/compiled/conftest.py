"""The compiled core, built once per machine (a few seconds, then cached; see models/compiled/build.py).

Tests that need it take the `core` fixture: they skip, naming the reason, only where it cannot be built
here (no C++ compiler, a torch without BLAS symbols); test_build.py covers the fallback either way.
"""

import ctypes

import pytest

from rnnlab.models.compiled import core_status


@pytest.fixture
def core() -> ctypes.CDLL:
    status = core_status()
    if status.library is None:
        pytest.skip(f"the compiled core cannot be built here: {status.reason}")
    return status.library
