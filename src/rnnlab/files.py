"""Writing a file so that a crash never leaves half of it: the one way rnnlab replaces a file.

    write_atomic(run / "result.json", json.dumps(summary))            # text (UTF-8) or bytes
    with atomic_path(best / "model.safetensors") as temporary:         # for writers that take a path
        save_file(weights, str(temporary))

Every write goes to a temporary file in the target's own folder (created if missing), is flushed to
disk (`fsync`), and is then renamed over the target with `os.replace`, which is atomic on POSIX and
Windows within one file system: a crash or a concurrent writer leaves the old file or the new one,
never a mix. A write that fails leaves the old file and no temporary behind. The temporary keeps the
target's suffix (`.piece.k2x9.tmp.mid`), for writers that choose a format by it (music21).

This module is the bottom layer (ARCHITECTURE.md): it imports nothing of rnnlab, so anyone may use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

MODE = 0o644  # mkstemp makes a file private (0600); what rnnlab writes (results, caches) need not be


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; when the block ends without an error, the file there is
    synced and renamed over `path`, else deleted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}")
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("r+b") as written:
            os.fsync(written.fileno())  # the bytes are on disk before the name points at them
        os.chmod(temporary, MODE)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_atomic(path: Path, data: bytes | str) -> None:
    """Replace `path` with `data` (a str is written as UTF-8) in one step; see the module's docstring."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def read_utf8(path: Path, folder_hint: str, binary_hint: str) -> str:
    """A UTF-8 text file's text (a byte-order mark dropped); ValueError with one line naming `path` when it is
    missing, a folder ("PATH is a folder{folder_hint}"), binary ("...; {binary_hint}") or not UTF-8."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path} is a folder{folder_hint}") from None
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    if b"\0" in data:
        raise ValueError(f"{path} looks binary (a NUL byte at offset {data.index(0)}); {binary_hint}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
                         "save it as UTF-8") from None
