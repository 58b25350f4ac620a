"""Beam search: hand-worked searches over a table of next-token probabilities, GNMT length normalisation,
and beam 1 = greedy, token for token and score for score, on real models."""

import math

import pytest
import torch
from torch import Tensor, nn

from rnnlab.decode.beam import beam_search, length_penalty
from rnnlab.decode.seq2seq import greedy_decode
from rnnlab.models.registry import ModelConfig, build_for_io
from rnnlab.models.seq2seq import Memory, Seq2SeqModel
from rnnlab.models.sequence import IOSpec

BOS, EOS, A, B = 2, 3, 4, 5
VOCAB = 6
UNLISTED = 1e-9  # probability of every token a row of the table does not name


class TableModel(Seq2SeqModel):
    """p(y_t | y_<t) = table[y_<t] (the prefix after <bos>); a prefix not in the table ends: p(<eos>) = 1."""

    def __init__(self, table: dict[tuple[int, ...], dict[int, float]]) -> None:
        super().__init__(VOCAB, VOCAB)
        self.table = table
        self.anchor = nn.Parameter(torch.zeros(1))  # decoding reads the device off a parameter

    def encode(self, source: Tensor, lengths: Tensor | None = None) -> tuple[Memory, Tensor]:
        rows = source.shape[0]
        return Memory(torch.zeros(rows, 1, 1), torch.ones(rows, 1, dtype=torch.bool)), source.new_zeros(rows, 0)

    def decode(self, target_in: Tensor, state: Tensor, memory: Memory) -> tuple[Tensor, Tensor]:
        prefix = torch.cat([state, target_in], dim=1)
        rows = []
        for row in prefix.tolist():
            log_p = torch.full((VOCAB,), math.log(UNLISTED))
            for token, p in self.table.get(tuple(row[1:]), {EOS: 1.0}).items():
                log_p[token] = math.log(p)
            rows.append(log_p)
        return torch.stack(rows)[:, None, :].expand(-1, target_in.shape[1], -1), prefix

    def select_state(self, state: Tensor, rows: Tensor) -> Tensor:
        return state[rows]


SOURCE = torch.tensor([[7, EOS]])
# Greedy takes "a" (0.6) and then stops (0.4): P = 0.24. "b" then stop has P = 0.4 · 0.9 = 0.36.
GREEDY_TRAP = {(): {A: 0.6, B: 0.4}, (A,): {EOS: 0.4, A: 0.3, B: 0.3}, (B,): {EOS: 0.9, A: 0.05, B: 0.05}}
# Short "b" (P = 0.55 · 0.9 = 0.495) against long "a a a" (P = 0.45 · 0.9³ = 0.328).
SHORT_OR_LONG = {(): {B: 0.55, A: 0.45}, (B,): {EOS: 0.9, A: 0.05, B: 0.05}, (A,): {A: 0.9, EOS: 0.1},
                 (A, A): {A: 0.9, EOS: 0.1}, (A, A, A): {EOS: 0.9, A: 0.1}}


def test_greedy_falls_into_the_trap_that_a_beam_of_two_avoids():
    """Reference, by hand: greedy picks a (0.6) then <eos> (0.4), log 0.24; a beam of two keeps "b" alive and
    ends with b <eos>, log 0.36, then a <eos> second."""
    model = TableModel(GREEDY_TRAP)
    (greedy,) = greedy_decode(model, SOURCE, None, BOS, EOS, max_length=5)
    assert greedy.tokens == (A,) and greedy.finished
    assert greedy.log_prob == pytest.approx(math.log(0.24), abs=1e-6)
    (beams,) = beam_search(model, SOURCE, None, BOS, EOS, beam_size=2, max_length=5)
    assert [h.tokens for h in beams] == [(B,), (A,)]
    assert [h.log_prob for h in beams] == pytest.approx([math.log(0.36), math.log(0.24)], abs=1e-6)


def test_length_normalisation_lets_the_longer_output_win():
    """Reference, by hand with lp = ((5 + |Y|)/6)^α (Wu et al. 2016): α = 0 ranks "b" (log 0.495) over
    "a a a" (log 0.328); α = 2 divides by lp(2) = 1.361 and lp(4) = 2.25: -0.5166 < -0.4954, so "a a a" wins."""
    model = TableModel(SHORT_OR_LONG)
    (plain,) = beam_search(model, SOURCE, None, BOS, EOS, beam_size=3, max_length=6, alpha=0.0)
    assert plain[0].tokens == (B,)
    (normalised,) = beam_search(model, SOURCE, None, BOS, EOS, beam_size=3, max_length=6, alpha=2.0)
    assert normalised[0].tokens == (A, A, A)
    assert normalised[0].score == pytest.approx(math.log(0.45 * 0.9**3) / 2.25, abs=1e-6)
    assert normalised[1].tokens == (B,)
    assert normalised[1].score == pytest.approx(math.log(0.495) / (7 / 6) ** 2, abs=1e-6)
    assert length_penalty(4, 2.0) == pytest.approx(2.25)


def test_banned_tokens_are_never_generated():
    """Reference, by hand: with "a" banned, greedy and the beam take "b" then <eos>: log 0.36, the model's own
    probabilities (not renormalised)."""
    model = TableModel(GREEDY_TRAP)
    (greedy,) = greedy_decode(model, SOURCE, None, BOS, EOS, max_length=5, banned=(A,))
    (beams,) = beam_search(model, SOURCE, None, BOS, EOS, beam_size=2, max_length=5, banned=(A,))
    assert greedy.tokens == beams[0].tokens == (B,)
    assert greedy.log_prob == pytest.approx(math.log(0.36), abs=1e-6)
    assert A not in beams[1].tokens


def test_hypotheses_cut_off_at_max_length_are_unfinished():
    """Reference: the table's "a a a ..." never ends within 2 tokens when every step prefers a."""
    model = TableModel({(): {A: 0.9, EOS: 0.1}, (A,): {A: 0.9, EOS: 0.1}})
    (beams,) = beam_search(model, SOURCE, None, BOS, EOS, beam_size=1, max_length=2)
    assert beams[0].tokens == (A, A) and not beams[0].finished


@pytest.mark.parametrize(("name", "attention"), [("lstm", "additive"), ("gru", "none"), ("transformer", "none")])
@pytest.mark.parametrize("alpha", [0.0, 0.6])
def test_a_beam_of_one_is_greedy_decoding(name, attention, alpha):
    """Reference: greedy_decode on the same untrained model and padded batch: the same tokens, log-probabilities
    and scores, exactly."""
    io = IOSpec(17, 19, tokens=True, pairs=True)
    model = build_for_io(ModelConfig(name, hidden_size=8, attention=attention, num_heads=2), io).eval()
    source = torch.randint(4, 17, (4, 6), generator=torch.Generator().manual_seed(3))
    lengths = torch.tensor([6, 2, 4, 1])
    banned = (0, 1, BOS)
    greedy = greedy_decode(model, source, lengths, BOS, EOS, max_length=12, alpha=alpha, banned=banned)
    beams = beam_search(model, source, lengths, BOS, EOS, beam_size=1, max_length=12, alpha=alpha, banned=banned)
    assert [h.tokens for h in greedy] == [b[0].tokens for b in beams]
    assert [h.log_prob for h in greedy] == [b[0].log_prob for b in beams]
    assert [h.score for h in greedy] == [b[0].score for b in beams]
    assert not {0, 1, BOS} & {token for h in greedy for token in h.tokens}


def test_beams_come_best_first_with_their_normalised_scores():
    """Reference: Hypothesis.score = log_prob / lp(|Y|), |Y| counting <eos> when finished; sorted descending."""
    io = IOSpec(17, 19, tokens=True, pairs=True)
    model = build_for_io(ModelConfig("lstm", hidden_size=8, attention="multiplicative"), io).eval()
    source = torch.randint(4, 17, (2, 5), generator=torch.Generator().manual_seed(4))
    for beams in beam_search(model, source, None, BOS, EOS, beam_size=4, max_length=8, alpha=0.6):
        scores = [h.score for h in beams]
        assert scores == sorted(scores, reverse=True) and len(beams) == 4
        for h in beams:
            assert h.score == pytest.approx(h.log_prob / length_penalty(len(h.tokens) + h.finished, 0.6), rel=1e-5)


def test_bad_settings_are_refused():
    model = TableModel(GREEDY_TRAP)
    for options in ({"beam_size": 0}, {"max_length": 0}, {"alpha": -1.0}):
        settings = {"beam_size": 2, "max_length": 5, "alpha": 0.0} | options
        with pytest.raises(ValueError):
            beam_search(model, SOURCE, None, BOS, EOS, **settings)
