"""Tokenisers and vocabularies: hand-worked examples."""

import pytest

from rnnlab.data.vocab import SPECIALS, Vocabulary, tokenize


def test_word_tokens_are_lower_case_words_and_single_marks():
    assert tokenize("A gorgeous, witty movie -- isn't it?", "word") == [
        "a", "gorgeous", ",", "witty", "movie", "-", "-", "isn't", "it", "?"]
    assert tokenize("Änderungen, I’ve straße", "word") == ["änderungen", ",", "i’ve", "straße"]
    assert tokenize("héllo", "byte") == ["h", "\xc3", "\xa9", "l", "l", "o"]
    assert tokenize("ab c", "char") == ["a", "b", " ", "c"]


def test_vocabulary_keeps_frequent_tokens_and_maps_the_rest_to_unk():
    vocab = Vocabulary.build(["the cat", "the dog", "the cat sat"], "word", min_count=2)
    assert vocab.tokens == (*SPECIALS, "the", "cat")
    assert vocab.encode("the cat barked") == [4, 5, vocab.unk]
    assert vocab.decode([4, 5, 0, 3]) == "the cat"
    assert vocab.encode("the bird") == [4, vocab.unk]
    assert len(Vocabulary.build(["a b c d"], "word", max_size=6)) == 6


def test_byte_vocabulary_is_closed_and_round_trips(tmp_path):
    vocab = Vocabulary.build([], "byte")
    assert len(vocab) == 260 and vocab.decode(vocab.encode("Grüße")) == "Grüße"
    vocab.save(tmp_path / "v.json")
    assert Vocabulary.load(tmp_path / "v.json") == vocab
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="not a saved vocabulary"):
        Vocabulary.load(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="no text"):
        Vocabulary.build(["  "], "word")
