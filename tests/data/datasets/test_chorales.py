"""The chorale encoding on hand-made music21 scores, the split, and (slow) the real corpus."""

import hashlib
import sys

import pytest
import torch

from rnnlab.data.datasets import chorales
from rnnlab.data.datasets.chorales import (
    HIGHEST,
    LOWEST,
    REST,
    SOPRANO_HIGHEST,
    SOPRANO_LOWEST,
    melody_events,
    piano_roll,
    score_meta,
    score_notes,
    split_order,
    sung_parts,
)
from rnnlab.data.sources import DataUnavailable

m21 = pytest.importorskip("music21")  # the optional extra rnnlab[music]


def part(name, *elements, meter="4/4", key_sharps=None):
    line = m21.stream.Part()
    line.partName = name
    line.append(m21.meter.TimeSignature(meter))
    if key_sharps is not None:
        line.append(m21.key.KeySignature(key_sharps))
    line.append(list(elements))
    return line


def note(pitch, quarters, tie=None):
    made = m21.note.Note(pitch, quarterLength=quarters)
    if tie:
        made.tie = m21.tie.Tie(tie)
    return made


def hand_made_score():
    """Soprano: C5 quarter, E5 eighth tied to E5 eighth, a quarter rest, G5 quarter.
    Bass: C3 half, G2 half. Trumpet: C6 whole (an instrument, left out of the roll)."""
    score = m21.stream.Score()
    score.insert(0, part("Soprano", note(72, 1), note(76, 0.5, "start"), note(76, 0.5, "stop"),
                         m21.note.Rest(quarterLength=1), note(79, 1), key_sharps=-2))
    score.insert(0, part("Trumpet 1", note(84, 4)))
    score.insert(0, part("Bass", note(48, 2), note(43, 2)))
    return score


def test_only_the_sung_parts_count():
    names = [p.partName for p in sung_parts(hand_made_score())]
    assert names == ["Soprano", "Bass"]
    humdrum = m21.stream.Score()  # 3 corpus files name their four parts spine_N
    for i in range(4):
        humdrum.insert(0, part(f"spine_{i}", note(60, 4)))
    assert len(sung_parts(humdrum)) == 4
    with pytest.raises(ValueError, match="no part named Soprano, Alto, Tenor or Bass among: Violin"):
        sung_parts(m21.stream.Score([part("Violin", note(60, 4))]))


def test_piano_roll_of_a_hand_made_score():
    """Reference: the score above worked by hand in 16ths: C5 frames 0-3, E5 4-7 (the tie is one sounding
    note), rest 8-11, G5 12-15; C3 0-7, G2 8-15."""
    parts = sung_parts(hand_made_score())
    notes = score_notes(parts)
    assert sorted(notes.tolist()) == sorted([[0, 4, 72], [4, 6, 76], [6, 8, 76], [12, 16, 79],
                                             [0, 8, 48], [8, 16, 43]])
    roll = piano_roll(notes, LOWEST, HIGHEST, 16)
    assert roll.shape == (16, 46) and roll.dtype == torch.bool
    expected = torch.zeros(16, 46, dtype=torch.bool)
    for start, stop, pitch in [(0, 4, 72), (4, 8, 76), (12, 16, 79), (0, 8, 48), (8, 16, 43)]:
        expected[start:stop, pitch - LOWEST] = True
    assert torch.equal(roll, expected)
    with pytest.raises(ValueError, match=r"pitch 84 lies outside the roll's range 36\.\.81"):
        piano_roll(torch.tensor([[0, 4, 84]]), LOWEST, HIGHEST, 4)


def test_melody_merges_ties_and_keeps_rests():
    """Reference: the soprano above as (pitch, 16ths): C5 4, E5 4 (two tied eighths), rest 4, G5 4."""
    soprano = sung_parts(hand_made_score())[0]
    assert melody_events(soprano).tolist() == [[72, 4], [76, 4], [REST, 4], [79, 4]]


def test_a_32nd_note_keeps_the_grid():
    """Reference: two 32nds then a dotted eighth and a half: onsets 0, 0.5 (rounds onto 0), 1, 4 in 16ths.
    The second 32nd merges into the first event, so durations still sum to the bar."""
    line = part("Soprano", note(72, 0.125), note(74, 0.125), note(76, 0.75), note(77, 3))
    assert melody_events(line).tolist() == [[72, 1], [76, 3], [77, 12]]
    roll_notes = score_notes([line]).tolist()
    assert [0, 1, 72] in roll_notes and [0, 1, 74] in roll_notes  # each keeps one frame


def test_meta_reads_key_metre_and_pickup():
    """Reference: a 3/4 part with one flat whose first bar holds one beat: pickup 4 sixteenths."""
    pickup = m21.stream.Measure([m21.meter.TimeSignature("3/4"), m21.key.KeySignature(-1), note(65, 1)], number=0)
    pickup.paddingLeft = 2.0  # as the corpus's files mark an anacrusis
    line = m21.stream.Part([pickup, m21.stream.Measure([note(67, 3)], number=1)])
    assert score_meta(line) == (-1, "", (3, 4), 4)
    assert score_meta(part("Soprano", note(60, 4)).makeMeasures()) == (0, "", (4, 4), 0)


def test_split_order_is_a_stable_hash_order():
    """Reference: hashlib.sha256 of each name, sorted; the order does not depend on the input order, and
    duplicates count once (Riemenschneider lists 20 chorales twice)."""
    names = ["bach/bwv269", "bach/bwv347", "bach/bwv153.1", "bach/bwv86.6", "bach/bwv347"]
    order = split_order(names)
    assert order == sorted(set(names), key=lambda n: hashlib.sha256(n.encode()).hexdigest())
    assert order == split_order(list(reversed(names))) and len(order) == 4


def test_split_is_disjoint_and_fixed(monkeypatch):
    """Reference: the module docstring's rule on 350 made-up names: ranks 0-34 test, 35-69 validation, rest
    train; a duplicated name follows its file."""
    names = [f"bach/bwv{i}" for i in range(350)]
    monkeypatch.setattr(chorales, "_all_names", lambda: [*names, names[7]])
    chorales._split_ranks.cache_clear()
    try:
        splits = {n: chorales.split_of(n) for n in names}
        ranked = split_order(names)
        assert [splits[n] for n in ranked[:35]] == ["test"] * 35
        assert [splits[n] for n in ranked[35:70]] == ["validation"] * 35
        assert all(splits[n] == "train" for n in ranked[70:])
    finally:
        chorales._split_ranks.cache_clear()


def test_without_music21_or_a_cache_one_line_says_what_to_install(monkeypatch, tmp_path):
    """Reference: INSTALL in the module; an empty cache folder and `import music21` failing."""
    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))
    monkeypatch.setitem(sys.modules, "music21", None)  # makes `import music21` raise ImportError
    chorales._tensors.cache_clear()
    try:
        assert not chorales.is_cached()
        with pytest.raises(DataUnavailable, match=r"the Bach chorales need music21: pip install 'rnnlab\[music\]'"):
            chorales._tensors()
    finally:
        chorales._tensors.cache_clear()


@pytest.mark.slow
def test_the_real_corpus():
    """Reference: music21 10.5.1's corpus, parsed here from its files (20-70 s) and compared with what
    load_chorales reads (from the cache when there is one): 371 chorales, 350 files, 80,670 16th-note
    frames; sung range 36..81, soprano 57..81."""
    parsed = chorales.parse_corpus()
    assert parsed["range"].tolist() == [LOWEST, HIGHEST] and len(parsed["roll_offsets"]) == 372
    everything = chorales.load_chorales()
    assert torch.equal(torch.cat([c.roll for c in everything]), parsed["roll"])
    assert torch.equal(torch.cat([c.melody for c in everything]), parsed["melody"])
    assert len(everything) == 371 and len({c.name for c in everything}) == 350
    assert [c.number for c in everything] == list(range(1, 372))
    assert chorales.pitch_range() == (LOWEST, HIGHEST)
    assert sum(len(c.roll) for c in everything) == 80_670
    sung = torch.cat([c.melody for c in everything])
    pitches = sung[sung[:, 0] != REST, 0]
    assert (int(pitches.min()), int(pitches.max())) == (SOPRANO_LOWEST, SOPRANO_HIGHEST)
    assert all(int(c.melody[:, 1].sum()) == len(c.roll) for c in everything)  # melody and roll agree in length
    splits = [chorales.load_chorales(s) for s in ("train", "validation", "test")]
    assert [len(s) for s in splits] == [299, 37, 35]
    files = [{c.name for c in s} for s in splits]
    assert [len(f) for f in files] == [280, 35, 35] and not (files[0] & files[1] or files[0] & files[2]
                                                             or files[1] & files[2])
    first = everything[0]  # bwv269: G major, 3/4, a one-beat pickup, opening G4 G4 D5
    assert (first.name, first.key_sharps, first.mode, first.time_signature, first.pickup) == (
        "bach/bwv269", 1, "major", (3, 4), 4)
    assert first.melody[:3].tolist() == [[67, 4], [67, 8], [74, 4]]
