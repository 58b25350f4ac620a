"""Streaming generation: carried state against re-reading the whole text each step, seeds, and
detokenising characters, words and bytes."""

import pytest
import torch

from rnnlab.data.vocab import Vocabulary
from rnnlab.decode.sampling import SamplingConfig, sample
from rnnlab.generate.text import Detokenizer, generate_text
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.models.sequence import IOSpec

VOCABULARY = Vocabulary.build(["to be or not to be, that is the question\n"], "char")


def by_rereading(model, prompt: str, length: int, rule: SamplingConfig, seed: int) -> str:
    """The reference: no carried state; the model reads the whole text so far before every token."""
    ids, generator = VOCABULARY.encode(prompt), torch.Generator().manual_seed(seed)
    for _ in range(length):
        with torch.no_grad():
            logits = model(torch.tensor([ids]))[0][:, -1]  # (1, V)
        logits[:, [VOCABULARY.pad, VOCABULARY.bos, VOCABULARY.eos]] = -torch.inf
        ids.append(int(sample(logits, rule, generator)))
    return VOCABULARY.decode(ids[len(VOCABULARY.encode(prompt)):], skip_specials=False)


@pytest.mark.parametrize("name", ["lstm", "gru", "transformer"])
@pytest.mark.parametrize("rule", [SamplingConfig(temperature=0), SamplingConfig(temperature=1.0)], ids=["greedy", "t1"])
def test_carried_state_generates_what_rereading_generates(name, rule):
    """Reference: decoding by re-reading the whole prefix each step, with the same seed. One token at a time
    with the state carried (the LSTM's single-step cell, the Transformer's context) gives the same 40 tokens."""
    torch.manual_seed(0)
    V = len(VOCABULARY)
    model = build_model(ModelConfig(name, hidden_size=16), IOSpec(V, V, tokens=True)).eval()
    streamed = "".join(generate_text(model, VOCABULARY, "to be", 40, rule, seed=3))
    assert streamed == by_rereading(model, "to be", 40, rule, seed=3)
    assert len(set(streamed)) > 3 or rule.temperature == 0  # sampling visits many tokens: a sharp check


def test_a_seed_gives_the_same_text_and_specials_are_never_sampled():
    torch.manual_seed(0)
    V = len(VOCABULARY)
    model = build_model(ModelConfig("lstm", hidden_size=16), IOSpec(V, V, tokens=True))
    rule = SamplingConfig(temperature=1.5)
    first = list(generate_text(model, VOCABULARY, "to", 200, rule, seed=4))
    assert first == list(generate_text(model, VOCABULARY, "to", 200, rule, seed=4))
    assert len(first) == 200 and not {"<pad>", "<bos>", "<eos>"} & set(first)
    assert first != list(generate_text(model, VOCABULARY, "to", 200, rule, seed=5))


def test_detokenizer_spaces_words_and_joins_bytes():
    words = Vocabulary.build(["the cat sat"], "word")
    detokenizer = Detokenizer(words)
    assert [detokenizer.piece(words.id_of(w)) for w in ("cat", "sat")] == [" cat", " sat"]
    assert detokenizer.piece(words.unk) == "<unk>"
    data = Vocabulary.build([], "byte")
    detokenizer = Detokenizer(data)
    pieces = [detokenizer.piece(i) for i in data.encode("né")]  # é is two UTF-8 bytes
    assert pieces == ["n", "", "é"]


def test_an_empty_prompt_is_refused():
    model = build_model(ModelConfig("lstm", hidden_size=4), IOSpec(len(VOCABULARY), len(VOCABULARY), tokens=True))
    with pytest.raises(ValueError, match="has no char-level tokens"):
        list(generate_text(model, VOCABULARY, "", 5, SamplingConfig()))
