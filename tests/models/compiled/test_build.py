"""Building, caching and loading the core, and the fallback: where it cannot be built or loaded, rnnlab warns
once and runs the paths it had before, with the same results."""

import warnings
from collections.abc import Iterator

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models import RecurrentConfig, RecurrentLayer
from rnnlab.models.compiled import build


@pytest.fixture
def fresh_status() -> Iterator[None]:
    """Forget the process's build outcome and warning before and after the test, so it sees its own setup
    and later tests find the real core again."""
    def forget() -> None:
        build.core_status.cache_clear()
        build.extension_name.cache_clear()
        build._warned = False

    forget()
    yield
    forget()


def test_core_is_cached_per_machine_and_source(core, fresh_status, monkeypatch):
    """Reference: build.extension_name's contract: the sources, flags, torch and CPU name the build, so a
    machine of another kind (other -march=native code) or edited sources never load a stale library."""
    status = build.core_status()
    assert status.library is not None and status.path is not None and status.path.exists()
    assert build.core_status().reason == "loaded"  # the second process-wide call finds it built
    name = build.extension_name()
    build.extension_name.cache_clear()
    monkeypatch.setattr(build, "_cpu_identity", lambda: "another CPU with other flags")
    assert build.extension_name() != name


@pytest.mark.parametrize("backend", ["compiled", "auto"])
def test_unavailable_core_warns_once_and_falls_back(fresh_status, monkeypatch, backend):
    """Reference: the readable backend on the same weights, and RecurrentLayer.backend_for's rule without the
    core (`_torch_backend`: the fused kernels for a GRU on the CPU). One warning per process, however many
    layers and calls."""
    monkeypatch.setenv(build.ENABLE_VARIABLE, "0")
    readable = RecurrentLayer(RecurrentConfig("gru", 3, 5, num_layers=2, backend="readable")).double()
    layer = RecurrentLayer(RecurrentConfig("gru", 3, 5, num_layers=2, backend=backend)).double()
    layer.load_state_dict(readable.state_dict())
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    with pytest.warns(RuntimeWarning, match="compiled recurrent core is unavailable .*RNNLAB_COMPILED=0") as record:
        assert layer.backend_for(x) == "fused"
        out, final = layer(x)
    assert len(record) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and never again in this process
        assert_close(layer(x), (out, final))
    assert_close((out, final), readable(x))


def test_failed_build_is_reported_not_raised(fresh_status, monkeypatch, tmp_path):
    """Reference: build.core_status's contract: a build that fails (here: no compiler) becomes a reason."""
    monkeypatch.setenv(build.CACHE_VARIABLE, str(tmp_path))  # an empty cache: a build is needed

    def no_compiler(directory):
        raise RuntimeError("no C++ compiler (c++) on PATH")

    monkeypatch.setattr(build, "_build", no_compiler)
    status = build.core_status()
    assert status.library is None and "no C++ compiler" in status.reason
    with pytest.warns(RuntimeWarning, match="no C\\+\\+ compiler"):
        assert build.load_core() is None


def test_main_says_what_happened(core, capsys):
    assert build.main() == 0
    assert "compiled core" in capsys.readouterr().out
