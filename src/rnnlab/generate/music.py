"""Chorales from a trained chorales-roll or chorales-melody model, written as MIDI and MusicXML.

    piece = compose(model, task, bars=8, temperature=1.0, seed=0)     # a Composition
    write_piece(piece, Path("chorale.mid"))                          # chorale.mid and chorale.musicxml

The state is carried step by step, as in rnnlab.generate.text: the opening (a silent frame, or the
END token, then `prime` steps of a held-out chorale) is read in one call, then each sampled step is
fed back alone:

    roll    x_{t+1, p} ~ Bernoulli(σ(z_p / τ)), each pitch on its own    (τ = 0: on when σ(z_p) > ½)
    melody  token ~ softmax(z / τ) with END forbidden (a piece ends when the bars are full; the last
            note is cut to fit)

A roll has no onsets, so a pitch held over several frames becomes one note: repeated notes of the
same pitch merge. Notes are dealt into lines that never overlap (`voices`: four-part harmony gives
four parts, highest first), each a music21 part in the chorale's metre (4/4 unless primed), with
rests up to the last bar line, so the score has exactly `bars` bars.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.data.datasets.chorales import INSTALL, LOWEST, REST, STEPS_PER_QUARTER, Chorale
from rnnlab.data.sources import DataUnavailable
from rnnlab.data.tasks.chorales import (
    END,
    ChoraleMelodyTask,
    ChoraleRollTask,
    melody_document,
    roll_document,
    token_note,
)
from rnnlab.decode.sampling import SamplingConfig, sample
from rnnlab.files import atomic_path

Note = tuple[float, float, int]  # (onset, end) in quarter notes, MIDI pitch


@dataclass(frozen=True)
class Composition:
    notes: list[Note]  # sorted by onset, then pitch
    quarters: float  # the piece's length, a whole number of bars
    time_signature: tuple[int, int]
    primed_with: str | None  # the held-out chorale whose opening primed the model

    @property
    def bars(self) -> int:
        numerator, denominator = self.time_signature
        return round(self.quarters / (numerator * 4 / denominator))

    @property
    def pitch_range(self) -> tuple[int, int] | None:
        """(lowest, highest) MIDI pitch sounded; None for a silent piece."""
        pitches = [pitch for _, _, pitch in self.notes]
        return (min(pitches), max(pitches)) if pitches else None


@torch.no_grad()
def sample_roll(model: nn.Module, frames: int, temperature: float, generator: torch.Generator,
                opening: Tensor) -> Tensor:
    """(frames, P) bool: `opening` (1 + N, P) (a silent frame, then N primed frames) continued frame by frame."""
    if temperature < 0:
        raise ValueError(f"temperature must be 0 (most likely) or positive, got {temperature}")
    device = next(model.parameters()).device
    made = [opening[1:frames + 1].bool()]  # (N, P)
    outputs, state = model(opening[None].float().to(device))  # (1, 1 + N, P)
    needed = frames - len(made[0])
    for step in range(needed):
        logits = outputs[0, -1].float().cpu()  # (P,)
        frame = (logits > 0 if temperature == 0
                 else torch.bernoulli(torch.sigmoid(logits / temperature), generator=generator).bool())  # (P,)
        made.append(frame[None])
        if step + 1 < needed:  # the last frame is not fed back: nothing follows it
            outputs, state = model(frame.float().view(1, 1, -1).to(device), state)  # (1, 1, P)
    return torch.cat(made)


@torch.no_grad()
def sample_melody(model: nn.Module, sixteenths: int, rule: SamplingConfig, generator: torch.Generator,
                  opening: Tensor) -> list[tuple[int, int]]:
    """(pitch or REST, duration in 16ths) notes filling exactly `sixteenths`: `opening` (END, then primed
    tokens) continued token by token, the last note cut to fit."""
    device = next(model.parameters()).device
    notes = [token_note(int(t)) for t in opening[1:]]
    outputs, state = model(opening[None].to(device))  # (1, 1 + N, V)
    while sum(d for _, d in notes) < sixteenths:
        logits = outputs[:, -1].float().cpu()  # (1, V)
        logits[:, END] = -torch.inf
        token = sample(logits, rule, generator)  # (1,)
        notes.append(token_note(int(token)))
        if sum(d for _, d in notes) < sixteenths:
            outputs, state = model(token.view(1, 1).to(device), state)  # (1, 1, V)
    return _fit(notes, sixteenths)


def _fit(notes: list[tuple[int, int]], sixteenths: int) -> list[tuple[int, int]]:
    kept, total = [], 0
    for pitch, duration in notes:
        if total >= sixteenths:
            break
        kept.append((pitch, min(duration, sixteenths - total)))
        total += kept[-1][1]
    return kept


def roll_notes(roll: Tensor, quarters_per_frame: float, lowest: int = LOWEST) -> list[Note]:
    """Every maximal run of on-frames of one pitch as a note: roll (T, P) bool -> sorted notes."""
    on = torch.cat([torch.zeros(1, roll.shape[1], dtype=torch.bool), roll.bool(),
                    torch.zeros(1, roll.shape[1], dtype=torch.bool)])  # (T + 2, P)
    changes = on[1:] ^ on[:-1]  # (T + 1, P): True where a run starts or ends
    notes = []
    for column in range(roll.shape[1]):
        edges = changes[:, column].nonzero().flatten().tolist()
        for start, stop in zip(edges[0::2], edges[1::2]):
            notes.append((start * quarters_per_frame, stop * quarters_per_frame, lowest + column))
    return sorted(notes, key=lambda n: (n[0], n[2]))


def melody_notes(events: list[tuple[int, int]]) -> list[Note]:
    """(pitch or REST, 16ths) events one after another -> the sounding notes."""
    notes, onset = [], 0
    for pitch, duration in events:
        if pitch != REST:
            notes.append((onset / STEPS_PER_QUARTER, (onset + duration) / STEPS_PER_QUARTER, pitch))
        onset += duration
    return notes


def compose(model: nn.Module, task: Any, bars: int, temperature: float = 1.0, seed: int = 0,
            prime: int = 0) -> Composition:
    """A piece of `bars` bars from a chorale model; `prime` steps (frames or notes) of the first 4/4
    held-out (test split) chorale open it. Any other task is refused."""
    if not isinstance(task, ChoraleRollTask | ChoraleMelodyTask):
        raise ValueError(f"this is a {getattr(task, 'name', type(task).__name__)} model, not a chorale model: "
                         "train one with --task chorales-roll or --task chorales-melody")
    if bars <= 0 or prime < 0:
        raise ValueError(f"bars must be positive and prime not negative, got {bars}, {prime}")
    primer = _primer(task) if prime else None
    meter = primer.time_signature if primer else (4, 4)
    quarters = bars * meter[0] * 4 / meter[1]
    generator = torch.Generator().manual_seed(seed)
    model.eval()
    if isinstance(task, ChoraleRollTask):
        per_quarter = task.config.frames_per_quarter
        opening = roll_document(primer, per_quarter)[:1 + prime] if primer else torch.zeros(1, task.io.input_size)
        roll = sample_roll(model, round(quarters * per_quarter), temperature, generator, opening)
        notes = roll_notes(roll, 1 / per_quarter)
    else:
        opening = melody_document(primer)[:1 + prime] if primer else torch.tensor([END])
        events = sample_melody(model, round(quarters * STEPS_PER_QUARTER), SamplingConfig(temperature), generator,
                               opening)
        notes = melody_notes(events)
    return Composition(notes, quarters, meter, primer.name if primer else None)


def _primer(task: ChoraleRollTask | ChoraleMelodyTask) -> Chorale:
    chorales = task.chorales("test")
    common = [c for c in chorales if c.time_signature == (4, 4)]
    if not (common or chorales):
        raise ValueError("no held-out chorale to prime with")
    return (common or chorales)[0]


def _music21() -> Any:
    try:
        import music21
    except ImportError:
        raise DataUnavailable(f"writing MIDI and MusicXML needs music21: {INSTALL}") from None
    return music21


def voices(notes: list[Note]) -> list[list[Note]]:
    """Notes dealt into lines that never overlap, highest first: at each onset, the highest new note goes
    to the first free line. Four-part harmony comes out as (roughly) soprano, alto, tenor, bass."""
    lines: list[list[Note]] = []
    for note in sorted(notes, key=lambda n: (n[0], -n[2])):
        free = next((line for line in lines if line[-1][1] <= note[0]), None)
        if free is None:
            lines.append(free := [])
        free.append(note)
    return lines


def to_score(piece: Composition) -> Any:
    """A music21 Score, one part per line of `voices` (one silent part for a silent piece), in the piece's
    metre; each part gets rests wherever it is silent, up to the last bar line."""
    m21 = _music21()
    score = m21.stream.Score()
    for line in voices(piece.notes) or [[]]:
        part = m21.stream.Part()
        part.insert(0, m21.meter.TimeSignature(f"{piece.time_signature[0]}/{piece.time_signature[1]}"))
        at = 0.0
        for onset, end, pitch in line:
            if onset > at:
                part.append(m21.note.Rest(quarterLength=onset - at))
            part.append(m21.note.Note(pitch, quarterLength=end - onset))
            at = end
        if at < piece.quarters:
            part.append(m21.note.Rest(quarterLength=piece.quarters - at))
        score.insert(0, part)
    return score


def write_piece(piece: Composition, midi: Path) -> Path:
    """Write `midi` and the MusicXML beside it (same name, .musicxml), each atomically; returns the latter."""
    musicxml = midi.with_suffix(".musicxml")
    score = to_score(piece)
    for path, form in ((midi, "midi"), (musicxml, "musicxml")):
        said = io.StringIO()
        with atomic_path(path) as temporary, contextlib.redirect_stderr(said):  # music21 warns on stderr
            score.write(form, fp=str(temporary))
        for line in said.getvalue().splitlines():
            # A part past the 16th gets no MIDI channel of its own in the MusicXML: harmless for notation.
            if line.strip() and "out of midi channels" not in line:
                warnings.warn(f"music21: {line.strip()}", stacklevel=2)
    return musicxml


def read_notes(path: Path) -> list[Note]:
    """The notes of a MIDI or MusicXML file, chords split, as sorted (onset, end, pitch): for checks."""
    score = _music21().converter.parse(str(path)).stripTies()  # a note over a bar line is one note
    notes = [(float(n.offset), float(n.offset + n.quarterLength), int(p.midi))
             for n in score.flatten().notes for p in n.pitches]
    return sorted(notes, key=lambda n: (n[0], n[2]))
