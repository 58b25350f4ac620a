"""`rnnlab classify RUN INPUT`: a trained classifier's answer for one text or file, or for every row of a CSV.

    rnnlab classify runs/sentiment-word-lstm-s0 "a gorgeous, witty, seductive movie."
    positive  0.934
    rnnlab classify RUN reviews.csv --text-column review --out predictions.csv

How an input becomes a model input is the task's business (`RawInputClassifier`, in
rnnlab.generate.classify): text tasks encode a string with the run's vocabulary; speech tasks read a
.wav path. INPUT is taken as

    NAME.csv or NAME.tsv   a table: each row's --text-column cell is passed as a string
    an existing file       its path (a .wav, or a text file)
    a path that is missing an error: one word with a '/' or a file suffix (my_reviews.txt) is a file name
                           that does not exist, not a text to classify
    anything else          the text itself

An input longer than MAX_TOKENS tokens (rnnlab.generate.classify) is refused (a 5 MB single-line file is
not one review): reading it takes minutes and oneDNN cannot allocate the LSTM's workspace for it.

`--ensemble RUN2 --ensemble RUN3` classifies with the mean class probability of RUN and those runs (runs of
one task on the same data, e.g. seeds of one model; `rnnlab evaluate RUN RUN2 RUN3` scores that ensemble).

A table's predictions go to --out (never over an existing file without --overwrite), else to the
terminal as a table, or as CSV when stdout is a pipe or a file.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
from pathlib import Path

from rich.markup import escape
from rich.table import Table
from torch import nn

from rnnlab.cli.console import console
from rnnlab.cli.heartbeat import heartbeat
from rnnlab.cli.shared_args import add_device_argument, add_json_argument, print_json, use_device
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.data.datasets.text_csv import read_csv_rows
from rnnlab.data.tasks.text_configs import TextCSVConfig
from rnnlab.files import write_atomic
from rnnlab.generate.classify import RawInputClassifier, classify
from rnnlab.train.ensemble import load_ensemble
from rnnlab.train.experiment import load_run
from rnnlab.train.run import RunFolder

TABLE_SUFFIXES = (".csv", ".tsv")
# Endings that make one word a file name: text and audio files people classify, and what they confuse them with.
FILE_SUFFIX = re.compile(r"\.(txt|text|md|rst|json|jsonl|html|rtf|docx?|pdf|log|wav|wave|flac|mp3|ogg|m4a)$",
                         re.IGNORECASE)
PREDICTED, PROBABILITY = "predicted", "probability"  # the columns added to a table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("classify", help="classify a text, a file or a CSV with a trained run",
                                   description="Classify INPUT with the newest checkpoint of RUN.")
    parser.add_argument("run_dir", type=Path, help="a folder written by `rnnlab train` on a classification task")
    parser.add_argument("input", help="a text in quotes, a file (e.g. a .wav), or a .csv/.tsv table")
    parser.add_argument("--ensemble", type=Path, action="append", default=[], metavar="RUN",
                        help="another run of the same task and data to average class probabilities with "
                             "(repeatable: an ensemble)")
    parser.add_argument("--text-column", default=None,
                        help="a table's column to classify (default: the run's text_column, else 'text')")
    parser.add_argument("--out", type=Path, default=None, help="write a table's predictions to this CSV file")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    add_device_argument(parser)
    add_threads_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    is_table = args.input.lower().endswith(TABLE_SUFFIXES)
    if args.out is not None:
        if not is_table:
            raise ValueError("--out is for a table of inputs (.csv or .tsv); one input prints its answer")
        if args.out.exists() and not args.overwrite:
            raise ValueError(f"{args.out} exists; pass --overwrite to replace it")
    with heartbeat(console(stderr=True)) as beat:
        beat.now("loading the run" if not args.ensemble else f"loading {1 + len(args.ensemble)} runs")
        folders = [RunFolder(path) for path in [args.run_dir, *args.ensemble]]
        experiment, task, model = load_ensemble(folders, use_device(args)) if args.ensemble else \
            load_run(folders[0], use_device(args))
        if not isinstance(task, RawInputClassifier) or task.io.per_step:
            raise ValueError(f"{args.run_dir} was trained on task {experiment.task!r}, which cannot classify raw "
                             "input (its task has no encode_input)")
        beat.now("classifying")
        if is_table:
            config = experiment.task_config
            column = config.text_column if isinstance(config, TextCSVConfig) else "text"
            return classify_table(args, model, task, column)
        prediction = classify(model, task, [raw_input(args.input)])[0]
    if args.json:
        print_json({"label": prediction.label, "probability": prediction.probability})
        return 0
    out = console()
    if out.is_terminal:
        out.print(f"[bold]{escape(prediction.label)}[/]  {prediction.probability:.3f}", highlight=False)
    else:
        out.print(f"{prediction.label}\t{prediction.probability:.4f}", highlight=False, markup=False)
    return 0


def raw_input(text: str) -> str | Path:
    """INPUT as a file's path or as the text itself (see the module docstring); one line when it names a file
    that is not there, or a folder, instead of classifying the name."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise ValueError(f"{path} is a folder; classify takes a text, a file or a .csv/.tsv table")
    if path.is_file():
        return path
    if not text.strip():
        raise ValueError("INPUT is empty: there is no text to classify")
    if len(text.split()) == 1 and ("/" in text or FILE_SUFFIX.search(text)):
        raise ValueError(f"{text}: no such file (to classify these words as text, quote a sentence)")
    return text


def classify_table(args: argparse.Namespace, model: nn.Module, task: RawInputClassifier, default_column: str) -> int:
    path, column = Path(args.input), args.text_column or default_column
    header, rows = read_csv_rows(path, (column,))
    clash = [name for name in (PREDICTED, PROBABILITY) if name in header]
    if clash:
        raise ValueError(f"{path} already has a column {clash[0]!r}, where the predictions would go")
    try:
        predictions = classify(model, task, [row[column] for row in rows])
    except ValueError as error:  # e.g. a cell the task cannot encode; say which file it came from
        raise ValueError(f"{path}, column {column!r}: {error}") from error
    columns = [*header, PREDICTED, PROBABILITY]
    records = [[*(row[name] for name in header), p.label, f"{p.probability:.4f}"]
               for row, p in zip(rows, predictions, strict=True)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter="\t" if path.suffix.lower() == ".tsv" else ",", lineterminator="\n")
    writer.writerows([columns, *records])
    counts = {label: sum(p.label == label for p in predictions) for label in task.classes}
    summary = ", ".join(f"{label} {n}" for label, n in counts.items() if n)
    if args.out is not None:
        write_atomic(args.out, buffer.getvalue().encode("utf-8"))
        console().print(f"{len(rows)} predictions ({escape(summary)}) -> {escape(str(args.out))}", highlight=False)
        return 0
    if args.json:
        print_json([{**row, PREDICTED: p.label, PROBABILITY: p.probability}
                    for row, p in zip(rows, predictions, strict=True)])
        return 0
    out = console()
    if not out.is_terminal:
        out.file.write(buffer.getvalue())
        return 0
    table = Table(title=f"{escape(str(path))}: {len(rows)} rows ({escape(summary)})")
    for name in ("#", column, PREDICTED, PROBABILITY):
        table.add_column(escape(name), overflow="fold", justify="right" if name in ("#", PROBABILITY) else "left")
    for number, (row, p) in enumerate(zip(rows, predictions, strict=True), start=1):
        table.add_row(str(number), escape(row[column]), escape(p.label), f"{p.probability:.3f}")
    out.print(table)
    return 0
