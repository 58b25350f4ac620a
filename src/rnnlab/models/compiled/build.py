"""Build and load the compiled recurrent core: just in time, once per machine, cached.

    core = load_core()          # the loaded library, or None (then rnnlab warns once and runs without it)
    python -m rnnlab.models.compiled              # build now (`make test` and `make run` do), report how long

The C++ sources (`csrc/`) are compiled by `torch.utils.cpp_extension.load` with ninja (from PyPI) and the
system's C++ compiler (Debian's g++), into a plain shared library that Python calls through ctypes
(`abi.py`): no pybind11 and no torch headers beyond `ATen/Parallel.h`, so a build takes seconds, not the
minute a full torch extension takes on two cores. The code is tuned for the machine it is built on
(`-march=native`), so the cache key holds the CPU's model and feature flags along with the source hash,
the torch and the Python version: a different machine kind sharing the cache gets its own build.

Cache: `$RNNLAB_KERNEL_CACHE`, else `$XDG_CACHE_HOME/rnnlab/kernels`, else `~/.cache/rnnlab/kernels`.
`RNNLAB_COMPILED=0` turns the core off (everything then runs as before it existed).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import sys
import time
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import torch

from rnnlab.models.compiled.abi import bind

SOURCE_DIR = Path(__file__).parent / "csrc"
SOURCES = ("core.cpp",)  # the one translation unit; it includes every header in csrc/
ABI_VERSION = 1  # must equal RNNLAB_ABI_VERSION in csrc/abi.h
CFLAGS = ("-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math", "-fopenmp")
LDFLAGS = ("-fopenmp",)
BLAS_SYMBOLS = ("sgemm_", "dgemm_")  # Fortran BLAS exported by torch's CPU library (MKL on x86); csrc/blas.h
ENABLE_VARIABLE = "RNNLAB_COMPILED"
CACHE_VARIABLE = "RNNLAB_KERNEL_CACHE"


@dataclass(frozen=True)
class CoreStatus:
    """Whether the core is usable here, and why not when it is not."""

    library: ctypes.CDLL | None
    reason: str  # "loaded", "built in 7.1 s", or what stopped it
    path: Path | None  # the shared library, when there is one


def load_core() -> ctypes.CDLL | None:
    """The compiled core, built on first use; None (after one warning per process) where it cannot be."""
    status = core_status()
    if status.library is None:
        _warn_once(status.reason)
    return status.library


@cache
def core_status() -> CoreStatus:
    """Build if needed, then load; the outcome is kept for the life of the process."""
    if os.environ.get(ENABLE_VARIABLE, "1").lower() in ("0", "off", "false", "no"):
        return CoreStatus(None, f"turned off by {ENABLE_VARIABLE}={os.environ[ENABLE_VARIABLE]}", None)
    missing = _missing_blas()
    if missing:
        return CoreStatus(None, f"torch's CPU library exports no BLAS symbol {missing} (a build without MKL?)", None)
    directory = build_directory()
    library_path = directory / f"{extension_name()}.so"
    started = time.perf_counter()
    how = "loaded"
    try:
        # A lock file means another process is building it right now (torch's FileBaton): `load` waits for it
        if not library_path.exists() or (directory / "lock").exists():
            _build(directory)
            how = f"built in {time.perf_counter() - started:.1f} s"
        library = bind(ctypes.CDLL(str(library_path)))
    except Exception as error:  # a missing compiler, a failed build, an unloadable library: all fall back
        return CoreStatus(None, f"{type(error).__name__}: {_first_lines(str(error))}", None)
    version = library.rnnlab_abi_version()
    if version != ABI_VERSION:
        return CoreStatus(None, f"the library at {library_path} speaks ABI {version}, Python expects {ABI_VERSION}",
                          library_path)
    return CoreStatus(library, how, library_path)


def cache_root() -> Path:
    if CACHE_VARIABLE in os.environ:
        return Path(os.environ[CACHE_VARIABLE])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "rnnlab" / "kernels"


def build_directory() -> Path:
    """One folder per (sources, flags, torch, Python, CPU): a stale or foreign build is never loaded."""
    return cache_root() / f"{extension_name()}-py{sys.version_info.major}{sys.version_info.minor}"


@cache
def extension_name() -> str:
    digest = hashlib.sha256()
    for path in sorted(SOURCE_DIR.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    digest.update(" ".join(CFLAGS + LDFLAGS).encode() + torch.__version__.encode() + _cpu_identity().encode())
    return f"rnnlab_core_{digest.hexdigest()[:16]}"


def _build(directory: Path) -> None:
    from torch.utils.cpp_extension import load  # imported here: it is slow to import and rarely needed

    _put_ninja_on_path()
    if shutil.which(os.environ.get("CXX", "c++")) is None:
        raise RuntimeError("no C++ compiler (c++) on PATH; install g++ (scripts/install-system-deps.sh)")
    directory.mkdir(parents=True, exist_ok=True)
    load(name=extension_name(), sources=[str(SOURCE_DIR / name) for name in SOURCES], extra_cflags=list(CFLAGS),
         extra_ldflags=list(LDFLAGS), build_directory=str(directory), is_python_module=False, verbose=False)


def _put_ninja_on_path() -> None:
    """torch runs `ninja` by name; the PyPI package puts it beside this Python, which may not be on PATH."""
    if shutil.which("ninja") is not None:
        return
    candidates = [Path(sys.executable).parent]
    try:
        import ninja

        candidates.insert(0, Path(ninja.BIN_DIR))
    except ImportError:
        pass
    for folder in candidates:
        if (folder / "ninja").exists():
            os.environ["PATH"] = f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"
            return


def _missing_blas() -> str | None:
    library = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    try:
        handle = ctypes.CDLL(str(library))
    except OSError:
        return "(libtorch_cpu.so not found)"
    return next((name for name in BLAS_SYMBOLS if not hasattr(handle, name)), None)


def _cpu_identity() -> str:
    """Model name and feature flags: what -march=native compiled for."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.machine() + platform.processor()
    wanted = [line for line in lines if line.startswith(("model name", "flags", "Features"))]
    return platform.machine() + "".join(sorted(set(wanted)))


def _first_lines(text: str, count: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[:count]) + (" ..." if len(lines) > count else "")


_warned = False


def _warn_once(reason: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(f"rnnlab's compiled recurrent core is unavailable ({reason}); the fused and readable "
                      "paths run instead, with the same results", RuntimeWarning, stacklevel=3)


def main() -> int:
    """Build (or find) the core and say what happened: `python -m rnnlab.models.compiled`."""
    status = core_status()
    if status.library is None:
        print(f"compiled core unavailable: {status.reason}")
        return 1
    print(f"compiled core {status.reason}: {status.path}")
    return 0
