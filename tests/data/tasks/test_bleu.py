"""Detokenising decoder outputs and scoring them with sacreBLEU (data/tasks/bleu.py)."""

import pytest
import sacrebleu
from sacrebleu.metrics import CHRF

from rnnlab.data.bpe import normalise
from rnnlab.data.tasks.bleu import detokenize, signatures, translation_scores


@pytest.mark.parametrize(("raw", "expected"), [
    # Reference: the sentences as a writer would type them, lower-cased (the rules of the module docstring).
    ("A petition with 100,000 signatures will carry more clout than one with 30,000.",
     "a petition with 100,000 signatures will carry more clout than one with 30,000."),
    ('He said "no" (twice): well-known, isn\'t it?', 'he said "no" (twice): well-known, isn\'t it?'),
    ("It costs 3.5 euros at 10:30 (or 20%).", "it costs 3.5 euros at 10:30 (or 20%)."),
    ("bei/mit Freunden!", "bei/mit freunden!"),
])
def test_detokenize_inverts_the_decoder_tokenisation(raw, expected):
    assert detokenize(normalise(raw)) == expected


def test_scores_are_sacrebleus_on_detokenised_text_against_raw_references():
    """Reference: sacreBLEU's own corpus_bleu / corpus_chrf with lowercase=True, on the detokenised hypothesis."""
    hypotheses = ["the cat sat on the mat .", "a petition with 100 , 000 signatures ."]
    references = ["The cat is on the mat.", "A petition with 100,000 signatures."]
    detokenised = ["the cat sat on the mat.", "a petition with 100,000 signatures."]
    expected = {"bleu": sacrebleu.corpus_bleu(detokenised, [references], lowercase=True).score,
                "chrf": CHRF(lowercase=True).corpus_score(detokenised, [references]).score}
    assert translation_scores(hypotheses, references) == pytest.approx(expected)
    assert translation_scores(["", ""], ["a b", "c"])["bleu"] == 0.0


def test_signatures_name_13a_lower_case_and_the_version():
    """Reference: sacreBLEU's signature format (BLEU.get_signature after scoring one reference per sentence)."""
    found = signatures()
    assert found["bleu"] == f"nrefs:1|case:lc|eff:no|tok:13a|smooth:exp|version:{sacrebleu.__version__}"
    assert found["chrf"].startswith("nrefs:1|case:lc|eff:yes|nc:6|nw:0|space:no")
