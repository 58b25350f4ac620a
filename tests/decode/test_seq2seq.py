"""Step-by-step decoding: greedy against its definition, sampling at temperature 0, batching that keeps order."""

import pytest
import torch

from rnnlab.decode.sampling import SamplingConfig
from rnnlab.decode.seq2seq import decode_sources, greedy_decode, pad_sources, sample_decode
from rnnlab.models.registry import ModelConfig, build_for_io
from rnnlab.models.sequence import IOSpec

BOS, EOS = 2, 3
IO = IOSpec(17, 19, tokens=True, pairs=True)


def model(name: str = "lstm", attention: str = "additive") -> torch.nn.Module:
    return build_for_io(ModelConfig(name, hidden_size=8, attention=attention, num_heads=2), IO).eval()


def test_greedy_takes_the_argmax_of_each_step():
    """Reference: a hand-rolled loop: encode, then feed back argmax of model.decode one token at a time."""
    net = model()
    source = torch.tensor([[5, 6, 7, EOS]])
    (found,) = greedy_decode(net, source, None, BOS, EOS, max_length=10)
    with torch.no_grad():
        memory, state = net.encode(source)
    last, tokens, log_prob = torch.tensor([[BOS]]), [], 0.0
    for _ in range(10):
        with torch.no_grad():
            logits, state = net.decode(last, state, memory)
        step = torch.log_softmax(logits[0, -1], dim=-1)
        token = int(step.argmax())
        log_prob += float(step[token])
        if token == EOS:
            break
        tokens.append(token)
        last = torch.tensor([[token]])
    assert found.tokens == tuple(tokens)
    assert found.log_prob == pytest.approx(log_prob, abs=1e-5)


def test_sampling_at_temperature_zero_is_greedy():
    """Reference: SamplingConfig's rule, temperature 0 = argmax."""
    net, source = model("gru", "none"), torch.randint(4, 17, (3, 5), generator=torch.Generator().manual_seed(1))
    greedy = greedy_decode(net, source, None, BOS, EOS, 9)
    sampled = sample_decode(net, source, None, BOS, EOS, 9, SamplingConfig(temperature=0.0))
    assert [h.tokens for h in sampled] == [h.tokens for h in greedy]
    drawn = sample_decode(net, source, None, BOS, EOS, 9, SamplingConfig(1.0), torch.Generator().manual_seed(5))
    again = sample_decode(net, source, None, BOS, EOS, 9, SamplingConfig(1.0), torch.Generator().manual_seed(5))
    assert [h.tokens for h in drawn] == [h.tokens for h in again]


@pytest.mark.parametrize("beam_size", [1, 3])
def test_decoding_many_sources_keeps_their_order(beam_size):
    """Reference: each source decoded alone; length-sorted batches of 2 give the same outputs in input order."""
    net = model("transformer", "none")
    sources = [[5, 6, 7, EOS], [8, EOS], [9, 10, EOS], [11, 12, 13, 14, 15, EOS]]
    together = decode_sources(net, sources, BOS, EOS, max_length=7, beam_size=beam_size, batch_size=2)
    alone = [decode_sources(net, [s], BOS, EOS, max_length=7, beam_size=beam_size)[0] for s in sources]
    assert [h.tokens for h in together] == [h.tokens for h in alone]


def test_pad_sources():
    padded, lengths = pad_sources([[5, 6], [7]])
    assert padded.tolist() == [[5, 6], [7, 0]] and lengths.tolist() == [2, 1]
    with pytest.raises(ValueError, match="at least one token"):
        pad_sources([[5], []])
