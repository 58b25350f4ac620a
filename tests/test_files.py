"""rnnlab.files: the one atomic write, for bytes, text and writers that need a path."""

import os
from pathlib import Path

import pytest

from rnnlab import files
from rnnlab.files import atomic_path, write_atomic


@pytest.fixture
def renames(monkeypatch) -> list[tuple[Path, Path]]:
    """Every os.replace the module makes, as (source, target)."""
    seen: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(source, target):
        seen.append((Path(source), Path(target)))
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", spy)
    return seen


def test_write_atomic_goes_through_a_temporary_file_in_the_same_folder(tmp_path, renames):
    """Reference: os.replace is atomic only within one file system, so the temporary file must sit
    beside the target."""
    target = tmp_path / "deep" / "file.bin"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [t for _, t in renames] == [target, target]
    assert all(s.parent == target.parent and s != target for s, _ in renames)
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.bin"]  # no temporary file left
    assert target.stat().st_mode & 0o777 == files.MODE


def test_text_is_written_as_utf8(tmp_path):
    """Reference: str.encode("utf-8"), whatever the locale."""
    write_atomic(tmp_path / "t.json", '{"名": "π"}\n')
    assert (tmp_path / "t.json").read_bytes() == '{"名": "π"}\n'.encode()


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")

    def crash(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_atomic_path_keeps_the_suffix_and_renames_what_the_writer_wrote(tmp_path, renames):
    """Reference: a writer that picks its format by the suffix (music21) sees the target's suffix."""
    target = tmp_path / "piece.mid"
    with atomic_path(target) as temporary:
        assert temporary.parent == tmp_path and temporary.suffix == ".mid" and temporary != target
        temporary.write_bytes(b"MThd")
        assert not target.exists()  # nothing is in place before the block ends
    assert target.read_bytes() == b"MThd" and renames == [(temporary, target)]


def test_an_error_in_the_writer_leaves_the_old_file_and_no_debris(tmp_path):
    target = tmp_path / "model.safetensors"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="writer failed"), atomic_path(target) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("writer failed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]
