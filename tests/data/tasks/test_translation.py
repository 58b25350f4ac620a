"""Translation tasks on a TSV fixture: the file check, the batch layout, the masked loss, scheduled sampling,
evaluation and the tokenizers a model carries; BLEU and chrF against sacreBLEU's values."""

import math

import pytest
import torch
import torch.nn.functional as F

from rnnlab.data.tasks.base import seeded
from rnnlab.data.tasks.bleu import translation_scores
from rnnlab.data.tasks.pairs import BOS_ID, EOS_ID
from rnnlab.data.tasks.registry import make_task
from rnnlab.data.tasks.translation import read_pairs_tsv
from rnnlab.models.registry import ModelConfig, build_for_io

PAIRS = [("ein kleines haus", "a small house"), ("das haus", "the house"), ("ein haus", "a house"),
         ("das kleine boot", "the small boat"), ("ein boot", "a boat"), ("das boot ist klein", "the boat is small"),
         ("ein kleines boot", "a small boat"), ("das haus ist klein", "the house is small"),
         ("ein sehr kleines haus", "a very small house"), ("das boot", "the boat")]


@pytest.fixture
def tsv(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("".join(f"{s}\t{t}\n" for s, t in PAIRS) * 2 + "\n", encoding="utf-8")
    return path


def task(path, **options):
    return make_task("tsv", path=str(path), vocab_size=40, min_count=1, bleu_sentences=4, **options)


@pytest.mark.parametrize(("text", "message"), [
    ("a\tb\nno tab here\n", "line 2: expected 'source<TAB>target', found no tab"),
    ("a\tb\n\n\ta\tb\tc\n", "line 3: expected 'source<TAB>target', found 3 tabs"),
    ("a\tb\nc\t  \n", "line 2: expected 'source<TAB>target', found an empty side"),
    ("a\tb\n", "holds 1 sentence pairs; a train/validation/test split needs at least 3"),
])
def test_a_malformed_file_is_named_with_its_line(tmp_path, text, message):
    """Reference: the rules of read_pairs_tsv, line numbers counted from 1 with blank lines included."""
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_pairs_tsv(path)


def test_unreadable_files_are_one_line_errors(tmp_path):
    (tmp_path / "latin1.tsv").write_bytes("a\tb\nGr\xfc\xdfe\tx\n".encode("latin-1"))
    with pytest.raises(ValueError, match="line 2: not UTF-8 text"):
        read_pairs_tsv(tmp_path / "latin1.tsv")
    with pytest.raises(ValueError, match="cannot read"):
        read_pairs_tsv(tmp_path / "missing.tsv")
    with pytest.raises(ValueError, match=r"needs a file: --set path=pairs\.tsv"):
        make_task("tsv").sample(2, seeded(0, 0))
    with pytest.raises(ValueError, match="path applies to the tsv task only"):
        make_task("de-en", path="x.tsv")


def test_batches_wrap_targets_in_bos_and_eos_and_pad_with_zero(tsv):
    """Reference, by hand: source = ids + <eos>; target_in = <bos> + ids; targets = ids + <eos>; zero padding;
    `lengths` are the source lengths."""
    pairs = task(tsv)
    batch = pairs.sample(6, seeded(0, 0))
    source, target_in = batch.inputs
    source_tok, target_tok = pairs.tokenizers
    for row in range(6):
        n = int(batch.lengths[row])
        assert source[row, n - 1] == EOS_ID and (source[row, n:] == 0).all()
        text = source_tok.decode(source[row, :n - 1].tolist())
        expected = target_tok.encode(dict((s, t) for s, t in PAIRS)[text])
        m = len(expected)
        assert target_in[row, :m + 1].tolist() == [BOS_ID, *expected] and (target_in[row, m + 1:] == 0).all()
        assert batch.targets[row, :m + 1].tolist() == [*expected, EOS_ID] and (batch.targets[row, m + 1:] == 0).all()


def test_the_loss_is_the_mean_over_real_target_tokens(tsv):
    """Reference: cross-entropy summed over non-padding positions by hand, divided by their number; logits at
    padding do not matter."""
    pairs = task(tsv)
    batch = pairs.sample(5, seeded(1, 0))
    logits = torch.randn(*batch.targets.shape, 40)
    real = batch.targets != 0
    by_hand = sum(F.cross_entropy(logits[b, t][None], batch.targets[b, t][None])
                  for b, t in real.nonzero().tolist()) / int(real.sum())
    assert float(pairs.loss(logits, batch)) == pytest.approx(float(by_hand), rel=1e-5)
    logits[~real] = 1e4
    assert float(pairs.loss(logits, batch)) == pytest.approx(float(by_hand), rel=1e-5)


def test_teacher_forcing_below_one_marks_steps_for_scheduled_sampling(tsv):
    """Reference: teacher_forcing 0 samples every real step after <bos>, 1 none (and then no mask is sent)."""
    batch = task(tsv, teacher_forcing=0.0).sample(4, seeded(0, 0))
    _, target_in, sampled = batch.inputs
    assert torch.equal(sampled, (target_in != 0) & (torch.arange(target_in.shape[1]) > 0))
    assert len(task(tsv).sample(4, seeded(0, 0)).inputs) == 2


def test_word_dropout_hides_real_source_tokens_only(tsv):
    """Reference: with p = 0 the batch is the plain sample; with p > 0 the same batch comes back with about p of
    its real source tokens read as <unk> (id 1), specials and padding kept and the target side untouched."""
    plain = task(tsv).sample(64, seeded(0, 0))
    assert torch.equal(task(tsv, word_dropout=0.0).sample(64, seeded(0, 0)).inputs[0], plain.inputs[0])
    dropped = task(tsv, word_dropout=0.5).sample(64, seeded(0, 0))
    (source, target_in), (plain_source, plain_target_in) = dropped.inputs, plain.inputs
    assert torch.equal(target_in, plain_target_in) and torch.equal(dropped.targets, plain.targets)
    changed = source != plain_source
    real = plain_source >= 4  # the first ids are <pad>, <unk>, <bos>, <eos>
    assert not changed[~real].any() and (source[changed] == 1).all()
    assert 0.35 < changed[real].float().mean() < 0.65


def test_evaluation_scores_and_stamps_the_tokenizers_into_the_model(tsv):
    """Reference: the metric names of the module docstring; the model then carries the task's token lists, and a
    fresh task adopts them from the model (so translation needs no training data)."""
    pairs = task(tsv)
    model = build_for_io(ModelConfig("gru", hidden_size=8, attention="additive"), pairs.io).eval()
    metrics = pairs.evaluate_model(model, torch.device("cpu"))
    assert set(metrics) == set(pairs.baseline) == {"cross_entropy", "perplexity", "accuracy", "bleu", "chrf"}
    assert metrics["perplexity"] == pytest.approx(math.exp(metrics["cross_entropy"]), rel=1e-5)
    assert model.token_tables() == tuple(list(t.tokens) for t in pairs.tokenizers)
    fresh = task(tsv, max_train=3)  # would build a smaller vocabulary from its own data
    fresh.use_model_tokenizers(model)
    assert [t.tokens for t in fresh.tokenizers] == [t.tokens for t in pairs.tokenizers]
    assert len(fresh.translate(model, [("ein haus",)], beam_size=2)) == 1


def test_long_training_pairs_are_dropped():
    """Reference: max_length 3 keeps the pairs of at most 3 tokens a side (source <eos> not counted)."""
    pairs = make_task("tsv", path="unused", max_length=3, vocab_size=40, min_count=1)
    pairs.__dict__["train_examples"] = [((s,), t) for s, t in PAIRS]
    kept = [(len(s) - 1, len(t)) for s, t in pairs._train_encoded]
    assert kept and all(s <= 3 and t <= 3 for s, t in kept) and len(kept) == 7


def test_bleu_and_chrf_are_sacrebleus():
    """Reference: by hand, hypothesis a b c d e f against a b c d e g: n-gram precisions 5/6, 4/5, 3/4, 2/3, no
    brevity penalty, BLEU = 100·(1/3)^(1/4) = 75.98. sacreBLEU 2.6.0 on "the cat sat on the mat ." against "the
    cat is on the mat .": corpus_bleu(tokenize="none") = 48.892, corpus_chrf = 67.173."""
    assert translation_scores(["a b c d e f"], ["a b c d e g"])["bleu"] == pytest.approx(100 * (1 / 3) ** 0.25)
    scores = translation_scores(["the cat sat on the mat ."], ["the cat is on the mat ."])
    assert scores == pytest.approx({"bleu": 48.892302, "chrf": 67.172735}, abs=1e-5)
    assert translation_scores(["", ""], ["a b", "c"])["bleu"] == 0.0


@pytest.mark.parametrize("options", [{"vocab_size": 4}, {"teacher_forcing": 1.5}, {"split": "train"},
                                     {"tokenizer": "char"}, {"max_length": 0}, {"max_train": 0}, {"phrases": -1},
                                     {"word_dropout": 1.0}])
def test_bad_options_are_refused(options):
    with pytest.raises(ValueError):
        make_task("de-en", **options)


def test_phrases_are_added_to_de_en_training_only(monkeypatch):
    """Reference: training is the sentences, then the first N phrase pairs; held-out splits are untouched."""
    from rnnlab.data.tasks import translation
    sentences = {"train": [("ein haus ist hier.", "a house is here.")], "test": [("das boot.", "the boat.")],
                 "validation": [("das haus.", "the house.")]}
    monkeypatch.setattr(translation, "load_pairs", lambda split: sentences[split])
    monkeypatch.setattr(translation, "load_phrases", lambda n: [("Boot", "boat"), ("Haus", "house")][:n])
    task = make_task("de-en", phrases=1)
    assert task.train_examples == [(("ein haus ist hier.",), "a house is here."), (("Boot",), "boat")]
    assert task.held_out_examples("test") == [(("das boot.",), "the boat.")]
    assert make_task("de-en").train_examples == [(("ein haus ist hier.",), "a house is here.")]
    with pytest.raises(ValueError, match="phrases applies to the de-en task only"):
        make_task("tsv", path="x.tsv", phrases=10)
