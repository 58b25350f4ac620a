"""Write a model to an export folder in one of three formats, whole or not at all.

    export_model(model, Path("out"), "onnx", name="lstm")          # out/model.onnx + out/export.json

    format        sequence model            sequence-to-sequence model          runs with
    onnx          model.onnx                encoder.onnx, decoder.onnx          ONNX Runtime (any ONNX runtime)
    torchscript   model.pt                  encoder.pt, decoder.pt              torch.jit.load, no rnnlab
    torch         model.py + weights.pt     (refused: see export/plain.py)      torch, no rnnlab

export.json says what was exported: the format, the files, every input and output with its shape and
dtype, the model's sizes, and whatever the caller adds (a task's classes or vocabulary). The folder is
written beside its target under a temporary name and renamed into place when complete, so a failure
leaves nothing behind, and an existing folder is replaced only with `overwrite`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import torch

from rnnlab.export.onnx import require_onnx, write_onnx, write_onnx_dynamo
from rnnlab.export.plain import loader_source, plain_config, plain_model, plain_refusal
from rnnlab.export.recurrent import EXAMPLE_BATCH, EXAMPLE_STEPS
from rnnlab.export.seq2seq import no_fast_path, scripted_seq2seq, state_names, transformer_examples, transformer_parts
from rnnlab.export.sequence import WithLengths, scripted_sequence_model
from rnnlab.models.seq2seq import Seq2SeqModel, TransformerSeq2Seq
from rnnlab.models.sequence import SequenceModel

Format = Literal["onnx", "torchscript", "torch"]
FORMATS: tuple[Format, ...] = ("onnx", "torchscript", "torch")
MANIFEST = "export.json"


@contextlib.contextmanager
def staged_folder(out: Path, overwrite: bool) -> Iterator[Path]:
    """A fresh folder beside `out` to write into; renamed to `out` when the block ends without an error."""
    if out.exists() and not overwrite:
        raise ValueError(f"{out} exists; pass --overwrite to replace it")
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
    try:
        yield staging
        os.chmod(staging, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
            os.replace(out, old / out.name)
            os.replace(staging, out)
            shutil.rmtree(old)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def check_format(model: Any, fmt: str, name: str) -> Format:
    """`fmt` as a Format, or a one-line ValueError: unknown format, a model `torch` cannot hold, no onnx."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "torch" and (refusal := plain_refusal(model, name)) is not None:
        raise ValueError(refusal)
    if fmt == "onnx":
        require_onnx()
    return fmt


def export_model(model: SequenceModel | Seq2SeqModel, out: Path, fmt: str, *, name: str,
                 metadata: dict[str, Any] | None = None, overwrite: bool = False) -> dict[str, Any]:
    """Export `model` (registered as `name`) to the folder `out`; returns what export.json holds."""
    checked = check_format(model, fmt, name)
    manifest: dict[str, Any] = {"format": checked, "model": name, "torch_version": torch.__version__,
                                **(metadata or {})}
    with staged_folder(out, overwrite) as folder:
        if isinstance(model, SequenceModel):
            manifest |= _sequence(model, folder, checked, manifest)
        else:
            manifest |= _seq2seq(model, folder, checked, manifest)
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _sequence(model: SequenceModel, folder: Path, fmt: Format, manifest: dict[str, Any]) -> dict[str, Any]:
    io = model.io
    shape = ["batch", "time"] if io.tokens else ["batch", "time", io.input_size]
    described = {
        "io": {"input_size": io.input_size, "output_size": io.output_size, "tokens": io.tokens,
               "per_step": io.per_step},
        "inputs": {"inputs": {"shape": shape, "dtype": "int64" if io.tokens else "float32"},
                   "lengths": {"shape": ["batch"], "dtype": "int64", "optional": fmt != "onnx"}},
        "outputs": {"outputs": {"shape": ["batch", "time", io.output_size] if io.per_step
                                else ["batch", io.output_size], "dtype": "float32"}},
    }
    if fmt == "torch":
        torch.save(plain_model(model).state_dict(), folder / "weights.pt")
        (folder / "model.py").write_text(loader_source())
        return described | {"files": {"loader": "model.py", "weights": "weights.pt"}, "torch": plain_config(model)}
    scripted = scripted_sequence_model(model)
    if fmt == "torchscript":
        torch.jit.save(scripted, str(folder / "model.pt"), _extra_files={MANIFEST: json.dumps(manifest)})
        return described | {"files": {"model": "model.pt"}}
    example = (torch.zeros(EXAMPLE_BATCH, EXAMPLE_STEPS, dtype=torch.int64) if io.tokens
               else torch.zeros(EXAMPLE_BATCH, EXAMPLE_STEPS, io.input_size),
               torch.tensor([EXAMPLE_STEPS, EXAMPLE_STEPS - 1]))
    out_axes = {0: "batch", 1: "time"} if io.per_step else {0: "batch"}
    write_onnx(torch.jit.script(WithLengths(scripted)), example, folder / "model.onnx", ("inputs", "lengths"),
               ("outputs",), {"inputs": {0: "batch", 1: "time"}, "lengths": {0: "batch"}, "outputs": out_axes},
               manifest | described)
    return described | {"files": {"model": "model.onnx"}}


def _seq2seq(model: Seq2SeqModel, folder: Path, fmt: Format, manifest: dict[str, Any]) -> dict[str, Any]:
    transformer = isinstance(model, TransformerSeq2Seq)
    state = state_names(model)
    tokens = {"shape": ["batch", "source"], "dtype": "int64"}
    state_spec = ({"prefix": {"shape": ["batch", "prefix"], "dtype": "int64"}} if transformer else
                  {name: {"shape": ["layers", "batch", "hidden"], "dtype": "float32"} for name in state})
    memory = {"memory": {"shape": ["batch", "source", "features"], "dtype": "float32"},
              "mask": {"shape": ["batch", "source"], "dtype": "int64"}}
    suffix = "onnx" if fmt == "onnx" else "pt"
    described = {
        "io": {"source_vocab": model.source_vocab, "target_vocab": model.target_vocab},
        "encoder": {"inputs": {"source": tokens, "lengths": {"shape": ["batch"], "dtype": "int64"}},
                    "outputs": memory | ({} if transformer else state_spec)},
        "decoder": {"inputs": {"target_in": {"shape": ["batch", "steps"], "dtype": "int64"}, **state_spec, **memory},
                    "outputs": {"logits": {"shape": ["batch", "steps", model.target_vocab], "dtype": "float32"},
                                **{f"next_{name}": spec for name, spec in state_spec.items()}}},
    }
    names = {"encoder": f"encoder.{suffix}", "decoder": f"decoder.{suffix}"}
    described["files"] = names
    files = {part: folder / name for part, name in names.items()}
    if fmt == "torchscript":
        for part, module in zip(("encoder", "decoder"), scripted_seq2seq(model), strict=True):
            torch.jit.save(module, str(files[part]), _extra_files={MANIFEST: json.dumps(manifest)})
        return described
    metadata = manifest | described
    memory_axes = {"memory": {0: "batch", 1: "source"}, "mask": {0: "batch", 1: "source"}}
    encoder_axes = {"source": {0: "batch", 1: "source"}, "lengths": {0: "batch"}, **memory_axes}
    if isinstance(model, TransformerSeq2Seq):
        encode, decode = transformer_examples(model)
        encoder, decoder = transformer_parts(model)
        limits = {"source": model.max_len, "steps": model.max_len, "prefix": model.max_len - 1}
        decoder_axes = {"target_in": {0: "batch", 1: "steps"}, "prefix": {0: "batch", 1: "prefix"}, **memory_axes,
                        "logits": {0: "batch", 1: "steps"}}
        with no_fast_path():
            write_onnx_dynamo(encoder, encode, files["encoder"], ("source", "lengths"), ("memory", "mask"),
                              encoder_axes, limits, metadata)
            write_onnx_dynamo(decoder, decode, files["decoder"], ("target_in", "prefix", "memory", "mask"),
                              ("logits", "next_prefix"), decoder_axes, limits, metadata)
        return described
    scripted_encoder, scripted_decoder = scripted_seq2seq(model)
    source = torch.ones(EXAMPLE_BATCH, EXAMPLE_STEPS + 1, dtype=torch.int64)
    lengths = torch.tensor([EXAMPLE_STEPS + 1, EXAMPLE_STEPS])
    memory_example, mask_example, *state_example = scripted_encoder(source, lengths)
    state_axes = {name: {1: "batch"} for name in state}
    write_onnx(scripted_encoder, (source, lengths), files["encoder"], ("source", "lengths"),
               ("memory", "mask", *state), encoder_axes | state_axes, metadata)
    target_in = torch.ones(EXAMPLE_BATCH, EXAMPLE_STEPS, dtype=torch.int64)
    write_onnx(scripted_decoder, (target_in, *state_example, memory_example, mask_example), files["decoder"],
               ("target_in", *state, "memory", "mask"), ("logits", *(f"next_{name}" for name in state)),
               {"target_in": {0: "batch", 1: "steps"}, **state_axes, **memory_axes, "logits": {0: "batch", 1: "steps"},
                **{f"next_{name}": {1: "batch"} for name in state}}, metadata)
    return described
