"""German-English example sentences from Ding, the TU Chemnitz dictionary (Debian package `trans-de-en`).

Source: `/usr/share/trans/de-en` from the Debian package `trans-de-en` (1.9-6 on bookworm; the file's
header says "Version :: devel 2023-01-30"), GPL-2+, by Frank Richter. Install it with
`sudo apt-get install -y trans-de-en` (`make test` does it). Each line is an entry:

    Sie deckte den Tisch. | Tisch decken {vt} :: She set the table. | to set the table
    de side                                        en side

Sub-entries are separated by ` | ` on both sides and pair up in order; synonyms within a sub-entry by
`; ` (we take the first). Annotations are stripped: `{f}` (grammar), `[Am.]` (region, register,
field) and `(...)` (explanations). Of the 391,703 phrase pairs that leaves, a sentence pair is one whose
German side starts with a capital letter, ends with `.`, `?` or `!` and has at least 4 words:
19,257 such pairs (../shared/DATASETS.md counted 19,254), 19,247 after dropping exact duplicates, mean
7.8 German words. (The file
is a dictionary: many sentences illustrate the same headword, so the test set shares vocabulary with
training more than news text would.)

Split, fixed: one shuffle of the de-duplicated pairs with `SPLIT_SEED` (never the run seed), then
1,000 test, 1,000 validation and the rest (17,247) for training. Parsing the 25 MB file takes 2-5 s, so
the sentence pairs are cached as JSON in `cache_dir("trans-de-en", <the file's version line>)`.

    pairs = load_pairs("train")          # list[tuple[str, str]]: (German, English)
    words = load_phrases()               # the dictionary's other phrase pairs, for training only

Phrase pairs (`load_phrases`): every other pair of the dictionary ("Tisch decken" / "to set the table",
"Haus" / "house"), which a translation model may add to its training sentences (`--set phrases=N`). None
comes from a line that holds a validation or test sentence (that line's headwords would hint at it), none
repeats a held-out German or English side, and duplicates are dropped; in one fixed shuffle (`SPLIT_SEED`),
so the first N are the same N every run. They are cached beside the sentences.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import torch

from rnnlab.data.cache import cache_dir
from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.sources import debian_file
from rnnlab.files import write_atomic

Split = Literal["train", "validation", "test"]
Pair = tuple[str, str]

PATH, PACKAGE = "/usr/share/trans/de-en", "trans-de-en"
SPLIT_SEED = 1995  # fixed forever (Ding's first year): changing it changes the test set
HELD_OUT = 1_000  # sentence pairs each for validation and test
CACHE_FILE = "sentence-pairs-v1.json"  # bump the suffix when the parsing rules change
PHRASES_FILE = "phrase-pairs-v1.json"
ANNOTATION = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)")


def clean(phrase: str) -> str:
    """The first synonym, annotations removed, spaces collapsed."""
    first = phrase.split("; ")[0]
    return " ".join(ANNOTATION.sub(" ", first).split())


def parse_line(line: str) -> list[Pair]:
    """Every (German, English) phrase pair of one dictionary line; [] for comments and malformed lines."""
    if line.startswith("#") or " :: " not in line:
        return []
    german, english = line.rstrip("\n").split(" :: ", 1)
    de_parts, en_parts = german.split(" | "), english.split(" | ")
    if len(de_parts) != len(en_parts):
        return []
    pairs = [(clean(de), clean(en)) for de, en in zip(de_parts, en_parts)]
    return [(de, en) for de, en in pairs if de and en]


def is_sentence(german: str) -> bool:
    """Capitalised, ending in . ? or !, at least 4 words."""
    return german[:1].isupper() and german[-1:] in ".?!" and len(german.split()) >= 4


def sentence_pairs(lines: list[str]) -> list[Pair]:
    """The sentence pairs of dictionary lines, first occurrence of each kept, in file order."""
    pairs = (pair for line in lines for pair in parse_line(line) if is_sentence(pair[0]))
    return list(dict.fromkeys(pairs))


def split_pairs(pairs: list[Pair], held_out: int = HELD_OUT) -> dict[Split, list[Pair]]:
    """One fixed shuffle, then `held_out` test pairs, `held_out` validation pairs, the rest train."""
    order = torch.randperm(len(pairs), generator=torch.Generator().manual_seed(SPLIT_SEED)).tolist()
    shuffled = [pairs[i] for i in order]
    return {"test": shuffled[:held_out], "validation": shuffled[held_out:2 * held_out],
            "train": shuffled[2 * held_out:]}


def phrase_pairs(lines: list[str], held_out: set[Pair]) -> list[Pair]:
    """The pairs of `lines` that are not sentences, skipping every line that holds a `held_out` pair and any
    pair repeating a held-out side; first occurrence kept, then one fixed shuffle."""
    sides = {side for pair in held_out for side in pair}
    found: dict[Pair, None] = {}
    for line in lines:
        pairs = parse_line(line)
        if any(pair in held_out for pair in pairs):
            continue
        for de, en in pairs:
            if not is_sentence(de) and de not in sides and en not in sides:
                found[(de, en)] = None
    unique = list(found)
    order = torch.randperm(len(unique), generator=torch.Generator().manual_seed(SPLIT_SEED)).tolist()
    return [unique[i] for i in order]


def file_version(path: Path) -> str:
    """The dictionary's own version, from its first line (`# Version :: devel 2023-01-30` -> `devel-2023-01-30`)."""
    with path.open(encoding="utf-8") as stream:
        first = stream.readline()
    version = first.partition("::")[2].strip().replace(" ", "-")
    return version if first.startswith("# Version") and version else "unknown"


def _cached_pairs(name: str, parse: Callable[[list[str]], list[Pair]]) -> list[Pair]:
    """The pairs cached as `name` beside the dictionary's version, else `parse` of its lines, then cached."""
    path = debian_file(PATH, PACKAGE)
    cached = cache_dir(PACKAGE, file_version(path)) / name
    if cached.exists():
        return [(de, en) for de, en in json.loads(cached.read_text(encoding="utf-8"))]
    pairs = parse(path.read_text(encoding="utf-8").splitlines())
    write_atomic(cached, json.dumps(pairs, ensure_ascii=False).encode("utf-8"))
    return pairs


@functools.cache
def _splits() -> dict[Split, list[Pair]]:
    return split_pairs(_cached_pairs(CACHE_FILE, sentence_pairs))


@functools.cache
def _phrases() -> list[Pair]:
    splits = _splits()
    return _cached_pairs(PHRASES_FILE, lambda lines: phrase_pairs(lines, {*splits["validation"], *splits["test"]}))


def load_phrases(limit: int | None = None) -> list[Pair]:
    """The first `limit` (all: None) of the dictionary's phrase pairs, in their fixed order (module docstring)."""
    return _phrases()[:limit]


def is_cached() -> bool:
    return Path(PATH).exists() and (cache_dir(PACKAGE, file_version(Path(PATH))) / CACHE_FILE).exists()


def load_pairs(split: Split) -> list[Pair]:
    """The (German, English) sentence pairs of one split."""
    if split not in ("train", "validation", "test"):
        raise ValueError(f"split must be train, validation or test, got {split!r}")
    return _splits()[split]


INFO = DatasetInfo(
    "ding-de-en", "translation", f"Debian {PACKAGE} (file {PATH})", "19,247 German-English sentence pairs",
    "GPL-2+", "Ding dictionary example sentences; fixed split 17,247 / 1,000 / 1,000",
    fetch=_splits, is_cached=is_cached,
)
