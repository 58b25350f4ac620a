"""Speech tasks: standardisation fitted on training frames only, lazy loading, padding that never changes a
prediction (the variable-length case JapaneseVowels needs), and the spoken-digit task on a tiny data set."""

import shutil
import subprocess

import pytest
import torch

from rnnlab.data.batching import pad_sequences
from rnnlab.data.datasets.spoken_digits import SpokenDigitsConfig
from rnnlab.data.tasks import speech
from rnnlab.data.tasks.labelled import LabelledSequences
from rnnlab.data.tasks.speech import (
    FeatureSequenceTask,
    JapaneseVowelsConfig,
    SpokenDigitsTaskConfig,
    Standardiser,
    build_japanese_vowels,
    build_spoken_digits,
)
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.models.sequence import IOSpec

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (sudo apt-get install -y espeak-ng; `make system-deps` and CI install it)")


def test_the_standardiser_by_hand():
    """Reference, by hand: feature 0 takes 1, 3, 5 (mean 3, sample std 2); feature 1 is constant 10
    (std floored at 1e-6, so it maps to 0 rather than NaN)."""
    fitted = Standardiser.fit([torch.tensor([[1.0, 10.0], [3.0, 10.0]]), torch.tensor([[5.0, 10.0]])])
    torch.testing.assert_close(fitted.mean, torch.tensor([3.0, 10.0]))
    torch.testing.assert_close(fitted.std, torch.tensor([2.0, 1e-6]))
    torch.testing.assert_close(fitted(torch.tensor([[5.0, 10.0]])), torch.tensor([[1.0, 0.0]]))


def fake_splits(loads: list[str]):
    """Train frames ~ N(0, 1) in both features; validation frames shifted by +4."""
    def load(split):
        loads.append(split)
        generator = torch.Generator().manual_seed(len(split))  # the same split reads the same every time
        shift = 4.0 if split == "validation" else 0.0
        sequences = [torch.randn(5 + i, 2, generator=generator) + shift for i in range(20)]
        return LabelledSequences(sequences, torch.arange(20) % 3)

    return load


def test_statistics_come_from_the_training_split_only_and_nothing_loads_at_build():
    loads: list[str] = []
    task = FeatureSequenceTask("toy", JapaneseVowelsConfig(), ("a", "b", "c"), 2, fake_splits(loads), 0.9)
    assert loads == [] and task.io == IOSpec(2, 3, per_step=False)
    train = torch.cat(task.train_split.sequences)
    torch.testing.assert_close(train.mean(dim=0), torch.zeros(2), atol=1e-5, rtol=0)
    validation = torch.cat(task.eval_split.sequences)
    assert bool((validation.mean(dim=0) > 2.5).all())  # the shift survives: not re-centred on its own data
    assert set(loads) == {"train", "validation"}


def test_building_the_registered_japanese_vowels_task_loads_nothing(monkeypatch):
    loads: list[str] = []
    monkeypatch.setattr(speech, "load_japanese_vowels", fake_splits(loads))
    task = build_japanese_vowels(JapaneseVowelsConfig(max_train=10))
    assert loads == [] and task.io == IOSpec(12, 9, per_step=False) and task.solved_accuracy == 0.97
    assert len(task.train_split.labels) == 10


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru", "transformer"])
@pytest.mark.parametrize("pad_value", [0.0, 7.0])
def test_padding_never_changes_a_prediction(name, pad_value):
    """Reference: each sequence classified alone (no padding) against the same sequence in a batch padded to
    29 steps, the JapaneseVowels range (7-29 frames), whatever the padding holds."""
    torch.manual_seed(0)
    model = build_model(ModelConfig(name, hidden_size=16), IOSpec(12, 9, per_step=False)).eval()
    sequences = [torch.randn(t, 12) for t in (7, 29, 13, 20)]
    inputs, lengths = pad_sequences(sequences, pad_value)  # (4, 29, 12)
    with torch.no_grad():
        batched, _ = model(inputs, None, lengths)  # (4, 9)
        alone = torch.cat([model(s[None], None, torch.tensor([len(s)]))[0] for s in sequences])  # (4, 9)
    torch.testing.assert_close(batched, alone, atol=1e-5, rtol=1e-5)


def test_config_errors():
    with pytest.raises(ValueError, match="max_train must be positive"):
        SpokenDigitsTaskConfig(max_train=0)
    with pytest.raises(ValueError, match="split must be 'validation' or 'test'"):
        JapaneseVowelsConfig(split="train")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"solved_accuracy must lie in \(0, 1\]"):
        JapaneseVowelsConfig(solved_accuracy=1.5)


TINY = SpokenDigitsConfig(words=("zero", "one"), accents=("en-us",), variants=("m1", "f2", "m3"),
                          validation_accents=(), validation_variants=("m3",), test_accents=(), test_variants=("f2",),
                          repeats=2)


@needs_espeak
def test_spoken_digits_batches_and_a_wav_become_standardised_mfccs(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path / "cache"))
    task = build_spoken_digits(SpokenDigitsTaskConfig(), dataset=TINY)
    assert task.classes == ("zero", "one") and task.io == IOSpec(13, 2, per_step=False)
    batch = task.sample(3, torch.Generator().manual_seed(0))
    assert batch.inputs.shape[::2] == (3, 13) and batch.lengths is not None
    assert task.baseline == {"accuracy": 0.5}  # two balanced words
    wav = tmp_path / "one.wav"
    wav.write_bytes(subprocess.run(["espeak-ng", "-v", "en-us+m1", "--stdout", "one"], capture_output=True,
                                   check=True).stdout)
    features = task.encode_input(wav)
    assert features.shape[1] == 13 and 20 < len(features) < 100
    torch.testing.assert_close(features.mean(), torch.tensor(0.0), atol=1.0, rtol=0)  # standardised scale
    with pytest.raises(ValueError, match=r"missing\.wav: no such file"):
        task.encode_input(tmp_path / "missing.wav")
