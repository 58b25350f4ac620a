"""The wav-folder task on folders of WAVs written in the test: labels from sub-folders or names, the fixed
stratified split, lazy reading, and one-line errors naming the folder or file."""

from pathlib import Path

import pytest
import torch
from wav_tones import write_tone

from rnnlab.data.tasks.wav_folder import WavFolderConfig, assign_splits, build_wav_folder, label_of, scan


def tone_folder(root: Path, per_label: int = 6, by_name: bool = False) -> Path:
    """`low` (300-400 Hz) and `high` (2-2.5 kHz) tones, as low/NN.wav or low_NN.wav."""
    for label, base in (("low", 300.0), ("high", 2000.0)):
        for i in range(per_label):
            name = f"{label}_{i:02d}.wav" if by_name else f"{label}/{i:02d}.wav"
            write_tone(root / name, base * (1 + i / (4 * per_label)))
    return root


def test_labels_come_from_the_top_folder_or_the_name_less_its_number(tmp_path):
    assert label_of(tmp_path / "yes" / "a.wav", tmp_path) == "yes"
    assert label_of(tmp_path / "yes" / "alice" / "7.wav", tmp_path) == "yes"
    assert label_of(tmp_path / "yes_01.wav", tmp_path) == "yes"
    assert label_of(tmp_path / "turn_left-3.wav", tmp_path) == "turn_left"
    assert label_of(tmp_path / "no.wav", tmp_path) == "no"
    with pytest.raises(ValueError, match=r"01\.wav: cannot tell its label from the name"):
        label_of(tmp_path / "01.wav", tmp_path)


def test_scan_skips_hidden_files_and_sorts(tmp_path):
    folder = tone_folder(tmp_path / "rec", per_label=3, by_name=True)
    (folder / ".DS_Store").write_text("finder")
    recordings = scan(folder)
    assert [label for _, label in recordings] == ["high"] * 3 + ["low"] * 3
    assert [path.name for path, _ in recordings][:2] == ["high_00.wav", "high_01.wav"]


@pytest.mark.parametrize(("make", "message"), [
    (lambda f: None, r"rec holds no \.wav files"),
    (lambda f: (f / "notes.txt").write_text("x"), r"notes\.txt is not a \.wav file"),
    (lambda f: [write_tone(f / f"yes_{i}.wav", 440) for i in range(3)], r"every recording has the label 'yes'"),
    (lambda f: [write_tone(f / f"{w}_{i}.wav", 440) for w in ("yes", "no") for i in range((3, 2)[w == "no"])],
     r"label 'no' has 2 recording\(s\); every label needs at least 3"),
    (lambda f: (f / "yes_1.wav").write_bytes(b"RIFF...."), r"yes_1\.wav: not a readable WAV file"),
])
def test_scan_errors_name_the_problem(tmp_path, make, message):
    folder = tmp_path / "rec"
    folder.mkdir()
    make(folder)
    with pytest.raises(ValueError, match=message):
        scan(folder)


def test_scan_needs_a_folder(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        scan(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="is not a folder"):
        scan(write_tone(tmp_path / "a.wav", 440))


def test_the_split_is_stratified_and_fixed():
    """Reference: per label, round(0.15 n), at least 1, to test and to validation: 6 -> 1/1/4, 20 -> 3/3/14."""
    labels = ["a"] * 6 + ["b"] * 20
    splits = assign_splits(labels, 0.15, 0.15)
    count = lambda label, split: sum(1 for l, s in zip(labels, splits) if l == label and s == split)  # noqa: E731
    assert [count("a", s) for s in ("train", "validation", "test")] == [4, 1, 1]
    assert [count("b", s) for s in ("train", "validation", "test")] == [14, 3, 3]
    assert assign_splits(labels, 0.15, 0.15) == splits


def test_the_task_lists_at_build_and_reads_audio_on_first_use(tmp_path, monkeypatch):
    folder = tone_folder(tmp_path / "rec")
    task = build_wav_folder(WavFolderConfig(path=str(folder)))
    assert task.classes == ("high", "low") and task.io.input_size == 13 and task.io.output_size == 2
    assert task.config.path == str(folder.resolve())
    batch = task.sample(4, torch.Generator().manual_seed(0))
    assert batch.inputs.shape[0] == 4 and batch.inputs.shape[2] == 13
    assert len(task.train_split.labels) == 8 and len(task.eval_split.labels) == 2


def test_a_relative_path_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert WavFolderConfig(path="rec").path == str(tmp_path / "rec")
    assert WavFolderConfig().path == ""
    with pytest.raises(ValueError, match=r"validation_fraction \+ test_fraction must leave recordings"):
        WavFolderConfig(path="rec", validation_fraction=0.6, test_fraction=0.5)


def test_without_a_path_any_use_says_what_is_missing():
    task = build_wav_folder(WavFolderConfig())
    assert task.baseline == {}
    with pytest.raises(ValueError, match="needs the folder of recordings: --set path=FOLDER"):
        task.sample(2, torch.Generator())


def test_a_run_refuses_a_folder_that_changed_since(tmp_path):
    """Reference: the config's fingerprint, taken when it was made (at `rnnlab train`): a recording added
    afterwards would shift the labels' statistics (or add a label), so using the rebuilt task's data says so."""
    folder = tone_folder(tmp_path / "rec", per_label=3)
    config = WavFolderConfig(path=str(folder))
    assert len(config.fingerprint) == 64 and build_wav_folder(config).classes == ("high", "low")
    write_tone(folder / "mid" / "0.wav", 900)
    task = build_wav_folder(config)  # what classifying needs (its labels) it still has; its data it refuses
    assert task.classes == ("high", "low")
    with pytest.raises(ValueError, match="has changed since this run was made"):
        task.sample(2, torch.Generator())
