"""Sampling chorales and writing them: notes from a roll, lines, the MIDI and MusicXML round trip."""

import pytest
import torch
from torch import nn

from rnnlab.data.datasets.chorales import LOWEST, REST
from rnnlab.data.tasks.chorales import END, MELODY_VOCAB, PITCHES, ChoraleMelodyTask, ChoraleRollTask, note_token
from rnnlab.data.tasks.copy_memory import CopyMemoryTask
from rnnlab.decode.sampling import SamplingConfig
from rnnlab.generate.music import (
    Composition,
    compose,
    melody_notes,
    read_notes,
    roll_notes,
    sample_melody,
    voices,
    write_piece,
)

m21 = pytest.importorskip("music21")  # the optional extra rnnlab[music]


class Fixed(nn.Module):
    """Always the same logits, whatever the input; counts its calls and remembers the first input."""

    def __init__(self, logits: torch.Tensor) -> None:
        super().__init__()
        self.logits = nn.Parameter(logits)
        self.inputs: list[torch.Tensor] = []

    def forward(self, inputs, state=None, lengths=None):
        self.inputs.append(inputs)
        return self.logits.expand(*inputs.shape[:2], -1), state


def test_roll_notes_are_runs_of_frames():
    """Reference, by hand at 16ths (¼ quarter per frame): pitch 36 on in frames 0-1 and 3 -> two notes
    (0, 0.5) and (0.75, 1); pitch 37 on in frames 1-3 -> one note (0.25, 1)."""
    roll = torch.zeros(4, 2, dtype=torch.bool)
    roll[[0, 1, 3], 0] = True
    roll[1:, 1] = True
    assert roll_notes(roll, 0.25, lowest=36) == [(0.0, 0.5, 36), (0.25, 1.0, 37), (0.75, 1.0, 36)]


def test_melody_notes_skip_rests():
    assert melody_notes([(72, 4), (REST, 2), (74, 2)]) == [(0.0, 1.0, 72), (1.5, 2.0, 74)]


def test_voices_never_overlap_and_keep_every_note():
    """Reference: a C major triad held, a passing E over the held C: four notes, three lines, the top first."""
    notes = [(0.0, 2.0, 48), (0.0, 1.0, 64), (0.0, 1.0, 67), (1.0, 2.0, 65)]
    lines = voices(notes)
    assert lines == [[(0.0, 1.0, 67), (1.0, 2.0, 65)], [(0.0, 1.0, 64)], [(0.0, 2.0, 48)]]
    assert sorted(n for line in lines for n in line) == sorted(notes)


def test_midi_and_musicxml_round_trip(tmp_path):
    """Reference: the notes written, read back by music21 (ties across bar lines merged): the same
    (onset, end, pitch) from both files, and as many MusicXML measures as bars, a rest filling the end."""
    notes = [(0.0, 1.0, 60), (0.0, 2.0, 48), (1.0, 1.5, 62), (1.5, 5.0, 64), (1.0, 2.0, 55), (4.0, 6.0, 43)]
    piece = Composition(sorted(notes, key=lambda n: (n[0], n[2])), 12.0, (3, 4), None)
    musicxml = write_piece(piece, tmp_path / "piece.mid")
    assert musicxml == tmp_path / "piece.musicxml"
    assert read_notes(tmp_path / "piece.mid") == piece.notes
    assert read_notes(musicxml) == piece.notes
    parts = m21.converter.parse(str(musicxml)).parts
    assert all(len(part.getElementsByClass("Measure")) == 4 for part in parts)
    assert piece.bars == 4 and piece.pitch_range == (43, 64)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["piece.mid", "piece.musicxml"]  # no temporary left


def test_a_roll_model_fills_exactly_the_bars_within_the_range():
    """Reference: logits +20 on one pitch, -20 elsewhere: at τ = 1 that pitch sounds in every frame (σ(20)
    rounds to 1 in float32), so the piece is one note lasting the 2 bars, 32 frames after the silent opening."""
    logits = torch.full((PITCHES,), -20.0)
    logits[24] = 20.0  # MIDI 60
    model = Fixed(logits)
    piece = compose(model, ChoraleRollTask(), bars=2, temperature=1.0, seed=3)
    assert piece.notes == [(0.0, 8.0, LOWEST + 24)] and piece.bars == 2
    assert model.inputs[0].shape == (1, 1, PITCHES) and len(model.inputs) == 32


def test_a_melody_model_never_ends_early_and_cuts_the_last_note():
    """Reference: logits favour END, then a dotted whole note (24 16ths): END is forbidden, so 3 bars of 4/4
    (48 16ths) hold two dotted wholes; at 40 16ths the second is cut to 16."""
    logits = torch.full((MELODY_VOCAB,), -30.0)
    logits[END] = 30.0
    logits[note_token(67, 24)] = 10.0
    events = sample_melody(Fixed(logits), 40, SamplingConfig(1.0), torch.Generator().manual_seed(0),
                           torch.tensor([END]))
    assert events == [(67, 24), (67, 16)]
    assert compose(Fixed(logits), ChoraleMelodyTask(), bars=3).notes == [(0.0, 6.0, 67), (6.0, 12.0, 67)]


def test_compose_refuses_other_tasks():
    with pytest.raises(ValueError, match="not a chorale model"):
        compose(Fixed(torch.zeros(3)), CopyMemoryTask(), bars=2)
