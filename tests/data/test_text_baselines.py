"""Text baselines: the tf-idf features by hand, L-BFGS at the optimum, and a bag of words beating the majority."""

import math

import pytest
import torch
import torch.nn.functional as F

from rnnlab.data.datasets.text_csv import LabelledTexts, make_corpus
from rnnlab.data.text_baselines import (
    BagOfWords,
    BagOfWordsConfig,
    bag_of_words_baseline,
    fit_logistic_regression,
    majority_baseline,
    ngrams,
    text_baselines,
)


def test_ngrams():
    assert ngrams("A fine film.", 2) == ["a", "fine", "film", ".", "a fine", "fine film", "film ."]


def test_tf_idf_rows_by_hand():
    """Reference: by hand. Training texts 'a b', 'a c a': df a=2, b=1, c=1 with N=2, so idf_a = ln(3/3)+1 = 1 and
    idf_b = idf_c = ln(3/2)+1. 'a a b' has tf_a = 1+ln 2, tf_b = 1, then the row is L2-normalised; 'z' is unseen."""
    features = BagOfWords(["a b", "a c a"], n=1, min_count=1)
    assert list(features.index) == ["a", "b", "c"]
    x = features.transform(["a a b", "z"]).to_dense()
    idf_b = math.log(1.5) + 1
    expected = torch.tensor([1 + math.log(2), idf_b, 0.0])
    torch.testing.assert_close(x[0], expected / expected.norm())
    assert x[1].abs().sum() == 0


def test_lbfgs_reaches_the_optimum():
    """Reference: the first-order optimality condition of Σ CE/N + ‖W‖²/(2CN): its gradient vanishes."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(60, 5, generator=generator).to_sparse()
    y = (x.to_dense()[:, 0] + 0.5 * torch.randn(60, generator=generator) > 0).long()
    weight, bias = fit_logistic_regression(x, y, 2, c=1.0)
    weight.requires_grad_(), bias.requires_grad_()
    objective = F.cross_entropy(torch.sparse.mm(x, weight) + bias, y) + weight.pow(2).sum() / (2 * 1.0 * 60)
    objective.backward()
    assert weight.grad.abs().max() < 1e-4 and bias.grad.abs().max() < 1e-4
    assert float(weight.detach()[0, 1] - weight.detach()[0, 0]) > 0  # the informative feature points to class 1


def separable():
    """Class 1 texts hold 'good' or 'great', class 0 'bad' or 'awful'; 60 % of the texts are class 0."""
    words = {0: ["bad", "awful"], 1: ["good", "great"]}
    filler = ["the", "film", "plot", "was", "a", "story"]
    texts, labels = [], []
    for i in range(100):
        label = int(i % 5 < 2)
        texts.append(f"{filler[i % 6]} {words[label][i % 2]} {filler[(i // 6) % 6]} {i}")
        labels.append(label)
    return make_corpus(texts, labels, ("neg", "pos"), "toy")


def test_the_bag_of_words_beats_the_majority_on_a_separable_set():
    corpus = separable()
    majority, bag = text_baselines(corpus, config=BagOfWordsConfig(grid=(1.0, 10.0), min_count=1))
    assert majority.name == "majority class" and majority.test_accuracy == pytest.approx(0.6)
    assert bag.name == "bag of words" and bag.test_accuracy == 1.0 and bag.validation_accuracy == 1.0
    assert bag.setting.startswith("C=")


def test_majority_is_the_training_split_s_most_frequent_class():
    def texts(*labels):
        return LabelledTexts(tuple(str(i) for i in range(len(labels))), torch.tensor(labels))

    result = majority_baseline(texts(2, 2, 0), texts(2, 1), texts(0, 0, 2, 1), classes=3)
    assert (result.validation_accuracy, result.test_accuracy) == (0.5, 0.25)


def test_too_little_text_is_refused():
    corpus = separable()
    with pytest.raises(ValueError, match="no n-gram occurs in 1000 training texts"):
        bag_of_words_baseline(corpus.train, corpus.validation, corpus.test, 2, BagOfWordsConfig(min_count=1000))
