"""The cache folder (XDG, with an environment override) and atomic writes."""

import os
from pathlib import Path

import pytest
import torch

from rnnlab.data import cache
from rnnlab.data.cache import CACHE_ENV, cache_dir, cache_root, load_tensors, save_tensors, write_atomic


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No cache variables set, and a home folder of our own."""
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def test_root_defaults_to_home_cache(clean_env):
    """Reference: the XDG base directory spec: ~/.cache when XDG_CACHE_HOME is unset."""
    assert cache_root() == clean_env / "home" / ".cache" / "rnnlab"


def test_root_follows_xdg_cache_home(clean_env, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(clean_env / "xdg"))
    assert cache_root() == clean_env / "xdg" / "rnnlab"


def test_relative_xdg_cache_home_is_ignored(clean_env, monkeypatch):
    """Reference: the XDG spec: a relative path in XDG_CACHE_HOME is invalid and should be ignored."""
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache_root() == clean_env / "home" / ".cache" / "rnnlab"


def test_environment_variable_overrides_everything(clean_env, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(clean_env / "xdg"))
    monkeypatch.setenv(CACHE_ENV, str(clean_env / "mine"))
    assert cache_root() == clean_env / "mine"
    assert cache_dir("source", "1.0") == clean_env / "mine" / "source" / "1.0"
    assert (clean_env / "mine" / "source" / "1.0").is_dir()


def test_empty_environment_variable_counts_as_unset(clean_env, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "")
    assert cache_root() == clean_env / "home" / ".cache" / "rnnlab"


@pytest.mark.parametrize("source, version", [("..", "1"), ("a/b", "1"), ("pkg", ""), ("pkg", "../up")])
def test_cache_dir_refuses_paths_that_escape(clean_env, source, version):
    with pytest.raises(ValueError, match="plain folder names"):
        cache_dir(source, version)


def test_write_atomic_goes_through_a_temporary_file_in_the_same_folder(tmp_path, monkeypatch):
    """Reference: os.replace is atomic only within one file system, so the temporary file must sit
    beside the target."""
    renames: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(source, target):
        renames.append((Path(source), Path(target)))
        real_replace(source, target)

    monkeypatch.setattr(cache.os, "replace", spy)
    target = tmp_path / "deep" / "file.bin"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [t for _, t in renames] == [target, target]
    assert all(s.parent == target.parent and s != target for s, _ in renames)
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.bin"]  # no temporary file left
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")

    def crash(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(cache.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_tensors_round_trip(tmp_path):
    tensors = {"images": torch.arange(12, dtype=torch.uint8).reshape(3, 2, 2), "labels": torch.tensor([0, 1, 2])}
    save_tensors(tmp_path / "t.pt", tensors)
    loaded = load_tensors(tmp_path / "t.pt")
    assert loaded.keys() == tensors.keys()
    assert all(torch.equal(loaded[k], tensors[k]) for k in tensors)


def test_load_tensors_refuses_other_contents(tmp_path):
    torch.save([torch.zeros(1)], tmp_path / "list.pt")
    with pytest.raises(ValueError, match="dict of tensors"):
        load_tensors(tmp_path / "list.pt")
