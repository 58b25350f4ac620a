"""Truncated-BPTT stream batching: the module docstring's hand-worked example, frames, and the
reference that carrying state over chunks equals one long unrolled pass."""

import pytest
import torch

from rnnlab.data.stream import StreamBatches, step_weights
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.models.sequence import IOSpec
from rnnlab.train.loop import carry_state


def ids(text: str) -> torch.Tensor:
    return torch.tensor([ord(c) for c in text])


def chars(row: torch.Tensor) -> str:
    return "".join("·" if int(i) == 0 else chr(int(i)) for i in row)


def test_hand_worked_example_from_the_docstring():
    """Reference: the diagram in rnnlab.data.stream, worked by hand."""
    batches = StreamBatches([ids("abcdef"), ids("xyz")], chunk_length=2, columns=2)
    assert len(batches) == 2 and batches.steps == 5 + 2
    first, second = batches.batch(0), batches.batch(1)
    assert [chars(r) for r in first.sequence] == ["ab", "e·"]
    assert [chars(r) for r in first.targets] == ["bc", "f·"]
    assert first.lengths.tolist() == [2, 1] and first.resets.tolist() == [True, True]
    assert [chars(r) for r in second.sequence] == ["cd", "xy"]
    assert [chars(r) for r in second.targets] == ["de", "yz"]
    assert second.lengths is None and second.resets.tolist() == [False, True]
    assert step_weights(first).tolist() == [[1.0, 1.0], [1.0, 0.0]]
    # The position is a pure function of k: batch N + k is batch k again (the next pass), resets included.
    again = batches.batch(2)
    assert torch.equal(again.sequence, first.sequence) and again.resets.tolist() == [True, True]


def test_one_document_cut_into_columns_drops_the_remainder():
    """Reference: "abcdefghij" (9 pairs) at T=2 is 5 chunks, the last one "i·"; 2 columns of 2 drop it."""
    batches = StreamBatches([ids("abcdefghij")], chunk_length=2, columns=2)
    assert [[chars(r) for r in b.sequence] for b in batches] == [["ab", "ef"], ["cd", "gh"]]
    assert [b.resets.tolist() for b in batches] == [[True, True], [False, False]]
    everything = StreamBatches([ids("abcdefghij")], chunk_length=2, columns=2, drop_remainder=False)
    assert len(everything) == 3 and everything.steps == 9
    last = everything.batch(2)
    assert [chars(r) for r in last.sequence] == ["ef", "··"] and last.lengths.tolist() == [2, 0]


def test_frames_keep_their_trailing_dims():
    frames = torch.arange(7 * 3, dtype=torch.float32).view(7, 3)  # 7 frames of 3 features: 6 pairs
    batch = StreamBatches([frames], chunk_length=3, columns=2).batch(0)
    assert batch.sequence.shape == (2, 3, 3) and batch.targets.shape == (2, 3, 3)
    assert torch.equal(batch.sequence[1, 0], frames[3]) and torch.equal(batch.targets[1, -1], frames[6])


def test_errors_are_one_clear_line():
    with pytest.raises(ValueError, match="too few for 4 columns"):
        StreamBatches([ids("abcde")], chunk_length=2, columns=4)
    with pytest.raises(ValueError, match="empty"):
        StreamBatches([ids("a"), ids("")], chunk_length=2, columns=1)


def test_carried_state_over_chunks_equals_one_long_pass():
    """Reference: one unrolled pass of the whole stream. An LSTM fed chunk after chunk, its state carried
    (and detached) by the trainer's `carry_state`, gives the same outputs, to float tolerance."""
    torch.manual_seed(0)
    model = build_model(ModelConfig("lstm", hidden_size=16), IOSpec(20, 20, tokens=True)).eval()
    stream = torch.randint(0, 20, (2 * 5 * 4 + 1,))
    batches = StreamBatches([stream], chunk_length=4, columns=2)  # 2 columns of 5 chunks
    with torch.no_grad():
        state, pieces = None, []
        for batch in batches:
            state = carry_state(state, batch.resets)
            outputs, state = model(batch.inputs, state, batch.lengths)
            pieces.append(outputs)  # (2, 4, V)
        chunked = torch.cat(pieces, dim=1)  # (2, 20, V): each column's whole text
        whole, _ = model(stream[:-1].view(2, 20))
    torch.testing.assert_close(chunked, whole, rtol=1e-5, atol=1e-5)
