"""Spoken digits "zero".."nine", synthesised with Debian's espeak-ng, as MFCC sequences.

Source: the Debian package `espeak-ng` (GPL-3; the audio it generates is ours), run as

    espeak-ng -v ACCENT+VARIANT -s SPEED -p PITCH --stdout WORD    -> a 22,050 Hz mono 16-bit WAV

A voice is an accent (espeak-ng's English dialects) with a speaker variant (+m3, +f2, +klatt, ...).
Every voice says every word `repeats` times, each clip with its own jitter: speaking rate
U[130, 210] words per minute, pitch U[25, 75] (espeak-ng's default 175 and 50), up to 150 ms of
silence before and after the word, and white noise at an SNR of U[10, 30] dB. Clips are resampled to
16 kHz, trimmed to the word, padded, noised, and turned into 13 MFCCs per 10 ms frame
(rnnlab.data.audio): 21-96 frames a clip, 54 on average.

Split: by whole voices, so that the validation and test speakers are never heard in training.

    accents   en (British), en-us, en-gb-scotland, en-gb-x-gbclan (Lancaster), en-gb-x-rp,
              en-gb-x-gbcwmd (West Midlands: validation only), en-029 (Caribbean: test only)
    variants  train m1-m5, f1-f3, klatt, croak; validation m6, f4; test m7, f5, klatt2
    test        every voice with a test accent or a test variant                  33 voices
    validation  every other voice with a validation accent or variant             22 voices
    train       the rest                                                          50 voices

`en-gb` ignores variants in espeak-ng 1.51 (every variant gives the same audio), so British English
is `en`; `en-us-nyc` differs from `en-us` in three words only, so it is left out.
With `repeats=3`: 3,150 clips (1,500 / 660 / 990), generated in about 30 s on 2 cores (measured: 32 s).

Generation is deterministic: every clip's jitter and noise come from its own generator seeded by
(`seed`, clip index), whatever the number of worker threads. The features are cached under
<cache>/espeak-ng/<espeak-ng version>/spoken_digits-<hash of the config>.pt, written atomically.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import torch
from torch import Tensor

from rnnlab.data.audio import MFCCConfig, decode_wav, mfcc, resample, trim_silence
from rnnlab.data.cache import cache_dir, cache_root, load_tensors, save_tensors
from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.sources import DataUnavailable
from rnnlab.data.tasks.labelled import LabelledSequences

Split = Literal["train", "validation", "test"]
SPLITS: tuple[Split, ...] = ("train", "validation", "test")
PROGRAM = "espeak-ng"
INSTALL = "sudo apt-get install -y espeak-ng"
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
FEATURES_VERSION = 1  # bump when the front end changes, so that old caches are not read


@dataclass(frozen=True)
class SpokenDigitsConfig:
    """Which voices say which words, how the clips vary, and which voices are held out."""

    words: tuple[str, ...] = WORDS  # class i is words[i]
    accents: tuple[str, ...] = ("en", "en-us", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp",
                                "en-gb-x-gbcwmd", "en-029")
    variants: tuple[str, ...] = ("m1", "m2", "m3", "m4", "m5", "f1", "f2", "f3", "klatt", "croak",
                                 "m6", "f4", "m7", "f5", "klatt2")
    validation_accents: tuple[str, ...] = ("en-gb-x-gbcwmd",)
    validation_variants: tuple[str, ...] = ("m6", "f4")
    test_accents: tuple[str, ...] = ("en-029",)
    test_variants: tuple[str, ...] = ("m7", "f5", "klatt2")
    repeats: int = 3  # clips per (voice, word), each with its own jitter
    speed: tuple[int, int] = (130, 210)  # words per minute, uniform; espeak-ng's default is 175
    pitch: tuple[int, int] = (25, 75)  # espeak-ng's 0-99 scale, uniform; default 50
    padding: float = 0.15  # seconds of silence, uniform in [0, padding], before and after the word
    snr_db: tuple[float, float] = (10.0, 30.0)  # white noise, uniform SNR in dB over the word's power
    seed: int = 2026  # fixed forever: changing it changes every clip
    mfcc: MFCCConfig = field(default_factory=MFCCConfig)

    def __post_init__(self) -> None:
        if not self.words or not self.accents or not self.variants or self.repeats <= 0:
            raise ValueError("need at least one word, accent and variant, and repeats > 0")
        for name in ("speed", "pitch", "snr_db"):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"{name} must be (low, high), got {getattr(self, name)}")

    def split_of(self, accent: str, variant: str) -> Split:
        if accent in self.test_accents or variant in self.test_variants:
            return "test"
        if accent in self.validation_accents or variant in self.validation_variants:
            return "validation"
        return "train"

    def voices(self) -> list[tuple[str, str]]:
        """(accent, variant) for every voice, accents outermost."""
        return [(accent, variant) for accent in self.accents for variant in self.variants]

    def key(self) -> str:
        """A short hash of everything that changes the clips or their features."""
        text = json.dumps([FEATURES_VERSION, dataclasses.asdict(self)], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Clip:
    index: int  # seeds this clip's jitter and noise
    word: int  # index into config.words: the label
    voice: int  # index into config.voices()
    split: Split


def plan(config: SpokenDigitsConfig) -> list[Clip]:
    """Every clip to make, in a fixed order: voice, then word, then repeat."""
    clips: list[Clip] = []
    for voice, (accent, variant) in enumerate(config.voices()):
        for word in range(len(config.words)):
            for _ in range(config.repeats):
                clips.append(Clip(len(clips), word, voice, config.split_of(accent, variant)))
    return clips


def espeak_version() -> str:
    """The installed espeak-ng's version, e.g. "1.51"; DataUnavailable when it is not installed."""
    if shutil.which(PROGRAM) is None:
        raise DataUnavailable(f"{PROGRAM} is not installed: install it with `{INSTALL}` (or run `make system-deps`)")
    done = subprocess.run([PROGRAM, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"text-to-speech:\s*(\S+)", done.stdout)
    if done.returncode != 0 or found is None:
        raise DataUnavailable(f"`{PROGRAM} --version` failed ({done.stderr.strip() or done.stdout.strip()}); "
                              f"reinstall it with `{INSTALL}`")
    return found.group(1)


def synthesise(word: str, voice: str, speed: int, pitch: int) -> bytes:
    """The WAV bytes espeak-ng writes for `word` in `voice` ("en-us+f2")."""
    command = [PROGRAM, "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", word]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0 or not done.stdout:
        raise DataUnavailable(f"`{' '.join(command)}` failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def uniform(generator: torch.Generator, low: float, high: float) -> float:
    return low + (high - low) * float(torch.rand((), generator=generator, dtype=torch.float64))


def make_clip(config: SpokenDigitsConfig, clip: Clip) -> Tensor:
    """One clip's MFCCs (T, n_mfcc): synthesise with jitter, resample, trim, pad, add noise."""
    generator = torch.Generator().manual_seed(config.seed * 1_000_003 + clip.index)
    accent, variant = config.voices()[clip.voice]
    speed = round(uniform(generator, *config.speed))
    pitch = round(uniform(generator, *config.pitch))
    samples, rate = decode_wav(synthesise(config.words[clip.word], f"{accent}+{variant}", speed, pitch),
                               f"{PROGRAM} output for {config.words[clip.word]!r} in {accent}+{variant}")
    rate_out = config.mfcc.sample_rate
    word = trim_silence(resample(samples, rate, rate_out), rate_out)  # (N,)
    before, after = (round(uniform(generator, 0, config.padding) * rate_out) for _ in range(2))
    padded = torch.nn.functional.pad(word, (before, after))  # (N + before + after,)
    noise_power = word.pow(2).mean() / 10 ** (uniform(generator, *config.snr_db) / 10)
    noise = torch.randn(padded.shape, generator=generator) * noise_power.sqrt()
    return mfcc(padded + noise, config.mfcc)


def generate(config: SpokenDigitsConfig, workers: int = 4) -> dict[str, Tensor]:
    """Every clip of `config`, as tensors: frames (ΣT, D) float32, lengths (N,), labels (N,), voices (N,),
    splits (N,) (0 train, 1 validation, 2 test). espeak-ng runs in `workers` threads of subprocesses."""
    espeak_version()  # one clear line when it is missing
    clips = plan(config)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        features = list(pool.map(lambda clip: make_clip(config, clip), clips))
    return {
        "frames": torch.cat(features),
        "lengths": torch.tensor([len(f) for f in features]),
        "labels": torch.tensor([c.word for c in clips]),
        "voices": torch.tensor([c.voice for c in clips]),
        "splits": torch.tensor([SPLITS.index(c.split) for c in clips]),
    }


def cache_file(config: SpokenDigitsConfig, version: str) -> Path:
    return cache_dir(PROGRAM, version) / f"spoken_digits-{config.key()}.pt"


def cached_file(config: SpokenDigitsConfig) -> Path | None:
    """The cache file for this config and the installed espeak-ng; without espeak-ng, any version's."""
    try:
        path = cache_file(config, espeak_version())
        return path if path.exists() else None
    except DataUnavailable:
        found = sorted((cache_root() / PROGRAM).glob(f"*/spoken_digits-{config.key()}.pt"))
        return found[-1] if found else None


def load_all(config: SpokenDigitsConfig | None = None) -> dict[str, Tensor]:
    """The tensors of `generate(config)`, from the cache, generating (and caching) them on first use."""
    return _load_all(config or SpokenDigitsConfig(), cache_root())


@functools.lru_cache(maxsize=4)  # once per process, config and cache folder
def _load_all(config: SpokenDigitsConfig, root: Path) -> dict[str, Tensor]:
    del root  # part of the key only: tests point the cache elsewhere
    found = cached_file(config)
    if found is not None:
        return load_tensors(found)
    tensors = generate(config)
    save_tensors(cache_file(config, espeak_version()), tensors)
    return tensors


def load_spoken_digits(split: Split, config: SpokenDigitsConfig | None = None) -> LabelledSequences:
    """One split as raw (unstandardised) MFCC sequences (T_i, n_mfcc) and word labels."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    tensors = load_all(config)
    sequences = tensors["frames"].split(tensors["lengths"].tolist())
    rows = torch.nonzero(tensors["splits"] == SPLITS.index(split)).squeeze(1).tolist()
    return LabelledSequences([sequences[r] for r in rows], tensors["labels"][rows])


INFO = DatasetInfo(
    "spoken-digits", "speech", "Debian espeak-ng (synthesised here, deterministic)", "3,150 clips, 13 MFCCs per 10 ms",
    "generated audio: ours (espeak-ng is GPL-3)",
    "zero..nine in 105 voices (7 English accents x 15 speaker variants); test and validation voices held out",
    fetch=load_all, is_cached=lambda: cached_file(SpokenDigitsConfig()) is not None,
)
