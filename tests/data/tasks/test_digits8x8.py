"""The digits8x8 task on fake images: one image row per step, pixels / 16, loaded on first use."""

import torch

from rnnlab.data.tasks import digits8x8
from rnnlab.data.tasks.digits8x8 import Digits8x8Config, Digits8x8Task
from rnnlab.models.sequence import IOSpec


def test_rows_become_steps_and_nothing_loads_at_build(monkeypatch):
    """Reference: Digits8x8Config's docstring: x_t = row t of the image, its 8 pixels / 16."""
    loads = []
    images = (torch.arange(4 * 64) % 17).to(torch.uint8).reshape(4, 8, 8)

    def fake(split):
        loads.append(split)
        return images, torch.tensor([0, 1, 2, 1])

    monkeypatch.setattr(digits8x8, "load_digits8x8", fake)
    task = Digits8x8Task(Digits8x8Config())
    assert loads == [] and task.io == IOSpec(8, 10, per_step=False) and task.classes[3] == "3"
    batch = task.test_set()
    assert batch.inputs.shape == (4, 8, 8)
    torch.testing.assert_close(batch.inputs[2, 5], images[2, 5].float() / 16)
    assert task.baseline == {"accuracy": 0.5}  # the training majority, class 1, is right on 2 of 4
    assert sorted(loads) == ["train", "validation"]
    assert len(Digits8x8Task(Digits8x8Config(max_train=3)).train_split.labels) == 3
