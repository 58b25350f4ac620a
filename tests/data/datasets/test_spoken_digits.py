"""Spoken digits: the voice split, deterministic generation on a tiny config, the cache, the missing-program
error. Generation needs espeak-ng (CI installs it with `make system-deps`); the full data set is marked slow."""

import shutil

import pytest
import torch

from rnnlab.data.cache import CACHE_ENV
from rnnlab.data.datasets import spoken_digits
from rnnlab.data.datasets.spoken_digits import (
    SPLITS,
    SpokenDigitsConfig,
    generate,
    load_all,
    load_spoken_digits,
    plan,
)
from rnnlab.data.sources import DataUnavailable

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (sudo apt-get install -y espeak-ng; `make system-deps` and CI install it)")

# 3 voices x 2 words x 1 clip: one voice per split.
TINY = SpokenDigitsConfig(words=("zero", "one"), accents=("en-us",), variants=("m1", "f2", "m3"),
                          validation_accents=(), validation_variants=("m3",), test_accents=(), test_variants=("f2",),
                          repeats=1)


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_default_split_holds_out_whole_voices():
    """Reference: the module docstring: 50 / 22 / 33 voices; no validation or test accent or variant is
    ever trained on; every voice says every word `repeats` times."""
    config = SpokenDigitsConfig()
    clips = plan(config)
    assert len(clips) == 105 * 10 * 3
    voices = {split: {c.voice for c in clips if c.split == split} for split in SPLITS}
    assert [len(voices[s]) for s in SPLITS] == [50, 22, 33]
    assert not (voices["train"] & voices["validation"] or voices["train"] & voices["test"]
                or voices["validation"] & voices["test"])
    held_out = set(config.validation_accents + config.validation_variants + config.test_accents + config.test_variants)
    names = config.voices()
    assert all(not {names[v][0], names[v][1]} & held_out for v in voices["train"])
    assert all({names[v][0], names[v][1]} & set(config.test_accents + config.test_variants) for v in voices["test"])
    assert [sum(c.split == s for c in clips) for s in SPLITS] == [1500, 660, 990]


def test_the_cache_key_follows_the_config():
    assert SpokenDigitsConfig().key() == SpokenDigitsConfig().key()
    assert SpokenDigitsConfig(repeats=2).key() != SpokenDigitsConfig().key()


@needs_espeak
def test_tiny_generation_is_deterministic_whatever_the_workers():
    """Reference: the plan (voice, then word); the same config twice, with 1 and 3 worker threads."""
    first, again = generate(TINY, workers=1), generate(TINY, workers=3)
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert first["labels"].tolist() == [0, 1, 0, 1, 0, 1]
    assert first["splits"].tolist() == [0, 0, 2, 2, 1, 1]  # m1 trains, f2 is the test voice, m3 validation
    assert first["frames"].shape == (int(first["lengths"].sum()), 13)
    assert bool((first["lengths"] > 20).all()) and bool(torch.isfinite(first["frames"]).all())


@needs_espeak
def test_loading_caches_by_config_and_reads_the_cache_without_espeak(cache, monkeypatch):
    spoken_digits._load_all.cache_clear()
    test = load_spoken_digits("test", TINY)
    assert [len(s) for s in test.sequences] and test.labels.tolist() == [0, 1]
    files = list(cache.glob(f"espeak-ng/*/spoken_digits-{TINY.key()}.pt"))
    assert len(files) == 1
    spoken_digits._load_all.cache_clear()

    def no_synthesis(*args, **kwargs):
        raise AssertionError("the cache should have been read")

    monkeypatch.setattr(spoken_digits, "synthesise", no_synthesis)
    monkeypatch.setattr(spoken_digits.shutil, "which", lambda name: None)  # espeak-ng gone: any version's cache
    again = load_spoken_digits("test", TINY)
    assert all(torch.equal(a, b) for a, b in zip(test.sequences, again.sequences))
    spoken_digits._load_all.cache_clear()


def test_a_missing_espeak_says_how_to_install_it(cache, monkeypatch):
    monkeypatch.setattr(spoken_digits.shutil, "which", lambda name: None)
    spoken_digits._load_all.cache_clear()
    with pytest.raises(DataUnavailable, match=r"sudo apt-get install -y espeak-ng"):
        load_all(TINY)


def test_a_bad_split_name():
    with pytest.raises(ValueError, match="split must be one of train, validation, test"):
        load_spoken_digits("dev", TINY)  # type: ignore[arg-type]


@pytest.mark.slow
@needs_espeak
def test_the_real_data_set():
    """Reference: the module docstring: 3,150 clips, 1,500 / 660 / 990, balanced words, 13 MFCCs."""
    sizes = {split: load_spoken_digits(split) for split in SPLITS}
    assert [len(sizes[s].labels) for s in SPLITS] == [1500, 660, 990]
    assert torch.bincount(sizes["train"].labels).tolist() == [150] * 10
    assert all(s.shape[1] == 13 and 15 <= len(s) <= 120 for s in sizes["test"].sequences)
