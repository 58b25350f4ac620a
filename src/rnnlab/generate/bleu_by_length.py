"""BLEU by source length: where a fixed-size encoding falls off with the length of the sentence.

Cho et al. (2014, "On the properties of neural machine translation", figure 4) and Bahdanau et al.
(2015, figure 2) plot BLEU against source length: an encoder-decoder without attention squeezes the
whole source into one vector and degrades as sentences grow; attention does not. The same curve for
our runs:

    sets    = {name: run_translations(Path(f"runs/{name}")) for name in ("lstm", "lstm-additive")}
    buckets = {name: bleu_by_length(t.sources, t.hypotheses, t.references) for name, t in sets.items()}
    plot_bleu_by_length(buckets, Path("bleu-by-length.png"))

Buckets hold source sentences by word count (`bpe.split_words`: words and marks) in [low, high); each
bucket's BLEU is a corpus BLEU over its sentences, scored as the task scores (detokenised outputs
against the raw references, sacreBLEU 13a, case ignored: data/tasks/bleu.py). Buckets with few sentences
are noisy: their counts come with the records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from rnnlab.data.bpe import split_words
from rnnlab.data.tasks.base import HeldOut
from rnnlab.data.tasks.bleu import translation_scores
from rnnlab.data.tasks.pairs import PairTask
from rnnlab.files import atomic_path
from rnnlab.models.seq2seq import Seq2SeqModel
from rnnlab.train.experiment import load_run
from rnnlab.train.run import RunFolder

EDGES = (1, 6, 9, 12, 16, 21, 31)  # source words; the last bucket is [21, 31), longer sentences are left out


@dataclass(frozen=True)
class LengthBucket:
    low: int  # source words, at least
    high: int  # and fewer than
    sentences: int
    bleu: float
    chrf: float


@dataclass(frozen=True)
class Translations:
    """A run's outputs on a held-out split, beside their sources and references."""

    sources: list[str]
    hypotheses: list[str]
    references: list[str]  # the raw reference sentences, as the task scores them


def bleu_by_length(sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str],
                   edges: Sequence[int] = EDGES) -> list[LengthBucket]:
    """One record per non-empty bucket [edges[i], edges[i+1]) of source length in words."""
    if not len(sources) == len(hypotheses) == len(references):
        raise ValueError(f"{len(sources)} sources, {len(hypotheses)} hypotheses and {len(references)} references")
    lengths = [len(split_words(source)) for source in sources]
    buckets = []
    for low, high in pairwise(edges):
        chosen = [i for i, n in enumerate(lengths) if low <= n < high]
        if chosen:
            scores = translation_scores([hypotheses[i] for i in chosen], [references[i] for i in chosen])
            buckets.append(LengthBucket(low, high, len(chosen), scores["bleu"], scores["chrf"]))
    return buckets


def run_translations(folder: Path, split: HeldOut = "test", beam_size: int = 1, alpha: float = 0.0,
                     limit: int | None = None) -> Translations:
    """Decode the held-out `split` of a translation run (its first `limit` pairs) with its newest weights."""
    experiment, _, model = load_run(RunFolder(folder))
    task = experiment.entry.build(dataclasses.replace(experiment.task_config, split=split))
    if not isinstance(task, PairTask) or not isinstance(model, Seq2SeqModel):
        raise ValueError(f"{folder} is a run of {experiment.task!r}, not of a translation task")
    examples = task.eval_examples[:limit]
    hypotheses = task.translate(model.eval(), [turns for turns, _ in examples], beam_size, alpha)
    return Translations([" ".join(turns) for turns, _ in examples], hypotheses, [target for _, target in examples])


def plot_bleu_by_length(curves: dict[str, list[LengthBucket]], path: Path,
                        title: str = "BLEU by source length") -> Path:
    """One line per model: BLEU against each bucket's source length, the bucket sizes in the x labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.2))
    labels: dict[tuple[int, int], str] = {}
    for name, buckets in curves.items():
        axes.plot([(b.low + b.high - 1) / 2 for b in buckets], [b.bleu for b in buckets], marker="o", label=name)
        labels.update({(b.low, b.high): f"{b.low}-{b.high - 1}\n(n={b.sentences})" for b in buckets})
    axes.set_xticks([(low + high - 1) / 2 for low, high in labels], list(labels.values()), fontsize=7)
    axes.set_xlabel("source sentence length (words and marks)")
    axes.set_ylabel("BLEU")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    with atomic_path(path) as partial:
        figure.savefig(partial, dpi=120, format=path.suffix.lstrip(".") or "png")
    plt.close(figure)
    return path
