"""A trained run keeps what it needs to predict inside its folder, so it keeps working after its training data
moved or changed, and when the folder is copied elsewhere (another machine, where the data never were).

Reference: the run's own answers before anything moved. The issue's case is text-csv (vocabulary and class names
are kept as RUN/vocab.json and RUN/classes.json); text-file and tsv runs did so already and are checked too.
What needs the data itself (`evaluate` scores the held-out split) says which file changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def moved_data(workspace, tmp_path: Path):
    """The csv, lm and tsv runs trained on a private copy of their data, and a function that moves it away."""
    data = tmp_path / "data"
    shutil.copytree(workspace.data, data)
    runs = {}
    from rnnlab.cli.main import main

    for name in ("csv", "lm", "tsv"):
        argv = [str(a).replace(str(workspace.data), str(data)) for a in workspace.commands[name]]
        assert main(["train", *argv, "--out", str(tmp_path / name)]) == 0
        runs[name] = tmp_path / name
    return data, runs


def test_a_text_csv_run_classifies_after_its_csv_moved_changed_or_stayed_behind(moved_data, tmp_path, rnnlab):
    data, runs = moved_data
    before = rnnlab("classify", runs["csv"], "a witty and charming film")
    assert before.code == 0 and before.out.split()[0] in ("neg", "pos")
    (data / "reviews.csv").write_text("id,review,sentiment\n1,changed,pos\n", encoding="utf-8")  # changed
    assert rnnlab("classify", runs["csv"], "a witty and charming film").out == before.out
    (data / "reviews.csv").unlink()  # moved away
    assert rnnlab("classify", runs["csv"], "a witty and charming film").out == before.out
    copied = shutil.copytree(runs["csv"], tmp_path / "elsewhere" / "run")  # another place, without the data
    assert rnnlab("classify", copied, "a witty and charming film").out == before.out
    table = tmp_path / "new.csv"
    table.write_text("review\na witty and charming film\n", encoding="utf-8")
    assert rnnlab("classify", copied, table).out.splitlines()[1].split(",")[1] == before.out.split()[0]


def test_evaluating_needs_the_data_and_names_the_changed_file(moved_data, rnnlab):
    data, runs = moved_data
    (data / "reviews.csv").write_text("id,review,sentiment\n1,changed,pos\n", encoding="utf-8")
    outcome = rnnlab("evaluate", runs["csv"])
    assert outcome.code == 2 and len(outcome.err.strip().splitlines()) == 1
    assert "reviews.csv has changed since this run was made" in outcome.err


def test_language_model_and_translation_runs_stand_alone_too(moved_data, rnnlab):
    data, runs = moved_data
    generated = rnnlab("generate", runs["lm"], "--prompt", "the ", "--length", "20", "--seed", "1")
    translated = rnnlab("translate", runs["tsv"], "das haus")
    shutil.rmtree(data)
    assert rnnlab("generate", runs["lm"], "--prompt", "the ", "--length", "20", "--seed", "1").out == generated.out
    assert rnnlab("translate", runs["tsv"], "das haus").out == translated.out


def test_a_wav_folder_run_classifies_after_its_recordings_moved_or_changed(workspace, tmp_path, rnnlab):
    """The run keeps its labels (config.json) and feature statistics (features.json): a recording is classified
    as before once the folder is gone; evaluating, which needs the recordings, says where they went."""
    data = shutil.copytree(workspace.data / "wavs", tmp_path / "wavs")
    argv = [str(a).replace(str(workspace.data / "wavs"), str(data)) for a in workspace.commands["wav"]]
    assert rnnlab("train", *argv, "--out", tmp_path / "run").code == 0
    recording = shutil.copy(data / "high" / "0.wav", tmp_path / "clip.wav")
    before = rnnlab("classify", tmp_path / "run", recording)
    assert before.code == 0 and before.out.split()[0] in ("high", "low")
    (data / "low" / "extra.wav").write_bytes((data / "low" / "0.wav").read_bytes())  # changed
    assert rnnlab("classify", tmp_path / "run", recording).out == before.out
    shutil.rmtree(data)  # moved away
    assert rnnlab("classify", tmp_path / "run", recording).out == before.out
    outcome = rnnlab("evaluate", tmp_path / "run")
    assert outcome.code == 2 and f"{data} is not a folder of recordings" in outcome.err
