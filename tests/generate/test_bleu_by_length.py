"""BLEU by source length: buckets by hand, and the plot file."""

import pytest

from rnnlab.data.tasks.bleu import translation_scores
from rnnlab.generate.bleu_by_length import LengthBucket, bleu_by_length, plot_bleu_by_length


def test_each_bucket_is_a_corpus_score_of_its_sentences():
    """Reference: translation_scores over each bucket's sentences, chosen by hand by word count (marks count:
    "das ist gut ." has 4); the empty bucket [9, 12) is left out."""
    sources = ["das ist gut .", "ja", "das haus ist sehr klein und alt ."]
    hypotheses = ["that is good .", "yes", "the house is very small and new ."]
    references = ["that is good .", "no", "the house is very small and old ."]
    buckets = bleu_by_length(sources, hypotheses, references, edges=(1, 6, 9, 12))
    short = translation_scores(hypotheses[:2], references[:2])
    long = translation_scores(hypotheses[2:], references[2:])
    assert buckets == [LengthBucket(1, 6, 2, pytest.approx(short["bleu"]), pytest.approx(short["chrf"])),
                       LengthBucket(6, 9, 1, pytest.approx(long["bleu"]), pytest.approx(long["chrf"]))]
    with pytest.raises(ValueError, match="2 sources, 1 hypotheses"):
        bleu_by_length(sources[:2], hypotheses[:1], references[:2])


def test_the_plot_is_written(tmp_path):
    curves = {"lstm": [LengthBucket(1, 6, 10, 20.0, 40.0), LengthBucket(6, 9, 5, 10.0, 30.0)],
              "lstm+attention": [LengthBucket(1, 6, 10, 22.0, 42.0)]}
    path = plot_bleu_by_length(curves, tmp_path / "plots" / "bleu.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
