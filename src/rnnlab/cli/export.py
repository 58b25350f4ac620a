"""`rnnlab export RUN --format onnx|torchscript|torch`: a trained run's model, out of rnnlab.

    rnnlab export runs/sentiment-lstm-s0 --format onnx               # -> runs/sentiment-lstm-s0/export-onnx/
    rnnlab export runs/adding-gru-s0 --format torch --out gru-export # nn.GRU + nn.Linear and a loader, model.py

The folder holds the model file(s) and export.json: inputs and outputs with their shapes, the run's task and
configs, and a classifier's classes or a language model's vocabulary (rnnlab.export).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from rnnlab.cli.console import console
from rnnlab.cli.shared_args import add_json_argument, print_json
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.export import FORMATS, MANIFEST, default_out, export_run
from rnnlab.train.run import RunFolder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="export a trained run to ONNX, TorchScript or plain torch.nn",
        description="Export the model of RUN (its best or newest weights) with everything needed to use it.")
    parser.add_argument("run_dir", type=Path, metavar="RUN", help="a folder written by `rnnlab train`")
    parser.add_argument("--format", required=True, choices=FORMATS,
                        help="onnx (ONNX Runtime; needs `pip install 'rnnlab[onnx]'`), torchscript (torch.jit.load) "
                             "or torch (nn.LSTM/GRU/RNN + nn.Linear with a loader, model.py)")
    parser.add_argument("--out", type=Path, default=None, help="the export folder (default: RUN/export-FORMAT)")
    parser.add_argument("--overwrite", action="store_true", help="replace the export folder if it exists")
    add_threads_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    folder = RunFolder(args.run_dir)
    out = args.out or default_out(folder, args.format)
    manifest = export_run(folder, args.format, out, overwrite=args.overwrite)
    if args.json:
        print_json({"out": str(out), **manifest})
        return 0
    files = ", ".join(manifest["files"].values())
    console().print(f"{args.format}: {escape(str(out))} ({escape(files)}; what it takes and gives: "
                    f"{escape(str(out / MANIFEST))})", highlight=False)
    return 0
