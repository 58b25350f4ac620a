"""Text classification tasks on hand-made corpora: lazy loading, a training-only vocabulary, rebuilding a run."""

import dataclasses
import math

import pytest
import torch

from rnnlab.data.datasets.text_csv import LabelledTexts, TextCorpus
from rnnlab.data.tasks.registry import make_task, task_entry
from rnnlab.data.tasks.sentiment import TextClassificationTask
from rnnlab.data.tasks.text_configs import SentimentConfig
from rnnlab.data.text_baselines import text_baselines
from rnnlab.data.vocab import SPECIALS
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TrainConfig, train


def split(*pairs):
    return LabelledTexts(tuple(text for text, _ in pairs), torch.tensor([label for _, label in pairs]))


CORPUS = TextCorpus(
    ("negative", "positive"),
    train=split(("a fine film", 1), ("a dull film", 0), ("fine fine acting", 1), ("dull", 0), ("fine", 1)),
    validation=split(("a fine thing", 1), ("dull dull", 0)),
    test=split(("a superb film", 1)),  # "superb" is only in test
)


def make(config=None):
    loads = []

    def corpus():
        loads.append(1)
        return CORPUS

    config = config or SentimentConfig(min_count=1)
    return TextClassificationTask("toy", config, corpus, solved_accuracy=0.9), loads


def test_nothing_loads_until_used():
    task, loads = make()
    assert loads == [] and task.name == "toy"
    assert task.io.output_size == 2 and task.io.tokens and not task.io.per_step
    assert loads == [1]


def test_the_vocabulary_comes_from_the_training_split_only():
    """Reference: the training texts' word counts by hand: fine 4, a 2, film 2, dull 2, acting 1; 'superb' and
    'thing' occur only outside training, so they read as <unk> (id 1)."""
    task, _ = make()
    assert task.vocabulary.tokens == (*SPECIALS, "fine", "a", "film", "dull", "acting")
    assert task.io.input_size == len(SPECIALS) + 5
    assert task.encode_input("A superb film").tolist() == [5, 1, 6]
    assert make(SentimentConfig(min_count=2))[0].vocabulary.tokens == (*SPECIALS, "fine", "a", "film", "dull")


def test_the_same_config_rebuilds_the_same_vocabulary_and_char_level_works():
    first, second = make()[0], make()[0]
    assert first.vocabulary == second.vocabulary
    chars = make(SentimentConfig(level="char", min_count=1))[0]
    assert chars.encode_input("fin").tolist() == [chars.vocabulary.id_of(c) for c in "fin"]


def test_classify_input_and_baseline():
    task, _ = make()
    assert task.classes == ("negative", "positive")
    with pytest.raises(ValueError, match="no text to classify"):
        task.encode_input("   ")
    assert task.encode("!?").tolist() == [1, 1]  # marks unseen in training are unknown, not dropped
    assert task.baseline == {"accuracy": 0.5}  # majority positive (3 of 5), right on 1 of 2 validation texts


def test_the_training_loop_accepts_it():
    """Reference: rnnlab.train.loop.train runs a few steps and evaluates on the validation split (no claim)."""
    task, _ = make()
    model = build_model(ModelConfig("lstm", hidden_size=8), task.io)
    result = train(model, task, TrainConfig(steps=4, batch_size=4, eval_every=2, device="cpu"))
    assert len(result.records) == 2 and set(result.final.metrics) == {"accuracy", "cross_entropy"}
    assert math.isfinite(result.final.train_loss)


def test_registered_tasks_build_without_loading():
    entry = task_entry("sentiment")
    assert entry.dataset == "rotten-tomatoes" and entry.metric == "accuracy" and not entry.lower_is_better
    assert make_task("sentiment", level="char", max_train=100).name == "sentiment-char-train100"
    unconfigured = make_task("text-csv")
    assert unconfigured.baseline == {}  # `rnnlab tasks` lists it with no file
    with pytest.raises(ValueError, match="task text-csv needs a file: --set path="):
        _ = unconfigured.io


def test_baselines_are_the_majority_class_and_the_bag_of_words_on_either_split():
    """Reference: text_baselines on the same corpus, its validation and test accuracies."""
    task, _ = make()
    majority, bag = text_baselines(CORPUS)
    assert task.baselines("validation") == {"majority class": {"accuracy": majority.validation_accuracy},
                                            "bag of words": {"accuracy": bag.validation_accuracy}}
    assert task.baselines("test")["bag of words"] == {"accuracy": bag.test_accuracy}


def test_a_user_csv_is_solved_only_above_its_strongest_baseline(tmp_path):
    """Reference: text_baselines of the same file: the strongest validation accuracy is the bar, and a tie
    does not clear it (issue 14: text-csv used to need accuracy 1.0)."""
    path = tmp_path / "r.csv"
    path.write_text("review,stars\n" + "".join(f"great {i} film,5\nawful {i} film,1\nfilm {i} ok,3\n"
                                              for i in range(10)))
    task = make_task("text-csv", path=str(path), text_column="review", label_column="stars")
    strongest = max(result.validation_accuracy for result in text_baselines(task.corpus))
    assert task.solved_threshold == strongest
    assert not task.solved({"accuracy": strongest}) and task.solved({"accuracy": strongest + 0.01})


def test_a_csv_run_records_the_file_and_refuses_a_changed_one(tmp_path, monkeypatch):
    path = tmp_path / "r.csv"
    path.write_text("review,stars\n" + "".join(f"great {i},5\nawful {i},1\n" for i in range(10)))
    monkeypatch.chdir(tmp_path)
    config = task_entry("text-csv").config(path="r.csv", text_column="review", label_column="stars")
    assert config.path == str(path) and len(config.fingerprint) == 64  # absolute: rebuilds from any folder
    task = make_task("text-csv", **dataclasses.asdict(config))  # as a saved run's config rebuilds
    assert task.classes == ("1", "5") and task.name == "text-csv-r-word"
    assert task_entry("text-csv").config(label_column=1).label_column == "1"  # `--set label_column=1` is a name
    path.write_text(path.read_text() + "fine,5\n")
    rebuilt = task_entry("text-csv").build(config)
    with pytest.raises(ValueError, match=r"r\.csv has changed since this run was made"):
        _ = rebuilt.io


def test_word_dropout_hides_training_tokens_only_and_only_when_asked():
    """Reference: with p = 0 a batch is the plain sample (same generator draws); with p > 0 the same rows come
    back with about p of their real tokens read as <unk> and every pad left as it was; p = 1 is refused."""
    plain, _ = make()
    dropping, _ = make(SentimentConfig(min_count=1, word_dropout=0.5))
    base = plain.sample(256, torch.Generator().manual_seed(0))
    again = make(SentimentConfig(min_count=1, word_dropout=0.0))[0].sample(256, torch.Generator().manual_seed(0))
    assert torch.equal(base.inputs, again.inputs)
    dropped = dropping.sample(256, torch.Generator().manual_seed(0))
    assert torch.equal(dropped.targets, base.targets) and torch.equal(dropped.lengths, base.lengths)
    real = torch.arange(base.inputs.shape[1]) < base.lengths[:, None]
    changed = dropped.inputs != base.inputs
    assert not changed[~real].any()  # padding untouched
    assert (dropped.inputs[changed] == dropping.vocabulary.unk).all()
    assert 0.4 < changed[real].float().mean() < 0.6
    assert torch.equal(dropping.test_set().inputs, plain.test_set().inputs)  # held-out texts read whole
    with pytest.raises(ValueError, match="word_dropout"):
        SentimentConfig(word_dropout=1.0)
