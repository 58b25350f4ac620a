"""Samples from the runs of a converged study, for the results file: what the numbers look like as text.

    python scripts/converged_samples.py translate OUT [--count 20] [--max-words 10] [--seed 0] [--ensembles]
    python scripts/converged_samples.py chat OUT [--count 20] [--seed 0] [--ensembles]
    python scripts/converged_samples.py generate RUN [--prompt "ROMEO:"] [--length 400]

translate: `count` test sentences of at most `max-words` source words, drawn at random (seed), each with its
reference and every run's translation (beam search with the run's own beam size and length normalisation,
as its test BLEU was scored), and the sacreBLEU signature; with --ensembles also the translations of the
study's ensembles (scripts/ensemble_report.py's groups, decoded the same way). chat: `count` test contexts at
random with the corpus reply, the retrieval baseline's reply (the nearest training context's) and every run's
greedy reply (and with --ensembles, the study's ensembles'). generate: text sampled from a language model at
temperature 0.8.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import torch
from ensemble_report import ensemble_groups  # scripts/, beside this one

from rnnlab.data.bpe import split_words
from rnnlab.data.tasks.base import on_split
from rnnlab.data.tasks.bleu import detokenize, signatures
from rnnlab.data.tasks.dialogue import DialogueTask
from rnnlab.data.tasks.pair_baselines import nearest
from rnnlab.data.tasks.pairs import PairTask
from rnnlab.decode.sampling import SamplingConfig
from rnnlab.generate.text import generate_text
from rnnlab.train.ensemble import load_seq2seq_ensemble
from rnnlab.train.experiment import load_run
from rnnlab.train.run import RunFolder


def finished_runs(root: Path) -> list[Path]:
    return [folder for folder in sorted(root.iterdir()) if (folder / "result.json").exists() and folder.name != "tune"]


def test_task(folder: Path) -> PairTask:
    experiment, _, _ = load_run(RunFolder(folder))
    task = experiment.entry.build(on_split(experiment.task_config, "test"))  # type: ignore[arg-type]
    assert isinstance(task, PairTask)
    return task


def models(root: Path, ensembles: bool) -> dict[str, list[Path]]:
    """Every finished run of the study by its folder's name, and with `ensembles` its ensembles (each a list of
    run folders, as ensemble_report groups them)."""
    jobs = {folder.name: [folder] for folder in finished_runs(root)}
    if ensembles:
        jobs |= {f"ensemble of {name}": [f.path for f in folders] for name, folders in ensemble_groups(root).items()}
    return jobs


def translate(root: Path, count: int, max_words: int, seed: int, ensembles: bool) -> None:
    jobs = models(root, ensembles)
    task = test_task(next(iter(jobs.values()))[0])
    short = [pair for pair in task.eval_examples if len(split_words(pair[0][0])) <= max_words]
    chosen = random.Random(seed).sample(short, min(count, len(short)))
    outputs = {}
    for name, folders in jobs.items():
        run_task, model = load_seq2seq_ensemble([RunFolder(folder) for folder in folders])
        c = run_task.config  # the first run's beam size and length normalisation, as its test BLEU used
        outputs[name] = run_task.translate(model, [turns for turns, _ in chosen], c.beam_size, c.length_alpha)
    print(f"{len(chosen)} test sentences of at most {max_words} words, drawn at random (seed {seed}) from the "
          f"{len(short)} such in the test split; outputs detokenised as scored "
          f"(BLEU signature {signatures()['bleu']}):\n")
    print("```")
    width = max(11, *map(len, outputs))
    for i, (turns, reference) in enumerate(chosen):
        print(f"{'source':<{width}}: {turns[0]}\n{'reference':<{width}}: {reference}")
        for name, hypotheses in outputs.items():
            print(f"{name:<{width}}: {detokenize(hypotheses[i])}")
        print()
    print("```")


def chat(root: Path, count: int, seed: int, ensembles: bool) -> None:
    jobs = models(root, ensembles)
    task = test_task(next(iter(jobs.values()))[0])
    assert isinstance(task, DialogueTask)
    chosen = random.Random(seed).sample(task.eval_examples, min(count, len(task.eval_examples)))
    found = nearest([" ".join(t) for t, _ in task.train_examples], [" ".join(t) for t, _ in chosen])
    replies = {}
    for name, folders in jobs.items():
        run_task, model = load_seq2seq_ensemble([RunFolder(folder) for folder in folders])
        assert isinstance(run_task, DialogueTask)
        replies[name] = [run_task.reply(model, list(turns), SamplingConfig(0.0)) for turns, _ in chosen]
    print(f"{len(chosen)} test contexts drawn at random (seed {seed}); model replies greedy (temperature 0):\n")
    print("```")
    width = max(11, *map(len, replies))
    for i, (turns, reply) in enumerate(chosen):
        print(f"{'context':<{width}}: {' / '.join(turns)}\n{'corpus':<{width}}: {reply}")
        print(f"{'retrieval':<{width}}: {task.train_examples[found[i]][1]}")
        for name, outputs in replies.items():
            print(f"{name:<{width}}: {detokenize(outputs[i])}")
        print()
    print("```")


def generate(folder: Path, prompt: str, length: int) -> None:
    _, task, model = load_run(RunFolder(folder))
    vocabulary = task.vocabulary  # type: ignore[attr-defined]
    text = "".join(generate_text(model.eval(), vocabulary, prompt, length, SamplingConfig(0.8), seed=0))
    print(f"{length} characters from {folder}, prompt {prompt!r}, temperature 0.8, seed 0:\n\n```\n{prompt}{text}\n```")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("translate", "chat", "generate"))
    parser.add_argument("root", type=Path)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--max-words", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ensembles", action="store_true", help="translate, chat: the study's ensembles too")
    parser.add_argument("--prompt", default="ROMEO:")
    parser.add_argument("--length", type=int, default=400)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.kind == "translate":
        translate(args.root, args.count, args.max_words, args.seed, args.ensembles)
    elif args.kind == "chat":
        chat(args.root, args.count, args.seed, args.ensembles)
    else:
        generate(args.root, args.prompt, args.length)


if __name__ == "__main__":
    main()
