"""Word and BPE tokenizers: hand-worked splits, merges and round trips."""

import pytest

from rnnlab.data.bpe import (
    BPETokenizer,
    WordTokenizer,
    build_tokenizer,
    normalise,
    split_words,
    tokenizer_from_tokens,
)
from rnnlab.data.vocab import SPECIALS


def test_words_keep_umlauts_and_clitics_and_split_off_marks():
    """Reference, by hand: lower-cased words of any script, ’ read as ', marks one by one."""
    assert split_words("Ich hab’s – Änderungen über die Straße!") == [
        "ich", "hab's", "–", "änderungen", "über", "die", "straße", "!"]
    assert split_words("I don't know, 3.5 km.") == ["i", "don't", "know", ",", "3", ".", "5", "km", "."]
    assert normalise("  Sie deckte   den Tisch.") == "sie deckte den tisch ."


def test_word_tokenizer_keeps_frequent_words_and_maps_the_rest_to_unk():
    """Reference: counts by hand: 'the' x3, 'cat' x2, the others once; min_count 2 keeps two words."""
    tokenizer = WordTokenizer.build(["The cat", "the cat sat", "the dog"], max_size=10, min_count=2)
    assert tokenizer.tokens == (*SPECIALS, "the", "cat")
    assert tokenizer.encode("The cat barked.") == [4, 5, 1, 1]
    assert tokenizer.decode([2, 4, 5, 3, 0, 99]) == "the cat"  # specials and unknown ids are skipped
    assert WordTokenizer.build(["a b c d e"], max_size=6).tokens == (*SPECIALS, "a", "b")


def test_bpe_merges_the_most_frequent_pair_first():
    """Reference, by hand: words ab x3 and abc x1 start as ▁a b / ▁a b c; the pair (▁a, b) occurs 4 times and
    is merged; (▁ab, c) occurs once, below min_count 2, so learning stops. The alphabet keeps the characters seen
    twice (b, ▁a; c is seen once), in code-point order."""
    tokenizer = BPETokenizer.learn(["ab ab ab abc"], max_size=100, min_count=2)
    assert tokenizer.tokens == (*SPECIALS, "b", "▁a", "▁ab")
    assert tokenizer.encode("ab abc") == [6, 6, 1]  # c was never learned: <unk>
    assert tokenizer.decode([6, 6]) == "ab ab"


def test_bpe_spells_unseen_words_from_pieces_and_round_trips():
    """Reference: Sennrich et al. (2016)'s point: an unseen word built from known pieces has no <unk>; decoding
    the pieces gives back the normalised text."""
    texts = ["lower lowest, newer newest! wider widest low new wide"] * 3
    tokenizer = BPETokenizer.learn(texts, max_size=40, min_count=2)
    ids = tokenizer.encode("Wides, lowest!")  # "wides" was never seen
    assert 1 not in ids and len(tokenizer.encode("wides")) > 1
    assert tokenizer.decode(ids) == "wides , lowest !"
    assert len(tokenizer.tokens) <= 40


@pytest.mark.parametrize("kind", ["word", "bpe"])
def test_a_tokenizer_is_its_token_list(kind):
    """Reference: the tokenizer rebuilt from `tokens` (what a checkpoint carries) encodes and decodes alike."""
    texts = ["Ich habe heute keine Zeit.", "Heute habe ich Zeit!", "Keine Zeit, heute nicht."]
    tokenizer = build_tokenizer(kind, texts, 30, 1)
    again = tokenizer_from_tokens(kind, tokenizer.tokens)
    for text in (*texts, "Zeit habe ich keine."):
        assert again.encode(text) == tokenizer.encode(text)
        assert again.decode(again.encode(text)) == tokenizer.decode(tokenizer.encode(text))


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown tokenizer"):
        build_tokenizer("char", ["a"], 10, 1)  # type: ignore[arg-type]
