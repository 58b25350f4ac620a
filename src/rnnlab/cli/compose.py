"""`rnnlab compose RUN --bars 8 --out chorale.mid`: a piece from a chorale model, as MIDI and MusicXML."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from rnnlab.cli.console import console
from rnnlab.cli.shared_args import SEED_HELP, add_device_argument, use_device
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.data.tasks.chorales import ChoraleMelodyConfig, ChoraleRollConfig
from rnnlab.generate.music import compose, write_piece
from rnnlab.train.experiment import Experiment, load_run
from rnnlab.train.run import RunFolder

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compose", help="write a chorale from a chorales-roll or chorales-melody run (MIDI and MusicXML)",
        description="Sample a piece from a chorale model and write OUT (MIDI) and OUT with .musicxml beside it.")
    parser.add_argument("run_dir", type=Path, help="a folder written by `rnnlab train --task chorales-...`")
    parser.add_argument("--bars", type=int, default=8, help="length in bars (default 8)")
    parser.add_argument("--out", type=Path, default=Path("chorale.mid"), help="MIDI file (default chorale.mid)")
    parser.add_argument("--seed", type=int, default=0, help=f"{SEED_HELP} (default: 0)")
    parser.add_argument("--temperature", type=float, default=1.0,
                        help="1: the model's own probabilities; lower is tamer; 0: the most likely step")
    parser.add_argument("--prime", type=int, default=0, help="open with the first N frames (roll) or notes "
                        "(melody) of a held-out chorale (default 0: from silence)")
    parser.add_argument("--overwrite", action="store_true", help="replace OUT and its .musicxml if they exist")
    add_device_argument(parser)
    add_threads_argument(parser)
    parser.set_defaults(run=run)


def pitch_name(midi: int) -> str:
    """MIDI 60 -> "C4" (scientific pitch notation)."""
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    if args.bars <= 0 or args.prime < 0 or args.temperature < 0:
        raise ValueError("--bars must be positive, --prime and --temperature not negative")
    if args.out.suffix.lower() not in (".mid", ".midi"):
        raise ValueError(f"--out must name a MIDI file (.mid), got {args.out}")
    musicxml = args.out.with_suffix(".musicxml")
    existing = [str(p) for p in (args.out, musicxml) if p.exists()]
    if existing and not args.overwrite:
        raise ValueError(f"{' and '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
                         "pass --overwrite to replace")
    folder = RunFolder(args.run_dir)
    experiment = Experiment.from_spec(folder.spec())
    if not isinstance(experiment.task_config, ChoraleRollConfig | ChoraleMelodyConfig):
        raise ValueError(f"{args.run_dir} is a {experiment.task!r} run, not a chorale model: compose needs a "
                         "chorales-roll or chorales-melody run")
    _, task, model = load_run(folder, use_device(args))
    piece = compose(model, task, args.bars, args.temperature, args.seed, args.prime)
    write_piece(piece, args.out)
    span = piece.pitch_range
    pitches = f"{pitch_name(span[0])}-{pitch_name(span[1])} (MIDI {span[0]}-{span[1]})" if span else "none (silent)"
    primed = f", primed with {args.prime} steps of {piece.primed_with}" if piece.primed_with else ""
    console().print(f"wrote {escape(str(args.out))} and {escape(str(musicxml))}: {piece.bars} bars of "
                    f"{piece.time_signature[0]}/{piece.time_signature[1]}, pitches {pitches}, "
                    f"{len(piece.notes)} notes{escape(primed)}", highlight=False)
    return 0
