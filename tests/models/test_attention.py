"""Attention: the score functions against their equations written out, and masking of padded sources."""

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models.attention import AdditiveAttention, MultiplicativeAttention, attend, make_attention

B, T, S, Q, K = 3, 4, 6, 5, 7
F64 = torch.float64
LENGTHS = torch.tensor([S, 2, 4])


def padded_memory() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    queries = torch.randn(B, T, Q, dtype=F64)
    memory = torch.randn(B, S, K, dtype=F64)
    mask = torch.arange(S)[None, :] < LENGTHS[:, None]  # (B, S)
    memory = torch.where(mask[..., None], memory, torch.tensor(1e6, dtype=F64))  # huge values on padding
    return queries, memory, mask


@pytest.mark.parametrize("name", ["additive", "multiplicative"])
def test_weights_sum_to_one_over_real_positions_and_are_zero_on_padding(name):
    """Reference: the masking rule of attend(): Σ_j α_tj = 1 over j < length, α_tj = 0 exactly beyond it, and
    the context is the weighted sum of the real positions only (so padding values, even huge, never leak)."""
    attention = make_attention(name, Q, K).double()
    queries, memory, mask = padded_memory()
    context, weights = attention(queries, memory, mask)
    assert weights.shape == (B, T, S) and context.shape == (B, T, K)
    assert_close(weights.sum(-1), torch.ones(B, T, dtype=F64))
    assert torch.equal(weights[~mask[:, None, :].expand(B, T, S)], torch.zeros(int((~mask).sum()) * T, dtype=F64))
    for b in range(B):
        real = int(LENGTHS[b])
        assert_close(context[b], weights[b, :, :real] @ memory[b, :real])


def test_additive_score_is_bahdanaus_formula():
    """Reference: Bahdanau et al. (2015), e_tj = vᵀ tanh(W q_t + U h_j + b), written out one pair at a time."""
    attention = AdditiveAttention(Q, K, attention_size=8).double()
    queries, memory = torch.randn(B, T, Q, dtype=F64), torch.randn(B, S, K, dtype=F64)
    W, U, b = attention.query_to_hidden.weight, attention.key_to_hidden.weight, attention.key_to_hidden.bias
    v = attention.hidden_to_score.weight[0]
    expected = torch.stack([torch.stack([torch.stack([v @ torch.tanh(W @ queries[i, t] + U @ memory[i, j] + b)
                                                      for j in range(S)]) for t in range(T)]) for i in range(B)])
    assert_close(attention.scores(queries, memory), expected)
    context, weights = attention(queries, memory)
    assert_close(weights, torch.softmax(expected, dim=-1))
    assert_close(context, torch.softmax(expected, dim=-1) @ memory)


def test_multiplicative_score_is_luongs_general_formula():
    """Reference: Luong et al. (2015), "general": e_tj = q_tᵀ W h_j, one pair at a time."""
    attention = MultiplicativeAttention(Q, K).double()
    queries, memory = torch.randn(B, T, Q, dtype=F64), torch.randn(B, S, K, dtype=F64)
    W = attention.key_to_query.weight  # (Q, K)
    expected = torch.stack([torch.stack([torch.stack([queries[i, t] @ W @ memory[i, j] for j in range(S)])
                                         for t in range(T)]) for i in range(B)])
    assert_close(attention.scores(queries, memory), expected)


def test_attend_with_one_real_position_puts_all_weight_there():
    """Reference: softmax over a single finite score is 1, whatever the score."""
    scores = torch.tensor([[[5.0, -3.0, 7.0]]])
    memory = torch.tensor([[[1.0], [2.0], [3.0]]])
    context, weights = attend(scores, memory, torch.tensor([[False, True, False]]))
    assert torch.equal(weights, torch.tensor([[[0.0, 1.0, 0.0]]]))
    assert torch.equal(context, torch.tensor([[[2.0]]]))


def test_unknown_attention_is_refused():
    with pytest.raises(ValueError, match="unknown attention 'dot'"):
        make_attention("dot", Q, K)  # type: ignore[arg-type]
