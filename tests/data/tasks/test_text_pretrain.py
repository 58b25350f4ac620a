"""Language-model pretraining of a text classifier (data/tasks/text_pretrain.py), against a reference loop."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.data.datasets.text_csv import LabelledTexts, TextCorpus
from rnnlab.data.tasks.base import Batch, PretrainingTask
from rnnlab.data.tasks.sentiment import TextClassificationTask
from rnnlab.data.tasks.text_configs import SentimentConfig
from rnnlab.data.tasks.text_pretrain import directional_loss, pool_sampler, pretrain_language_model, target_classes
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.models.sequence import IOSpec


def test_target_classes_keep_the_most_frequent_ids_and_share_one_class_for_the_rest():
    """Reference by hand: id 3 occurs 4 times, id 5 three times, ids 2 and 4 once each (tie: lower id first)."""
    sequences = [torch.tensor([3, 3, 5, 2]), torch.tensor([5, 3, 4]), torch.tensor([3, 5])]
    classes = target_classes(sequences, vocab_size=6, targets=3)
    assert classes.tolist() == [2, 2, 2, 0, 2, 1]  # 3 -> 0, 5 -> 1, everything else -> the shared class 2
    # capped at V: five ids by frequency (3, 5, 2, 4, then unseen 0), the last one (1) in the shared class
    assert target_classes(sequences, vocab_size=6, targets=100).tolist() == [4, 5, 2, 0, 3, 1]


def reference_loss(outputs, ids, lengths, head, classes, hidden, bidirectional):
    """One position at a time: h→_t predicts x_{t+1}; h←_{t+1} predicts x_t; mean per direction, then summed."""
    forward, backward = [], []
    for b in range(ids.shape[0]):
        for t in range(int(lengths[b]) - 1):
            forward.append(F.cross_entropy(head(outputs[b, t, :hidden]), classes[ids[b, t + 1]]))
            if bidirectional:
                backward.append(F.cross_entropy(head(outputs[b, t + 1, hidden:2 * hidden]), classes[ids[b, t]]))
    loss = torch.stack(forward).mean()
    return loss + torch.stack(backward).mean() if bidirectional else loss


@pytest.mark.parametrize("bidirectional", [False, True])
def test_directional_loss_matches_a_position_by_position_reference(bidirectional):
    torch.manual_seed(0)
    B, T, H, K = 3, 5, 4, 6
    outputs = torch.randn(B, T, 2 * H if bidirectional else H)
    ids = torch.randint(0, 9, (B, T))
    lengths = torch.tensor([5, 2, 3])  # padding after each row's length is never read
    ids[1, 2:] = 0
    ids[2, 3:] = 0
    classes = torch.tensor([5, 0, 1, 2, 3, 4, 5, 5, 5])
    head = nn.Linear(H, K)
    got = directional_loss(outputs, ids, lengths, head, classes, H, bidirectional, nn.Identity())
    want = reference_loss(outputs, ids, lengths, head, classes, H, bidirectional)
    assert torch.allclose(got, want, atol=1e-6)


def make_sampler(ids: torch.Tensor):
    def sample(batch_size: int, generator: torch.Generator) -> Batch:
        rows = torch.randint(0, ids.shape[0], (batch_size,), generator=generator)
        return Batch(ids[rows], torch.zeros(batch_size, dtype=torch.int64), torch.full((batch_size,), ids.shape[1]))
    return sample


def lstm(bidirectional: bool, vocab: int) -> nn.Module:
    torch.manual_seed(0)
    return build_model(ModelConfig(name="lstm", hidden_size=16, embed_size=8, bidirectional=bidirectional),
                       IOSpec(vocab, 2, tokens=True, per_step=False))


def test_a_bidirectional_encoder_learns_predictable_text_but_cannot_peek_at_random_text():
    """A cycle 0 1 2 3 4 5 ... is predictable both ways: the loss falls far below chance. Tokens drawn afresh at
    random are not: if either direction could see the token it predicts, the loss would fall towards 0 as well;
    it stays near chance, 2 ln 6 for two directions."""
    vocab = 6
    cycle = (torch.arange(12)[None, :] + torch.arange(30)[:, None]) % vocab  # (30, 12)
    classes = torch.arange(vocab)  # every id its own class
    chance = 2 * math.log(vocab)
    learnt = pretrain_language_model(lstm(True, vocab), make_sampler(cycle), classes, 150, 1e-2, 16, 1.0,
                                     torch.Generator().manual_seed(0))
    assert len(learnt) == 150 and sum(learnt[-10:]) / 10 < 0.2 * chance
    def noise(batch_size: int, generator: torch.Generator) -> Batch:  # fresh tokens every batch: nothing to learn
        ids = torch.randint(0, vocab, (batch_size, 12), generator=generator)
        return Batch(ids, torch.zeros(batch_size, dtype=torch.int64), torch.full((batch_size,), 12))

    guessed = pretrain_language_model(lstm(True, vocab), noise, classes, 150, 1e-2, 16, 1.0,
                                      torch.Generator().manual_seed(0))
    assert sum(guessed[-10:]) / 10 > 0.85 * chance


def test_pretraining_trains_the_embedding_and_encoder_and_leaves_the_head():
    model = lstm(True, 6)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    heard = []
    pretrain_language_model(model, make_sampler(torch.randint(0, 6, (10, 7))), torch.arange(6), 3, 1e-2, 4, 1.0,
                            torch.Generator().manual_seed(0), lambda step, steps, loss: heard.append((step, steps)))
    assert heard == [(1, 3), (2, 3), (3, 3)]
    for name, p in model.named_parameters():
        assert torch.equal(p, before[name]) == name.startswith("head."), name


CORPUS = TextCorpus(
    ("negative", "positive"),
    train=LabelledTexts(("a fine film", "a dull film", "fine fine acting", "dull", "fine"),
                        torch.tensor([1, 0, 1, 0, 1])),
    validation=LabelledTexts(("a fine thing", "dull dull"), torch.tensor([1, 0])),
    test=LabelledTexts(("a superb film",), torch.tensor([1])),
)


def test_the_task_pretrains_only_when_its_config_asks():
    def task(steps: int) -> TextClassificationTask:
        return TextClassificationTask("toy", SentimentConfig(min_count=1, pretrain_steps=steps, pretrain_targets=3),
                                      lambda: CORPUS, solved_accuracy=0.9)

    idle, busy = task(0), task(4)
    assert isinstance(idle, PretrainingTask)
    model = build_model(ModelConfig(name="gru", hidden_size=8, embed_size=4, bidirectional=True), idle.io)
    before = model.encoder.to_width.weight.detach().clone()
    assert idle.pretrain(model, 1e-2, 4, 1.0, torch.Generator().manual_seed(0)) == []
    assert torch.equal(model.encoder.to_width.weight, before)
    losses = busy.pretrain(model, 1e-2, 4, 1.0, torch.Generator().manual_seed(0))
    assert len(losses) == 4 and all(math.isfinite(x) for x in losses)
    assert not torch.equal(model.encoder.to_width.weight, before)
    with pytest.raises(ValueError, match="pretrain_steps"):
        SentimentConfig(pretrain_steps=-1)
    with pytest.raises(ValueError, match="pretrain_targets"):
        SentimentConfig(pretrain_targets=1)


def test_the_pool_sampler_draws_what_the_training_sampler_draws():
    """Without a file of unlabelled texts, the language model reads the batches training would (same rows)."""
    task = TextClassificationTask("toy", SentimentConfig(min_count=1), lambda: CORPUS, solved_accuracy=0.9)
    pool = pool_sampler(task.labelled.train_split.sequences)
    for seed in range(3):
        want = task.labelled.sample(8, torch.Generator().manual_seed(seed))
        got = pool(8, torch.Generator().manual_seed(seed))
        assert torch.equal(got.inputs, want.inputs) and torch.equal(got.lengths, want.lengths)


def test_a_file_of_unlabelled_texts_joins_the_vocabulary_and_the_language_model(tmp_path):
    """Reference: 'superb' and 'witty' occur only in the unlabelled file, twice each (min_count 2): they get ids;
    the labelled texts' words stay; blank lines are skipped."""
    unlabelled = tmp_path / "more.txt"
    unlabelled.write_text("a superb film\n\n  witty and superb \nwitty\n", encoding="utf-8")
    config = SentimentConfig(min_count=2, pretrain_steps=3, pretrain_path=str(unlabelled))
    assert config.pretrain_path == str(unlabelled.resolve()) and len(config.pretrain_fingerprint) == 64
    assert config.unlabelled() == ("a superb film", "witty and superb", "witty")
    task = TextClassificationTask("toy", config, lambda: CORPUS, solved_accuracy=0.9)
    assert {"superb", "witty", "fine", "film"} <= set(task.vocabulary.tokens) and "and" not in task.vocabulary.tokens
    plain = TextClassificationTask("toy", SentimentConfig(min_count=2), lambda: CORPUS, solved_accuracy=0.9)
    assert "superb" not in plain.vocabulary.tokens  # the same corpus without the file: its own vocabulary
    model = build_model(ModelConfig(name="lstm", hidden_size=8, embed_size=4, bidirectional=True), task.io)
    superb = task.vocabulary.encode("superb")[0]
    before = model.encoder.to_width.weight[superb].detach().clone()
    task.pretrain(model, 1e-2, 4, 1.0, torch.Generator().manual_seed(0))
    assert not torch.equal(model.encoder.to_width.weight[superb], before)  # read only in the file, and learnt


def test_a_bad_file_of_unlabelled_texts_is_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="give pretrain_steps too"):
        SentimentConfig(pretrain_path=str(tmp_path / "any.txt"))
    with pytest.raises(ValueError, match="does not exist"):
        SentimentConfig(pretrain_steps=5, pretrain_path=str(tmp_path / "missing.txt"))
    (tmp_path / "blank.txt").write_text("\n  \n", encoding="utf-8")
    with pytest.raises(ValueError, match="holds no text"):
        SentimentConfig(pretrain_steps=5, pretrain_path=str(tmp_path / "blank.txt"))
    (tmp_path / "binary.txt").write_bytes(b"abc\0def")
    with pytest.raises(ValueError, match="looks binary"):
        SentimentConfig(pretrain_steps=5, pretrain_path=str(tmp_path / "binary.txt"))
    changed = tmp_path / "changed.txt"
    changed.write_text("first version\n", encoding="utf-8")
    config = SentimentConfig(pretrain_steps=5, pretrain_path=str(changed))
    changed.write_text("second version\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has changed since this run was made"):
        config.unlabelled()
