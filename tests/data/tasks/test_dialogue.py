"""Dialogue tasks on a fixture conversation: contexts of the last turns, cut contexts and replies, replies."""

import pytest
import torch

from rnnlab.data.tasks import dialogue
from rnnlab.data.tasks.base import seeded
from rnnlab.data.tasks.pairs import EOS_ID
from rnnlab.data.tasks.registry import make_task
from rnnlab.decode.sampling import SamplingConfig
from rnnlab.models.registry import ModelConfig, build_for_io

CONVERSATIONS = [["hello", "hi there", "how are you", "fine thanks and you"], ["what is your name", "i am a bot"]]


@pytest.fixture
def corpus(monkeypatch):
    monkeypatch.setattr(dialogue, "load_conversations", lambda split: CONVERSATIONS)


def test_every_line_after_the_first_answers_its_context():
    """Reference, by hand: each reply with up to `context_turns` lines before it, oldest first."""
    assert dialogue.conversation_examples(CONVERSATIONS, 2) == [
        (("hello",), "hi there"), (("hello", "hi there"), "how are you"), (("hi there", "how are you"),
                                                                          "fine thanks and you"),
        (("what is your name",), "i am a bot")]


def test_contexts_keep_their_end_and_replies_their_start(corpus):
    """Reference: max_length 3: the context's last 3 tokens and its <eos>s survive; the reply's first 3 tokens."""
    task = make_task("chatterbot", context_turns=2, max_length=3, vocab_size=30, min_count=1)
    assert task.name == "chatterbot-context2"
    source = task.encode_source(("hi there", "how are you"))
    assert len(source) == 4 and source[-1] == EOS_ID
    assert task.tokenizers[0].decode(source) == "how are you"
    assert task.tokenizers[1].decode(task.encode_target("fine thanks and you")) == "fine thanks and"
    batch = task.sample(4, seeded(0, 0))
    assert batch.inputs[0].shape[1] <= 4 and batch.targets.shape[1] <= 4


def test_a_reply_reads_the_last_lines_of_the_history(corpus):
    """Reference: the same reply (greedy, temperature 0) from the whole history as from its last line alone,
    when the model reads one line; the task refuses an empty history."""
    task = make_task("chatterbot", vocab_size=30, min_count=1)
    model = build_for_io(ModelConfig("lstm", hidden_size=8, attention="additive"), task.io).eval()
    greedy = SamplingConfig(temperature=0.0)
    whole = task.reply(model, ["hello", "hi there", "how are you"], greedy)
    assert isinstance(whole, str)
    assert task.reply(model, ["how are you"], greedy) == whole
    assert task.reply(model, ["x", "how are you"], greedy, context_turns=1) == whole
    with pytest.raises(ValueError, match="at least one line"):
        task.reply(model, [], greedy, torch.Generator())


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="context_turns"):
        make_task("chatterbot", context_turns=0)
    with pytest.raises(ValueError, match="always has dataset='shakespeare'"):
        make_task("shakespeare-dialogue", dataset="chatterbot")
