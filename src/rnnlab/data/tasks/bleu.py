"""Scoring decoded text against references: detokenising, then sacreBLEU's BLEU and chrF with their signature.

Decoders emit lower-cased words and marks joined by spaces (`bpe.split_words`): "a petition with 100 ,
000 signatures ." `detokenize` joins them back into running text, "a petition with 100,000 signatures.",
and sacreBLEU scores that against the untouched reference with its own standard tokenisation (13a), case
ignored (our vocabularies are lower-cased): the figures follow sacreBLEU's conventions (Post 2018), and
every report carries the signature that says so, e.g.

    BLEU  nrefs:1|case:lc|eff:no|tok:13a|smooth:exp|version:2.6.0
    chrF  nrefs:1|case:lc|eff:yes|nc:6|nw:0|space:no|version:2.6.0

They are still not WMT figures: other data, other sentences.

Detokenising rules (after Moses' detokenizer, for English and German text):
    no space before  . , ! ? ; : % ) ] } and closing quotes      "yes ." -> "yes."
    no space after   ( [ { ¿ ¡ and opening quotes                 "( so )" -> "(so)"
    joined both ways a hyphen or slash between two words (a dash between spaces cannot be told from it once
                     tokenised, and in-word hyphens are the commoner), a comma, full stop or colon between digits:
                     "well - known" -> "well-known", "100 , 000" -> "100,000", "3 . 5" -> "3.5"
    straight quotes  alternate: the first opens, the next closes
"""

from __future__ import annotations

from collections.abc import Sequence

from sacrebleu.metrics import BLEU, CHRF

NO_SPACE_BEFORE = set(".,!?;:%)]}»“”")
NO_SPACE_AFTER = set("([{¿¡«„")
JOINERS = set("-/")
DIGIT_JOINERS = set(",.:")


def detokenize(text: str) -> str:
    """Space-separated words and marks -> running text (see the module docstring)."""
    tokens = text.split()
    out = ""
    quote_open = False
    glue_next = False  # the previous token asked the next one to follow without a space
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        glue = glue_next or not out
        glue_next = False
        if token == '"':
            if quote_open:
                glue = True
            else:
                glue_next = True
            quote_open = not quote_open
        elif token in NO_SPACE_BEFORE and not (token in DIGIT_JOINERS and before.isdigit() and after.isdigit()):
            glue = True
        if token in NO_SPACE_AFTER:
            glue_next = True
        if (token in JOINERS and before[-1:].isalnum() and after[:1].isalnum()) or \
                (token in DIGIT_JOINERS and before.isdigit() and after.isdigit()):
            glue, glue_next = True, True
        out += token if glue else " " + token
    return out


def translation_scores(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Corpus BLEU (4-grams, brevity penalty; Papineni et al. 2002) and chrF (character 6-grams, β = 2;
    Popović 2015) of decoder outputs (space-separated tokens, detokenised here) against raw reference
    sentences, one reference each, by sacreBLEU, case ignored (`SIGNATURES`)."""
    detokenized = [detokenize(h) for h in hypotheses]
    refs = [list(references)]
    return {"bleu": BLEU(lowercase=True).corpus_score(detokenized, refs).score,
            "chrf": CHRF(lowercase=True).corpus_score(detokenized, refs).score}


def signatures() -> dict[str, str]:
    """sacreBLEU's signatures of the two metrics as `translation_scores` computes them (version included)."""
    bleu, chrf = BLEU(lowercase=True), CHRF(lowercase=True)
    bleu.corpus_score(["a"], [["a"]])  # a signature names the number of references, known once scored
    chrf.corpus_score(["a"], [["a"]])
    return {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())}
