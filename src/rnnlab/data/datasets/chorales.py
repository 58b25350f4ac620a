"""The 371 Bach chorales of music21's corpus as 16th-note piano rolls and soprano melodies.

Source: PyPI `music21==10.5.1` (the optional extra `pip install 'rnnlab[music]'`; BSD-3 package, the
music public domain), `music21.corpus.chorales.Iterator(numberingSystem="riemenschneider")`: the four-part
chorales in Riemenschneider's numbering, 1..371. Those 371 numbers name 350 distinct files (20 chorales
appear twice in Riemenschneider's collection, bwv36.4-2 three times); every number is kept.

Parsing all of them takes 20-70 s (music21 keeps its own parse cache), so it is done once and cached as tensors under
`cache_dir("music21", <installed music21 version>) / chorales-v1.pt`, written atomically.

Encoding, per chorale:
    roll    (T, P) bool   16th-note frames x the P = 46 pitches LOWEST..HIGHEST = 36..81 (C2..A5, the
                          range sung in the corpus): roll[t, p] = 1 while MIDI pitch 36 + p sounds in frame t.
                          Only the sung parts (named Soprano, Alto, Tenor or Bass; the instruments some
                          chorales add, such as trumpets, timpani or continuo, are left out). A held note and a repeated
                          one look alike: a piano roll has no onsets.
    melody  (N, 2) int64  the first soprano part as (MIDI pitch or REST = -1, duration in 16ths),
                          tied notes merged.
    key_sharps, mode, time_signature, pickup   the first key and time signature (a few chorales change
                          metre later) and the anacrusis in 16ths.
Onsets and ends are rounded to the 16th grid (a few notes are 32nds; a note keeps at least one frame
in the roll), and grace notes are dropped.

Split, fixed by file, so a chorale's duplicate never sits in another split: the 350 distinct files are
ordered by the SHA-256 of their corpus path; the first 35 are test, the next 35 validation, the other
280 train (35 / 37 / 299 numbered chorales). Different harmonisations of the same hymn tune are
different files and may sit in different splits, so a held-out melody may have a near-copy in training
(not measured).

    chorales = load_chorales("test")            # list[Chorale]; 35 of them
    chorales[0].roll                            # (T, 46) bool; column p is MIDI pitch LOWEST + p
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from torch import Tensor

from rnnlab.data.cache import cache_dir, load_tensors, save_tensors
from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.sources import DataUnavailable

Split = Literal["train", "validation", "test", "all"]

PACKAGE, VERSION = "music21", "10.5.1"  # the version this encoding was checked against
CACHE_FILE = "chorales-v1.pt"  # bump the suffix when the encoding changes
STEPS_PER_QUARTER = 4  # 16th-note frames
REST = -1  # melody pitch of a rest
# Found in the data (music21 10.5.1; the slow test checks them): fixed here so a model's input size is
# known without parsing the corpus.
LOWEST, HIGHEST = 36, 81  # MIDI pitches sung in any part: C2..A5
SOPRANO_LOWEST, SOPRANO_HIGHEST = 57, 81  # the melodies' range: A3..A5
HELD_OUT_FILES = 35  # test and validation each: 10 % of the 350 distinct files
MODES = ("", "major", "minor")
SUNG = re.compile(r"\b(soprano|alto|tenor|bass)\b", re.IGNORECASE)
INSTALL = f"pip install 'rnnlab[music]' (or {PACKAGE}=={VERSION})"


@dataclass(frozen=True)
class Chorale:
    number: int  # Riemenschneider's number, 1..371
    name: str  # music21 corpus path, e.g. "bach/bwv269"
    roll: Tensor  # (T, P) bool, 16th-note frames x pitches low..high
    melody: Tensor  # (N, 2) int64: MIDI pitch (REST = -1), duration in 16ths
    key_sharps: int  # sharps (+) or flats (-) of the first key signature
    mode: str  # "major", "minor" or "" when the file does not say
    time_signature: tuple[int, int]  # the first one, e.g. (4, 4)
    pickup: int  # 16ths before the first full bar (0: none)


# ---- encoding one score (pure functions of a music21 stream, tested on hand-made scores) ----

def sung_parts(score: Any) -> list[Any]:
    """The score's vocal parts, highest first: those named Soprano, Alto, Tenor or Bass ("Bass Continuo"
    counts), or all four parts of a score whose parts have no such names (3 Humdrum files: spine_N)."""
    parts = [part for part in score.parts if SUNG.search(str(part.partName or part.id or ""))]
    if not parts and len(score.parts) == 4:
        parts = list(score.parts)
    if not parts:
        names = ", ".join(str(part.partName or part.id) for part in score.parts)
        raise ValueError(f"no part named Soprano, Alto, Tenor or Bass among: {names}")
    return parts


def _grid(quarter_length: Any) -> int:
    return round(float(quarter_length) * STEPS_PER_QUARTER)


def score_notes(parts: list[Any]) -> Tensor:
    """(K, 3) int64 rows (onset, end, MIDI pitch), in 16ths from the score's start, every note of `parts`."""
    rows: list[tuple[int, int, int]] = []
    for part in parts:
        for element in part.flatten().notes:  # notes and chords; offsets relative to the part's start
            if element.duration.isGrace or element.quarterLength == 0:
                continue
            onset = _grid(element.offset)
            end = max(_grid(element.offset + element.quarterLength), onset + 1)
            rows.extend((onset, end, pitch.midi) for pitch in element.pitches)
    return torch.tensor(rows, dtype=torch.int64).reshape(-1, 3)


def piano_roll(notes: Tensor, low: int, high: int, frames: int) -> Tensor:
    """(frames, high - low + 1) bool: frame t, column p on while a note of pitch low + p sounds."""
    roll = torch.zeros(frames, high - low + 1, dtype=torch.bool)
    for onset, end, pitch in notes.tolist():
        if not low <= pitch <= high:
            raise ValueError(f"pitch {pitch} lies outside the roll's range {low}..{high}")
        roll[onset:end, pitch - low] = True
    return roll


def melody_events(part: Any) -> Tensor:
    """(N, 2) int64 (pitch or REST, duration in 16ths) of one part, ties merged, onsets on the 16th grid."""
    onsets: list[int] = []
    pitches: list[int] = []
    end = 0
    for element in part.stripTies().flatten().notesAndRests:
        if element.duration.isGrace or element.quarterLength == 0:
            continue
        onset = _grid(element.offset)
        if onsets and onset <= onsets[-1]:  # rounded onto the previous event (a 32nd): keep that one
            end = max(end, _grid(element.offset + element.quarterLength))
            continue
        onsets.append(onset)
        pitches.append(REST if element.isRest else max(p.midi for p in element.pitches))
        end = max(end, _grid(element.offset + element.quarterLength))
    durations = [b - a for a, b in zip(onsets, [*onsets[1:], end])]
    return torch.tensor(list(zip(pitches, durations)), dtype=torch.int64).reshape(-1, 2)


def score_meta(part: Any) -> tuple[int, str, tuple[int, int], int]:
    """(key sharps, mode, time signature, pickup in 16ths) from a part's first key and time signature."""
    flat = part.flatten()
    keys = flat.getElementsByClass("KeySignature")
    sharps = int(keys[0].sharps) if keys else 0
    mode = str(getattr(keys[0], "mode", "") or "") if keys else ""
    meters = flat.getElementsByClass("TimeSignature")
    meter = (int(meters[0].numerator), int(meters[0].denominator)) if meters else (4, 4)
    bar = meter[0] * 4 * STEPS_PER_QUARTER // meter[1]
    measures = part.getElementsByClass("Measure")
    first = _grid(measures[0].quarterLength) if measures else bar
    return sharps, mode if mode in MODES else "", meter, first if 0 < first < bar else 0


# ---- the corpus: parse once, cache, split ----

def installed_version() -> str | None:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None


def cache_path() -> Path:
    """Keyed by the installed music21 (its corpus may change between releases), else the pinned one."""
    return cache_dir(PACKAGE, installed_version() or VERSION) / CACHE_FILE


def corpus_names() -> list[str]:
    """The corpus paths of chorales 1..371 in Riemenschneider's order (no parsing)."""
    try:
        from music21 import corpus
    except ImportError:
        raise DataUnavailable(f"the Bach chorales need music21: {INSTALL}") from None
    iterator = corpus.chorales.Iterator(numberingSystem="riemenschneider", returnType="filename")
    return [str(name) for name in iterator]


def parse_corpus() -> dict[str, Tensor]:
    """Parse every chorale (about a minute) into the tensors `save_tensors` writes."""
    names = corpus_names()  # first: says what to install when music21 is missing
    from music21 import corpus

    parsed: dict[str, tuple[Tensor, int, Tensor, tuple[int, str, tuple[int, int], int]]] = {}
    for name in dict.fromkeys(names):  # each distinct file once
        score = corpus.parse(name)
        parts = sung_parts(score)
        frames = max(_grid(score.highestTime), 1)
        parsed[name] = (score_notes(parts), frames, melody_events(parts[0]), score_meta(parts[0]))
    low = min(int(notes[:, 2].min()) for notes, *_ in parsed.values())
    high = max(int(notes[:, 2].max()) for notes, *_ in parsed.values())
    rolls = [piano_roll(parsed[n][0], LOWEST, HIGHEST, parsed[n][1]) for n in names]
    melodies = [parsed[n][2] for n in names]
    metas = [parsed[n][3] for n in names]
    return {
        "range": torch.tensor([low, high]),  # as found; the roll's columns are LOWEST..HIGHEST
        "roll": torch.cat(rolls),  # (sum T, P) bool
        "roll_offsets": _offsets([len(r) for r in rolls]),  # (371 + 1,) chorale i: roll[o[i]:o[i+1]]
        "melody": torch.cat(melodies),  # (sum N, 2)
        "melody_offsets": _offsets([len(m) for m in melodies]),
        "meta": torch.tensor([[s, MODES.index(m), ts[0], ts[1], p] for s, m, ts, p in metas]),  # (371, 5)
        "names": torch.tensor(list("\n".join(names).encode()), dtype=torch.uint8),  # tensors only in the cache
    }


def _offsets(lengths: list[int]) -> Tensor:
    return torch.tensor([0, *lengths]).cumsum(0)


@functools.cache
def _tensors() -> dict[str, Tensor]:
    path = cache_path()
    if path.exists():
        return load_tensors(path)
    tensors = parse_corpus()
    save_tensors(path, tensors)
    return tensors


def is_cached() -> bool:
    return cache_path().exists()


def pitch_range() -> tuple[int, int]:
    """(lowest, highest) MIDI pitch sung in the parsed corpus (the slow test: equal to LOWEST, HIGHEST)."""
    low, high = _tensors()["range"].tolist()
    return int(low), int(high)


def split_of(name: str) -> Literal["train", "validation", "test"]:
    """The split of a corpus file, by its rank among `names` ordered by SHA-256 (see the module doc)."""
    rank = _split_ranks()[name]
    return "test" if rank < HELD_OUT_FILES else "validation" if rank < 2 * HELD_OUT_FILES else "train"


def split_order(names: list[str]) -> list[str]:
    """Distinct `names` ordered by the SHA-256 of their UTF-8 bytes: the split's shuffle, seedless and stable."""
    return sorted(set(names), key=lambda name: hashlib.sha256(name.encode()).hexdigest())


@functools.cache
def _split_ranks() -> dict[str, int]:
    return {name: rank for rank, name in enumerate(split_order(_all_names()))}


def _all_names() -> list[str]:
    return bytes(_tensors()["names"].tolist()).decode().split("\n")


@functools.cache
def _all_chorales() -> tuple[Chorale, ...]:
    t = _tensors()
    rolls, melodies = t["roll_offsets"].tolist(), t["melody_offsets"].tolist()
    chorales = []
    for i, name in enumerate(_all_names()):
        sharps, mode, numerator, denominator, pickup = t["meta"][i].tolist()
        chorales.append(Chorale(i + 1, name, t["roll"][rolls[i]:rolls[i + 1]],
                                t["melody"][melodies[i]:melodies[i + 1]], sharps, MODES[mode],
                                (numerator, denominator), pickup))
    return tuple(chorales)


def load_chorales(split: Split = "all") -> list[Chorale]:
    """The chorales of one split (or all 371), in Riemenschneider's order."""
    if split not in ("train", "validation", "test", "all"):
        raise ValueError(f"split must be train, validation, test or all, got {split!r}")
    return [c for c in _all_chorales() if split == "all" or split_of(c.name) == split]


INFO = DatasetInfo(
    "chorales", "music", f"PyPI {PACKAGE}=={VERSION} corpus (optional extra: {INSTALL})",
    "371 chorales (350 files), 80,670 16th-note frames, 18,868 soprano notes", "BSD-3 package; music public domain",
    "Bach chorales as 16th-note piano rolls and soprano melodies; split by file (280 / 35 / 35 files)",
    fetch=_all_chorales, is_cached=is_cached,
)
