"""`rnnlab translate RUN "Ich habe heute keine Zeit."`: a trained sequence-to-sequence run translates text.

    rnnlab translate runs/de-en-lstm-s0 "Ich habe heute keine Zeit." --beam 5
    rnnlab translate runs/de-en-lstm-s0 --file sentences.txt --out english.txt      # one line in, one line out
    rnnlab translate runs/de-en-transformer-s0 "Es regnet." --ensemble runs/de-en-transformer-s1 --beam 5

The run folder is all it needs: the model carries its tokenizers (see rnnlab.data.tasks.translation).
With `--ensemble RUN2` (repeatable) the runs decode as one model, the mean of their next-token probabilities
at every step (models/ensemble.py); `rnnlab evaluate RUN RUN2` scores that ensemble.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnlab.cli.console import console
from rnnlab.cli.heartbeat import heartbeat
from rnnlab.cli.shared_args import add_device_argument, add_seq2seq_ensemble_argument, use_device
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.files import read_utf8, write_atomic
from rnnlab.train.ensemble import load_seq2seq_ensemble
from rnnlab.train.run import RunFolder

MAX_LINE_CHARS = 5_000  # a sentence per line; a longer line is a paragraph or a whole file on one line
CHUNK = 64  # lines translated per call, between heartbeats


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("translate", help="translate text with a trained sequence-to-sequence run",
                                   description="Translate text with a run of a translation (or dialogue) task.")
    parser.add_argument("run_dir", type=Path, help="a folder written by `rnnlab train --task de-en` (or tsv)")
    parser.add_argument("text", nargs="*", help="sentences to translate, one per argument")
    parser.add_argument("--file", type=Path, default=None, help="translate this UTF-8 file line by line")
    parser.add_argument("--out", type=Path, default=None, help="write the translations here (default: stdout)")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    add_seq2seq_ensemble_argument(parser)
    parser.add_argument("--beam", type=int, default=1, help="beam size; 1 = greedy (default 1)")
    parser.add_argument("--alpha", type=float, default=0.6,
                        help="length normalisation for beam search, ((5+|Y|)/6)^alpha (Wu et al. 2016; default 0.6)")
    add_device_argument(parser)
    add_threads_argument(parser)
    parser.set_defaults(run=run)


def read_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 file of sentences; one line naming the file when it is missing, a folder, binary,
    not UTF-8, holds no sentence, or has a line too long to be one (MAX_LINE_CHARS)."""
    lines = read_utf8(path, "; --file takes a text file, one sentence per line",
                      "--file takes UTF-8 text").splitlines()
    if not any(line.strip() for line in lines):
        raise ValueError(f"{path} holds no text to translate (it is empty or blank)")
    check_lengths(lines, str(path))
    return lines


def check_lengths(lines: list[str], source: str) -> None:
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ValueError(f"{source}, line {number}: {len(line):,} characters; translate reads one sentence "
                             f"per line, at most {MAX_LINE_CHARS:,} characters: split the text into sentences")


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    if args.beam <= 0:
        raise ValueError("--beam must be positive")
    if bool(args.text) == (args.file is not None):
        raise ValueError("give sentences to translate, or --file, not both and not neither")
    if args.out is not None and args.out.exists() and not args.overwrite:
        raise ValueError(f"{args.out} exists; pass --overwrite to replace it")
    if args.file is None:
        if not any(text.strip() for text in args.text):
            raise ValueError("nothing to translate: every sentence given is blank")
        check_lengths(args.text, "a sentence given")
    lines = args.text if args.file is None else read_lines(args.file)
    err = console(stderr=True)
    with heartbeat(err) as beat:
        beat.now("loading the run" if not args.ensemble else f"loading {1 + len(args.ensemble)} runs")
        folders = [RunFolder(path) for path in [args.run_dir, *args.ensemble]]
        task, model = load_seq2seq_ensemble(folders, use_device(args))
        chosen = [i for i, line in enumerate(lines) if line.strip()]  # blank lines stay blank
        outputs = [""] * len(lines)
        for start in range(0, len(chosen), CHUNK):
            beat.now(f"translating: {start:,} of {len(chosen):,} lines done")
            rows = chosen[start:start + CHUNK]
            for i, text in zip(rows, task.translate(model, [(lines[i],) for i in rows], args.beam, args.alpha)):
                outputs[i] = text
    if args.out is not None:
        write_atomic(args.out, "".join(line + "\n" for line in outputs).encode("utf-8"))
        err.print(f"{len(outputs)} lines -> {args.out}", highlight=False, markup=False)
    else:
        out = console()
        for line in outputs:
            out.print(line, highlight=False, markup=False)
    return 0
