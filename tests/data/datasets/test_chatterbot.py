"""ChatterBot conversations: YAML parsing on a fixture, the split by whole conversations (slow: the real wheel)."""

import pytest

from rnnlab.data.datasets.chatterbot import load_conversations, parse_conversations, split_conversations

YAML = """categories:
- greetings
conversations:
- - Hello
  - Hi there!
  - How are you?
- - Is it raining?
  - yes
- A bare string, not a conversation
- - Only one line
- - 42
  - "  the answer  "
"""


def test_conversations_keep_every_line_as_a_string():
    """Reference, by hand: lists of two or more lines; `yes` and `42` stay strings (BaseLoader); a bare string
    and a one-line list are skipped; lines are stripped."""
    assert parse_conversations(YAML) == [["Hello", "Hi there!", "How are you?"], ["Is it raining?", "yes"],
                                         ["42", "the answer"]]
    assert parse_conversations("categories: [x]\n") == []
    with pytest.raises(ValueError, match=r"bad\.yml is not valid YAML"):
        parse_conversations("conversations: [\n", "bad.yml")


def test_the_split_is_by_whole_conversations():
    """Reference: 10 % test and 10 % validation (at least one each), the rest train, no conversation cut."""
    conversations = [[f"q{i}", f"a{i}"] for i in range(30)]
    split = split_conversations(conversations)
    assert [len(split[s]) for s in ("test", "validation", "train")] == [3, 3, 24]
    assert sorted(map(tuple, split["test"] + split["validation"] + split["train"])) == sorted(map(tuple, conversations))


@pytest.mark.slow
def test_the_real_corpus_has_about_2300_pairs():
    """Reference: our count on chatterbot-corpus==1.3.3: 2,025 conversations, 2,306 (line, reply) pairs
    (../shared/DATASETS.md counted 2,393)."""
    splits = [load_conversations(s) for s in ("train", "validation", "test")]
    assert sum(len(c) for c in splits) == 2_025
    assert sum(len(lines) - 1 for c in splits for lines in c) == 2_306
