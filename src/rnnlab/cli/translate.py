"""`rnnlab translate RUN "Ich habe heute keine Zeit."`: a trained sequence-to-sequence run translates text.

    rnnlab translate runs/de-en-lstm-s0 "Ich habe heute keine Zeit." --beam 5
    rnnlab translate runs/de-en-lstm-s0 --file sentences.txt --out english.txt      # one line in, one line out

The run folder is all it needs: the model carries its tokenizers (see rnnlab.data.tasks.translation).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnlab.cli.console import console
from rnnlab.cli.shared_args import add_device_argument, use_device
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.files import write_atomic
from rnnlab.train.experiment import load_seq2seq_run
from rnnlab.train.run import RunFolder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("translate", help="translate text with a trained sequence-to-sequence run",
                                   description="Translate text with a run of a translation (or dialogue) task.")
    parser.add_argument("run_dir", type=Path, help="a folder written by `rnnlab train --task de-en` (or tsv)")
    parser.add_argument("text", nargs="*", help="sentences to translate, one per argument")
    parser.add_argument("--file", type=Path, default=None, help="translate this UTF-8 file line by line")
    parser.add_argument("--out", type=Path, default=None, help="write the translations here (default: stdout)")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    parser.add_argument("--beam", type=int, default=1, help="beam size; 1 = greedy (default 1)")
    parser.add_argument("--alpha", type=float, default=0.6,
                        help="length normalisation for beam search, ((5+|Y|)/6)^alpha (Wu et al. 2016; default 0.6)")
    add_device_argument(parser)
    add_threads_argument(parser)
    parser.set_defaults(run=run)


def read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text (byte {error.start})") from error


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    if args.beam <= 0:
        raise ValueError("--beam must be positive")
    if bool(args.text) == (args.file is not None):
        raise ValueError("give sentences to translate, or --file, not both and not neither")
    if args.out is not None and args.out.exists() and not args.overwrite:
        raise ValueError(f"{args.out} exists; pass --overwrite to replace it")
    lines = args.text if args.file is None else read_lines(args.file)
    task, model = load_seq2seq_run(RunFolder(args.run_dir), use_device(args))
    chosen = [i for i, line in enumerate(lines) if line.strip()]  # blank lines stay blank
    outputs = [""] * len(lines)
    for i, text in zip(chosen, task.translate(model, [(lines[i],) for i in chosen], args.beam, args.alpha)):
        outputs[i] = text
    if args.out is not None:
        write_atomic(args.out, "".join(line + "\n" for line in outputs).encode("utf-8"))
        console(stderr=True).print(f"{len(outputs)} lines -> {args.out}", highlight=False, markup=False)
    else:
        out = console()
        for line in outputs:
            out.print(line, highlight=False, markup=False)
    return 0
