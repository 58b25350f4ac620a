"""Ding's dictionary lines: parsing on fixture lines, the sentence rule, the fixed split (slow: the real file)."""

import pytest

from rnnlab.data.datasets.ding import (
    file_version,
    is_sentence,
    load_pairs,
    load_phrases,
    parse_line,
    phrase_pairs,
    sentence_pairs,
    split_pairs,
)

LINES = [
    "# Version :: devel 2023-01-30",
    "Abendessen {n} | Das Abendessen hat mir geschmeckt. :: supper; dinner | I enjoyed my supper.",
    "Tisch {m} [Am.] | Sie deckte (umg.) den Tisch. :: table | She set the table [Br.].",
    "Aal {m} | Aale {pl} :: eel",  # two German sub-entries, one English: malformed, skipped
    "kaputt machen; zerstören {vt} :: to break; to destroy",
    "Das Abendessen hat mir geschmeckt. :: I enjoyed my supper.",  # a duplicate of the first sentence
    "not a dictionary line",
]


def test_a_line_gives_its_sub_entries_first_synonyms_without_annotations():
    """Reference, by hand: sub-entries pair up across ` :: ` in order; `; ` synonyms keep the first; {..}, [..]
    and (..) annotations go, and the spaces they leave collapse."""
    assert parse_line(LINES[1]) == [("Abendessen", "supper"), ("Das Abendessen hat mir geschmeckt.",
                                                               "I enjoyed my supper.")]
    assert parse_line(LINES[2]) == [("Tisch", "table"), ("Sie deckte den Tisch.", "She set the table .")]
    assert parse_line(LINES[4]) == [("kaputt machen", "to break")]
    assert parse_line(LINES[0]) == parse_line(LINES[3]) == parse_line(LINES[6]) == []


def test_sentences_are_capitalised_punctuated_and_four_words_long():
    """Reference: the DATASETS.md rule: capital first letter, ending in . ? or !, at least 4 words."""
    assert is_sentence("Sie deckte den Tisch.") and is_sentence("Kommst du heute mit?")
    assert not is_sentence("sie deckte den Tisch.")  # lower case
    assert not is_sentence("Sie deckte den Tisch")  # no final mark
    assert not is_sentence("Sie deckte ihn.")  # three words
    assert sentence_pairs(LINES) == [("Das Abendessen hat mir geschmeckt.", "I enjoyed my supper."),
                                     ("Sie deckte den Tisch.", "She set the table .")]


def test_the_split_is_one_fixed_shuffle():
    """Reference: held_out test pairs, then held_out validation pairs, the rest train; the same on every call."""
    pairs = [(f"Satz {i} ist hier.", f"sentence {i}") for i in range(10)]
    split = split_pairs(pairs, held_out=2)
    assert [len(split[s]) for s in ("test", "validation", "train")] == [2, 2, 6]
    assert sorted(split["test"] + split["validation"] + split["train"]) == sorted(pairs)
    assert split_pairs(pairs, held_out=2) == split


def test_phrase_pairs_skip_sentences_held_out_lines_and_held_out_sides():
    """Reference, by hand: with the table sentence held out, its line's headword pair ("Tisch", "table") goes;
    the supper line keeps its headword (its sentence is not held out, and sentences are never phrases);
    ("kaputt machen", "to break") stays; a pair repeating a held-out side goes too, from any line."""
    held_out = {("Sie deckte den Tisch.", "She set the table .")}
    lines = [*LINES, "Tisch decken | den Tisch decken :: to lay the table | She set the table ."]
    assert sorted(phrase_pairs(lines, held_out)) == [("Abendessen", "supper"), ("Tisch decken", "to lay the table"),
                                                     ("kaputt machen", "to break")]
    assert phrase_pairs(lines, held_out) == phrase_pairs(lines, held_out)  # one fixed order
    assert sorted(phrase_pairs(LINES, set())) == [("Abendessen", "supper"), ("Tisch", "table"),
                                                  ("kaputt machen", "to break")]


def test_the_cache_is_keyed_by_the_files_own_version(tmp_path):
    """Reference: the first line of the real file, `# Version :: devel 2023-01-30`."""
    (tmp_path / "de-en").write_text(LINES[0] + "\n" + LINES[1] + "\n", encoding="utf-8")
    assert file_version(tmp_path / "de-en") == "devel-2023-01-30"
    (tmp_path / "other").write_text(LINES[1] + "\n", encoding="utf-8")
    assert file_version(tmp_path / "other") == "unknown"


@pytest.mark.slow
def test_the_real_dictionary_has_about_19k_sentence_pairs():
    """Reference: ../shared/DATASETS.md: 19,254 sentence pairs; we count 19,257, 19,247 without duplicates."""
    sizes = [len(load_pairs(s)) for s in ("train", "validation", "test")]
    assert sizes == [17_247, 1_000, 1_000]
    assert not set(load_pairs("test")) & set(load_pairs("train"))


@pytest.mark.slow
def test_the_real_dictionarys_phrases_share_nothing_with_the_held_out_sentences():
    """Reference: 391,703 phrase pairs in all (module docstring); the ones kept repeat no held-out side."""
    phrases = load_phrases()
    assert 300_000 < len(phrases) < 391_703
    assert load_phrases(10) == phrases[:10]
    held_sides = {side for split in ("validation", "test") for pair in load_pairs(split) for side in pair}
    assert not {side for pair in phrases for side in pair} & held_sides
