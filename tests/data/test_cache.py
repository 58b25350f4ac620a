"""The cache folder (XDG, with an environment override) and its tensor files (atomic writes: test_files.py)."""


import pytest
import torch

from rnnlab.data.cache import CACHE_ENV, cache_dir, cache_root, load_tensors, save_tensors


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
