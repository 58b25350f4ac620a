"""`rnnlab generate RUN`: stream text from a trained language model (shakespeare-char, text-file).

The vocabulary a run was trained with is kept as RUN/vocab.json, written when training starts (runs
from before that rebuild it from the corpus, deterministically, and keep it); so a run generates with or
without its corpus.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnnlab.cli.console import console
from rnnlab.cli.shared_args import SEED_HELP, add_device_argument, use_device
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.data.tasks.language_model import VOCABULARY, LanguageModelTask, ShakespeareCharConfig, TextFileConfig
from rnnlab.data.vocab import Vocabulary, tokenize
from rnnlab.decode.sampling import SamplingConfig
from rnnlab.generate.text import generate_text
from rnnlab.models.registry import build_model
from rnnlab.models.sequence import IOSpec, SequenceModel
from rnnlab.train.checkpoint import load_weights
from rnnlab.train.experiment import Experiment, load_run, weights_of
from rnnlab.train.run import RunFolder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generate", help="stream text from a trained language model",
                                   description="Stream text from a language-model run (shakespeare-char, text-file).")
    parser.add_argument("run_dir", type=Path, help="a folder written by `rnnlab train`")
    parser.add_argument("--prompt", default="\n", help="text to start from (default: a newline)")
    parser.add_argument("--length", type=int, default=500, help="tokens to generate (default 500)")
    parser.add_argument("--temperature", type=float, default=1.0,
                        help="softmax temperature; 0 = greedy (default 1: the model's own distribution)")
    parser.add_argument("--top-k", type=int, default=None, help="sample among the K most likely tokens only")
    parser.add_argument("--top-p", type=float, default=None, help="nucleus sampling: the most likely tokens "
                        "whose probability reaches P")
    parser.add_argument("--seed", type=int, default=None, help=f"{SEED_HELP}, for the same text again (default: none)")
    add_device_argument(parser)
    add_threads_argument(parser)
    parser.set_defaults(run=run)


def load_language_model(folder: RunFolder) -> tuple[SequenceModel, Vocabulary]:
    """A run's model (newest checkpoint) and vocabulary; a clear error for a run that is not a language model."""
    experiment = Experiment.from_spec(folder.spec())
    if not isinstance(experiment.task_config, ShakespeareCharConfig | TextFileConfig):
        raise ValueError(f"{folder.path} is a {experiment.task!r} run, not a language model: generate needs a "
                         "shakespeare-char or text-file run")
    saved = folder.path / VOCABULARY
    if saved.exists():
        try:
            vocabulary = Vocabulary.load(saved)
        except ValueError as error:
            raise ValueError(f"{error}; delete it and `rnnlab generate` rebuilds it from the corpus") from None
        V = len(vocabulary)
        model = build_model(experiment.model, IOSpec(V, V, tokens=True, per_step=True))
        load_weights(weights_of(folder), model)
        return model, vocabulary
    _, task, model = load_run(folder)
    assert isinstance(task, LanguageModelTask)
    task.vocabulary.save(saved)
    return model, task.vocabulary


def check_prompt(vocabulary: Vocabulary, prompt: str) -> str | None:
    """Refuse a prompt the model cannot read at all (every token unknown to its vocabulary); for one with some
    unknown tokens, the note to print: they are read as <unk>, which is never silent."""
    tokens = tokenize(prompt, vocabulary.level)
    unknown = sorted({t for t in tokens if vocabulary.id_of(t) == vocabulary.unk})
    if not unknown:
        return None
    shown = ", ".join(repr(t) for t in unknown[:10]) + (", ..." if len(unknown) > 10 else "")
    kind = {"char": "characters", "word": "words", "byte": "bytes"}[vocabulary.level]
    if len(unknown) == len(set(tokens)):
        raise ValueError(f"--prompt {prompt!r}: none of its {kind} is in the run's vocabulary ({shown}); start from "
                         f"text like the corpus it learned")
    return f"note: --prompt has {kind} the run never saw ({shown}); the model reads each as <unk>"


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    if args.length <= 0:
        raise ValueError(f"--length must be positive, got {args.length}")
    rule = SamplingConfig(args.temperature, args.top_k, args.top_p)  # bad values: ValueError before loading
    model, vocabulary = load_language_model(RunFolder(args.run_dir))
    model.to(use_device(args))
    note = check_prompt(vocabulary, args.prompt)
    if note is not None:
        console(stderr=True).print(note, highlight=False, markup=False)
    out = sys.stdout
    out.write(args.prompt)
    for piece in generate_text(model, vocabulary, args.prompt, args.length, rule, args.seed):
        out.write(piece)
        out.flush()
    out.write("\n")
    return 0
