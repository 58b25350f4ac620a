"""`rnnlab compose RUN`: a chorale from a tiny trained model, and one-line errors."""

import re
from pathlib import Path

import pytest
import torch

from rnnlab.cli.main import main
from rnnlab.data.datasets.chorales import HIGHEST, LOWEST, Chorale
from rnnlab.data.tasks import chorales as chorale_tasks
from rnnlab.data.tasks.chorales import PITCHES
from rnnlab.generate.music import read_notes

m21 = pytest.importorskip("music21")  # the optional extra rnnlab[music]

TINY = ["--steps", "80", "--eval-every", "80", "--lr", "0.03", "--batch-size", "2", "--hidden", "8",
        "--set", "chunk_length=8"]  # enough for the roll model to hold chords: a few notes, a fast MusicXML


def made_up(split):
    """Three tiny chorales per split: a C major chord for a bar, then G major (soprano C5 then B4)."""
    chorales = []
    for number in range(3):
        roll = torch.zeros(32, PITCHES, dtype=torch.bool)
        for bar, chord in enumerate([(48, 64, 67, 72), (43, 62, 67, 71)]):
            roll[16 * bar:16 * (bar + 1), [p - LOWEST for p in chord]] = True
        melody = torch.tensor([[72, 16], [71, 16]])
        chorales.append(Chorale(number + 1, f"{split}/{number}", roll, melody, 0, "major", (4, 4), 0))
    return chorales


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """Trained once for the module, on made-up data: chorales-roll in RUNS/roll, chorales-melody in
    RUNS/melody, and an adding run in RUNS/adding."""
    folder = tmp_path_factory.mktemp("runs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chorale_tasks, "load_chorales", made_up)
        for task in ("roll", "melody"):
            assert main(["train", "--task", f"chorales-{task}", "--out", str(folder / task), *TINY]) == 0
    assert main(["train", "--task", "adding", "--length", "5", "--steps", "2", "--eval-every", "2",
                 "--hidden", "4", "--out", str(folder / "adding")]) == 0
    return folder


@pytest.fixture
def trained(runs, tmp_path, monkeypatch, capsys) -> Path:
    """The runs, with an empty working directory and the made-up data in place of the corpus."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(chorale_tasks, "load_chorales", made_up)
    capsys.readouterr()
    return runs


@pytest.mark.parametrize("task", ["roll", "melody"])
def test_writes_a_piece_of_the_requested_bars(trained, capsys, task):
    """Reference: the summary line against the files themselves: music21 parses both; the MusicXML has
    8 measures in every part; the MIDI's notes lie within the model's pitch range and number as printed."""
    assert main(["compose", str(trained / task), "--bars", "8", "--out", "piece.mid", "--seed", "1"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("wrote piece.mid and piece.musicxml: 8 bars of 4/4, pitches ")
    notes = read_notes(Path("piece.mid"))
    assert len(notes) == int(re.search(r"(\d+) notes", line).group(1)) > 0
    assert notes == read_notes(Path("piece.musicxml"))
    low, high = (LOWEST, HIGHEST) if task == "roll" else (57, 81)
    assert all(low <= pitch <= high for _, _, pitch in notes)
    assert max(end for _, end, _ in notes) <= 32.0  # 8 bars of 4 quarters
    parts = m21.converter.parse("piece.musicxml").parts
    assert all(len(part.getElementsByClass("Measure")) == 8 for part in parts)


def test_primed_with_a_held_out_chorale(trained, capsys):
    """Reference: made_up's first test chorale opens with C3 E4 G4 C5: primed with 4 frames, those 4
    pitches sound from the first beat."""
    assert main(["compose", str(trained / "roll"), "--bars", "2", "--out", "primed.mid", "--prime", "4"]) == 0
    assert "primed with 4 steps of test/0" in capsys.readouterr().out
    opening = {pitch for onset, _, pitch in read_notes(Path("primed.mid")) if onset == 0}
    assert opening >= {48, 64, 67, 72}


def one_error_line(capsys, argv) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1
    return captured.err


def test_never_overwrites_without_asking(trained, capsys):
    Path("piece.musicxml").write_text("mine")
    assert "piece.musicxml already exists; pass --overwrite" in one_error_line(
        capsys, ["compose", str(trained / "roll"), "--out", "piece.mid"])
    assert Path("piece.musicxml").read_text() == "mine" and not Path("piece.mid").exists()
    assert main(["compose", str(trained / "roll"), "--bars", "1", "--out", "piece.mid", "--overwrite"]) == 0
    assert Path("piece.musicxml").read_text() != "mine"


def test_a_run_that_is_not_a_chorale_model(trained, capsys):
    assert "is a 'adding' run, not a chorale model" in one_error_line(capsys, ["compose", str(trained / "adding")])
    assert "is not a run folder" in one_error_line(capsys, ["compose", "nowhere"])
    roll = str(trained / "roll")
    assert "--out must name a MIDI file" in one_error_line(capsys, ["compose", roll, "--out", "x.wav"])
    assert "--bars must be positive" in one_error_line(capsys, ["compose", roll, "--bars", "0"])
