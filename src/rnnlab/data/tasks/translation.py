"""Translation: German-English example sentences of the Ding dictionary (`de-en`) or a user's TSV file (`tsv`).

Both are `PairTask`s (pairs.py: tokenizers, batches, teacher forcing, evaluation by decoded BLEU). `de-en`
reads rnnlab.data.datasets.ding's fixed split; `tsv` reads `--set path=pairs.tsv`, one `source<TAB>target`
pair per line, split by the fixed shuffle of `ding.split_pairs` (10 % test, 10 % validation, the rest
train). `--set reverse=True` translates the other way. Training pairs longer than `max_length` tokens on
either side are dropped.

`de-en` with `--set phrases=N` also trains on the first N of the dictionary's other phrase pairs ("Haus" /
"house"; 363,200 in all, none from a line that holds a held-out sentence: ding.load_phrases); the
tokenizers are then built on them too. Validation and test stay the held-out sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rnnlab.data.datasets.ding import load_pairs, load_phrases, split_pairs
from rnnlab.data.tasks.base import HeldOut
from rnnlab.data.tasks.pair_baselines import copy_source
from rnnlab.data.tasks.pairs import Example, PairOptions, PairTask, Split


@dataclass(frozen=True)
class TranslationConfig(PairOptions):
    """Translate sentences: Ding's German-English pairs (`de-en`) or a user's TSV file (`tsv`)."""

    dataset: Literal["de-en", "tsv"] = "de-en"
    path: str = ""  # tsv only: the file of `source<TAB>target` lines
    reverse: bool = False  # translate target -> source (de-en: English to German)
    phrases: int = 0  # de-en only: also train on the first N dictionary phrase pairs (module docstring)

    def __post_init__(self) -> None:
        self.check()
        if self.dataset not in ("de-en", "tsv"):
            raise ValueError(f"dataset must be 'de-en' or 'tsv', got {self.dataset!r}")
        if self.dataset != "tsv" and self.path:
            raise ValueError("path applies to the tsv task only")
        if self.phrases < 0:
            raise ValueError(f"phrases must be 0 or more, got {self.phrases}")
        if self.dataset != "de-en" and self.phrases:
            raise ValueError("phrases applies to the de-en task only (a tsv file's pairs are all it trains on)")


class TranslationTask(PairTask):
    """A `PairTask` that translates: its baselines add the source copied as its translation."""

    def baselines(self, split: HeldOut) -> dict[str, dict[str, float]]:
        examples = self.decoded_examples(split)
        return super().baselines(split) | {"copy source": copy_source(
            [" ".join(turns) for turns, _ in examples], [target for _, target in examples])}


def read_pairs_tsv(path: Path) -> list[tuple[str, str]]:
    """`source<TAB>target` per line; blank lines skipped; any other line without exactly one tab, or with an
    empty side, is an error naming its line number."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from error
    pairs = []
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            line = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            raise ValueError(f"{path}, line {number}: not UTF-8 text") from None
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            found = "no tab" if len(parts) == 1 else f"{len(parts) - 1} tabs" if len(parts) > 2 else "an empty side"
            raise ValueError(f"{path}, line {number}: expected 'source<TAB>target', found {found}")
        pairs.append((parts[0].strip(), parts[1].strip()))
    if len(pairs) < 3:
        raise ValueError(f"{path} holds {len(pairs)} sentence pairs; a train/validation/test split needs at least 3")
    return pairs


def translation_task(config: TranslationConfig) -> TranslationTask:
    """The `de-en` or `tsv` task; nothing is read until the first batch."""
    if config.dataset == "tsv" and not config.path:
        name = "tsv"
    else:
        name = config.dataset if config.dataset == "de-en" else f"tsv-{Path(config.path).stem}"
    if config.reverse:
        name += "-reversed"

    def load(split: Split) -> list[Example]:
        if config.dataset == "de-en":
            pairs = load_pairs(split)
            if split == "train" and config.phrases:
                pairs = pairs + load_phrases(config.phrases)
        else:
            if not config.path:
                raise ValueError("the tsv task needs a file: --set path=pairs.tsv")
            pairs = read_pairs_tsv(Path(config.path))
            pairs = split_pairs(pairs, held_out=max(1, round(0.1 * len(pairs))))[split]
        return [((t,), s) if config.reverse else ((s,), t) for s, t in pairs]

    return TranslationTask(name, config, load, long_pairs="drop")
