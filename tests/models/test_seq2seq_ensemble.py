"""Sequence-to-sequence ensembles (models/ensemble.py): the mean of the members' next-token probabilities at
every step, checked against softmaxes averaged here by hand, decoded step by step, greedily and by beam search."""

import math

import pytest
import torch
from seq2seq_checks import assert_stepwise_equals_teacher_forcing
from torch.testing import assert_close

from rnnlab.decode.beam import beam_search
from rnnlab.decode.seq2seq import greedy_decode
from rnnlab.models.ensemble import Seq2SeqEnsemble
from rnnlab.models.registry import ModelConfig, build_for_io
from rnnlab.models.seq2seq import Seq2SeqModel
from rnnlab.models.sequence import IOSpec

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")

B, S, T, V_SOURCE, V_TARGET, H = 3, 6, 5, 11, 13, 8
IO = IOSpec(V_SOURCE, V_TARGET, tokens=True, pairs=True)
LENGTHS = torch.tensor([S, 2, 4])
SOURCE_TOKENS = [f"s{i}" for i in range(V_SOURCE)]
TARGET_TOKENS = [f"t{i}" for i in range(V_TARGET)]
BOS, EOS = 2, 3


def member(name: str, seed: int, attention: str = "additive") -> Seq2SeqModel:
    torch.manual_seed(seed)
    config = ModelConfig(name, hidden_size=H, attention=attention, num_heads=2, ff_mult=2, max_len=32)
    model = build_for_io(config, IO).double().eval()
    assert isinstance(model, Seq2SeqModel)
    model.set_token_tables(SOURCE_TOKENS, TARGET_TOKENS)
    return model


def tokens(vocab: int, steps: int, seed: int) -> torch.Tensor:
    return torch.randint(4, vocab, (B, steps), generator=torch.Generator().manual_seed(seed))


@pytest.fixture
def members() -> list[Seq2SeqModel]:
    """Three families with different state shapes: a GRU and an LSTM with attention, and a Transformer."""
    return [member("gru", 0), member("lstm", 1), member("transformer", 2, "none")]


def test_teacher_forcing_gives_the_log_of_the_mean_next_token_probability(members):
    source, target_in = tokens(V_SOURCE, S, 0), tokens(V_TARGET, T, 1)
    with torch.no_grad():
        outputs, _ = Seq2SeqEnsemble(members)((source, target_in), None, LENGTHS)
        mean = torch.stack([m((source, target_in), None, LENGTHS)[0].softmax(-1) for m in members]).mean(0)
    assert outputs.shape == (B, T, V_TARGET)
    assert_close(outputs, mean.log())


def test_decoding_step_by_step_equals_teacher_forcing(members):
    """Every member's state carried through the ensemble's state, one target token at a time."""
    assert_stepwise_equals_teacher_forcing(Seq2SeqEnsemble(members), tokens(V_SOURCE, S, 2), tokens(V_TARGET, T, 3),
                                           LENGTHS)


def test_selecting_rows_of_memory_and_state_is_decoding_those_rows(members):
    ensemble = Seq2SeqEnsemble(members)
    source, target_in, rows = tokens(V_SOURCE, S, 4), tokens(V_TARGET, 2, 5), torch.tensor([2, 0, 2])
    with torch.no_grad():
        memory, state = ensemble.encode(source, LENGTHS)
        _, state = ensemble.decode(target_in[:, :1], state, memory)
        picked, _ = ensemble.decode(target_in[rows, 1:], ensemble.select_state(state, rows), memory.select(rows))
        everything, _ = ensemble.decode(target_in[:, 1:], state, memory)
    assert_close(picked, everything[rows])


def test_an_ensemble_of_one_decodes_as_its_member(members):
    """Reference: the member's own greedy decode and beam search, token for token and score for score."""
    source = tokens(V_SOURCE, S, 6)
    alone, ensemble = members[1], Seq2SeqEnsemble(members[1:2])
    for ours, theirs in zip(greedy_decode(ensemble, source, LENGTHS, BOS, EOS, 8),
                            greedy_decode(alone, source, LENGTHS, BOS, EOS, 8), strict=True):
        assert (ours.tokens, ours.finished) == (theirs.tokens, theirs.finished)
        assert ours.log_prob == pytest.approx(theirs.log_prob, rel=1e-6)  # decoding reads float32 log-probabilities
    for ours, theirs in zip(beam_search(ensemble, source, LENGTHS, BOS, EOS, 3, 8, 0.6),
                            beam_search(alone, source, LENGTHS, BOS, EOS, 3, 8, 0.6), strict=True):
        assert [h.tokens for h in ours] == [h.tokens for h in theirs]
        assert [h.score for h in ours] == pytest.approx([h.score for h in theirs], rel=1e-6)


def test_beam_search_scores_hypotheses_by_the_ensembles_probability(members):
    """Reference: each returned hypothesis's log-probability recomputed by teacher-forcing the ensemble on it."""
    ensemble, source = Seq2SeqEnsemble(members), tokens(V_SOURCE, S, 7)
    for row, hypotheses in enumerate(beam_search(ensemble, source, LENGTHS, BOS, EOS, 4, 6, 0.6)):
        for h in hypotheses:
            target = [*h.tokens, EOS] if h.finished else list(h.tokens)
            target_in = torch.tensor([[BOS, *target[:-1]]])
            with torch.no_grad():
                log_p, _ = ensemble((source[row:row + 1], target_in), None, LENGTHS[row:row + 1])
            expected = float(log_p[0, torch.arange(len(target)), torch.tensor(target)].sum())
            assert math.isclose(h.log_prob, expected, rel_tol=1e-6, abs_tol=1e-9)


def test_the_ensemble_carries_its_members_vocabularies_and_refuses_others(members):
    assert Seq2SeqEnsemble(members).token_tables() == (SOURCE_TOKENS, TARGET_TOKENS)
    other = member("gru", 3)
    other.set_token_tables(SOURCE_TOKENS, [*TARGET_TOKENS[:-1], "different"])
    with pytest.raises(ValueError, match="member 2 has other vocabularies than member 1"):
        Seq2SeqEnsemble([members[0], other])
    with pytest.raises(ValueError, match="at least one member"):
        Seq2SeqEnsemble([])
