"""Checks and data shared by the sequence-to-sequence tests (importable as `seq2seq_checks`, as pyproject.toml
puts tests/support on pytest's path)."""

import torch
from torch.testing import assert_close

# Ten German-English pairs a tiny model learns by heart in about a second (tsv runs in the CLI and ensemble tests).
PAIRS = [("ein kleines haus", "a small house"), ("das haus", "the house"), ("ein haus", "a house"),
         ("das kleine boot", "the small boat"), ("ein boot", "a boat"), ("das boot ist klein", "the boat is small"),
         ("ein kleines boot", "a small boat"), ("das haus ist klein", "the house is small"),
         ("ein sehr kleines haus", "a very small house"), ("das boot", "the boat")]


def assert_stepwise_equals_teacher_forcing(model: torch.nn.Module, source: torch.Tensor, target_in: torch.Tensor,
                                          lengths: torch.Tensor) -> None:
    """Reference: one teacher-forced call over the whole target; feeding it one token at a time with the state
    carried (what generation does) must give the same logits."""
    with torch.no_grad():
        whole, _ = model((source, target_in), None, lengths)
        memory, state = model.encode(source, lengths)
        steps = []
        for t in range(target_in.shape[1]):
            logits, state = model.decode(target_in[:, t:t + 1], state, memory)
            steps.append(logits)
    assert_close(torch.cat(steps, dim=1), whole)
