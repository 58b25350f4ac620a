"""Sampling rules: hand-worked filters, seeded determinism, and excluded tokens never drawn."""

import math

import pytest
import torch

from rnnlab.decode.sampling import SamplingConfig, filter_logits, sample

LOGITS = torch.log(torch.tensor([[0.5, 0.2, 0.15, 0.1, 0.05]]))  # probabilities worked by hand below


def kept(logits: torch.Tensor) -> list[int]:
    return torch.isfinite(logits[0]).nonzero().flatten().tolist()


def test_filters_keep_what_the_hand_worked_sets_say():
    """Reference: probabilities 0.5, 0.2, 0.15, 0.1, 0.05. top-k 2 keeps {0, 1}; top-p 0.7 keeps {0, 1}
    (0.5 < 0.7, 0.5 + 0.2 reaches it); top-p 0.71 adds token 2; top-p 0.3 keeps the most likely alone."""
    assert kept(filter_logits(LOGITS, top_k=2)) == [0, 1]
    assert kept(filter_logits(LOGITS, top_p=0.7)) == [0, 1]
    assert kept(filter_logits(LOGITS, top_p=0.71)) == [0, 1, 2]
    assert kept(filter_logits(LOGITS, top_p=0.3)) == [0]
    assert kept(filter_logits(LOGITS[:, [3, 0, 4, 2, 1]], top_p=0.7)) == [1, 4]  # order of the vocabulary kept


def test_greedy_is_argmax_and_seeds_reproduce():
    logits = torch.randn(4, 30)
    assert torch.equal(sample(logits, SamplingConfig(temperature=0)), logits.argmax(-1))
    rule = SamplingConfig(temperature=0.8, top_k=10, top_p=0.9)
    assert torch.equal(sample(logits, rule, torch.Generator().manual_seed(3)),
                       sample(logits, rule, torch.Generator().manual_seed(3)))
    generator = torch.Generator().manual_seed(1)
    a = torch.stack([sample(logits, rule, generator) for _ in range(20)])
    generator.manual_seed(1)
    assert torch.equal(a, torch.stack([sample(logits, rule, generator) for _ in range(20)]))


@pytest.mark.parametrize("top_k, top_p", [(3, None), (None, 0.6), (5, 0.5)])
def test_excluded_tokens_are_never_drawn(top_k, top_p):
    """Property over 2,000 draws from random logits: every draw lies in the filtered set."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(2000, 12, generator=generator) * 2
    allowed = torch.isfinite(filter_logits(logits / 1.3, top_k, top_p))
    draws = sample(logits, SamplingConfig(temperature=1.3, top_k=top_k, top_p=top_p), generator)
    assert bool(allowed.gather(1, draws[:, None]).all())
    if top_k is not None:
        assert int(allowed.sum(-1).max()) <= top_k


def test_temperature_matches_softmax_frequencies():
    """Reference: softmax(z / τ). 20,000 draws at τ = 2 land within 0.015 of those probabilities."""
    generator = torch.Generator().manual_seed(0)
    rule = SamplingConfig(temperature=2.0)
    draws = sample(LOGITS.expand(20_000, -1), rule, generator)
    frequencies = torch.bincount(draws, minlength=5).float() / 20_000
    torch.testing.assert_close(frequencies, (LOGITS[0] / 2).softmax(-1), atol=0.015, rtol=0)


def test_bad_settings_are_refused():
    for bad in ({"temperature": -1.0}, {"temperature": math.inf}, {"top_k": 0}, {"top_p": 0.0}, {"top_p": 1.5}):
        with pytest.raises(ValueError):
            SamplingConfig(**bad)
