"""`rnnlab train --task wav-folder` then `rnnlab classify RUN recording.wav`, through `main([...])`; a bad folder
of recordings is one line naming the problem, exit code 2, and no run folder left behind."""

import json

import pytest
import torch
from wav_tones import write_tone

from rnnlab.cli.main import main

TRAIN = ["--model", "gru", "--hidden", "8", "--lr", "0.05", "--steps", "15", "--eval-every", "15",
         "--batch-size", "8", "--no-stop-when-solved"]



def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    torch.set_num_threads(1)  # `--threads` sets the process-wide count; put back the tests' one
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Low tones (300-360 Hz) against high ones (2-2.4 kHz), 6 recordings each, and a tiny GRU trained on them."""
    folder = tmp_path_factory.mktemp("wavs")
    for i in range(6):
        write_tone(folder / "recordings" / "low" / f"{i}.wav", 300 + 12 * i)
        write_tone(folder / "recordings" / f"high_{i:02d}.wav", 2000 + 80 * i)
    code = main(["train", "--task", "wav-folder", "--set", f"path={folder / 'recordings'}", *TRAIN,
                 "--out", str(folder / "run")])
    torch.set_num_threads(1)
    assert code == 0
    return folder


def test_the_run_knows_its_labels_and_scores_the_test_split(trained):
    config = json.loads((trained / "run" / "config.json").read_text())
    assert config["task"] == "wav-folder" and config["task_config"]["path"] == str(trained / "recordings")
    result = json.loads((trained / "run" / "result.json").read_text())
    assert result["test_metrics"]["accuracy"] == 1.0  # one low and one high test tone, easily told apart


def test_classify_a_recording_at_another_rate_in_stereo(trained, capsys):
    """Reference: the tone's pitch: a 2.2 kHz tone is `high`, a 330 Hz one `low`, whatever the file's rate."""
    write_tone(trained / "new_high.wav", 2200, rate=22_050, channels=2)
    write_tone(trained / "new_low.wav", 330, rate=44_100)
    for name, expected in (("new_high.wav", "high"), ("new_low.wav", "low")):
        code, out, err = cli(capsys, "classify", trained / "run", trained / name)
        assert code == 0, err
        label, probability = out.split()
        assert label == expected and 0.5 < float(probability) <= 1


def test_classify_names_an_unreadable_recording(trained, capsys):
    (trained / "broken.wav").write_bytes(b"RIFF\x00\x00")
    code, _, err = cli(capsys, "classify", trained / "run", trained / "broken.wav")
    assert code == 2 and "broken.wav: not a readable WAV file" in err and "Traceback" not in err
    code, _, err = cli(capsys, "classify", trained / "run", trained / "absent.wav")
    assert code == 2 and "absent.wav: no such file" in err


@pytest.mark.parametrize(("make", "message"), [
    (lambda f: None, "holds no .wav files"),
    (lambda f: (write_tone(f / "a_1.wav", 300), (f / "readme.md").write_text("x")), "readme.md is not a .wav file"),
    (lambda f: [write_tone(f / f"yes_{i}.wav", 300) for i in range(3)], "every recording has the label 'yes'"),
    (lambda f: [(f / f"{w}_{i}.wav").write_bytes(b"not a wav") for w in ("a", "b") for i in range(3)],
     "a_0.wav: not a readable WAV file"),
])
def test_a_bad_folder_is_one_line_and_exit_2(tmp_path, capsys, make, message):
    folder = tmp_path / "recordings"
    folder.mkdir()
    make(folder)
    code, _, err = cli(capsys, "train", "--task", "wav-folder", "--set", f"path={folder}", *TRAIN,
                       "--out", tmp_path / "run")
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_a_missing_path_option(tmp_path, capsys):
    code, _, err = cli(capsys, "train", "--task", "wav-folder", "--set", f"path={tmp_path / 'nowhere'}", *TRAIN,
                       "--out", tmp_path / "run")
    assert code == 2 and "nowhere does not exist" in err
