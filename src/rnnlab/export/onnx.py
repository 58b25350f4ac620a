"""ONNX files from the TorchScript graphs of export/sequence.py and export/seq2seq.py.

The graphs hold a loop over time whose length is the input's, so the exporter must keep it as an ONNX
`Loop`: the TorchScript-based exporter (`torch.onnx.export(..., dynamo=False)`) converts a scripted loop
so; the torch.export-based exporter would unroll it for one length (or needs torch's experimental
`scan`, and took 9x longer here). Every axis named in `axes` is dynamic (batch, time), and the file
carries what export.json says as its metadata (`rnnlab`, JSON), so that it stands alone. An input the
graph does not read (the memory of a decoder without attention) is kept, so every model of a kind takes
the same inputs.

The encoder-decoder Transformer has no loop over time, but nn.MultiheadAttention defeats the TorchScript-
based exporter's shape inference; it goes through the torch.export-based exporter (`write_onnx_dynamo`),
with every dimension declared dynamic up to the model's `max_len`.

The exporters need the `onnx` package (`pip install 'rnnlab[onnx]'`); running the file needs ONNX
Runtime (the same extra) or any other ONNX runtime.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

OPSET = 17  # ONNX Runtime 1.14 and later run it; LayerNormalization (ln-lstm, Transformer) needs 17
EXTRA = "pip install 'rnnlab[onnx]'"


def require_onnx() -> None:
    """A one-line error naming the extra when the `onnx` package is missing."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ValueError(f"exporting to ONNX needs the onnx package: {EXTRA}") from None


def write_onnx(module: torch.jit.ScriptModule, example: tuple[torch.Tensor, ...], path: Path,
               inputs: Sequence[str], outputs: Sequence[str], axes: Mapping[str, Mapping[int, str]],
               metadata: dict[str, Any]) -> None:
    """Export `module` called on `example` to `path`, with these input and output names and dynamic axes."""
    require_onnx()
    import onnx

    with warnings.catch_warnings():
        # The TorchScript-based exporter says it is deprecated; it is the one that keeps a scripted loop.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(module, example, str(path), dynamo=False, input_names=list(inputs),
                          output_names=list(outputs), dynamic_axes={k: dict(v) for k, v in axes.items()},
                          opset_version=OPSET)
    model = onnx.load(str(path))
    _keep_unused_inputs(model, example, inputs, axes)
    _add_metadata(model, metadata)
    onnx.save(model, str(path))


def write_onnx_dynamo(module: torch.nn.Module, example: tuple[torch.Tensor, ...], path: Path,
                      inputs: Sequence[str], outputs: Sequence[str], axes: Mapping[str, Mapping[int, str]],
                      limits: Mapping[str, int], metadata: dict[str, Any]) -> None:
    """`write_onnx` through torch.export: each named axis a dynamic dimension, at most `limits[name]`."""
    require_onnx()
    import onnx

    dims = {name: torch.export.Dim(name, max=limits[name]) if name in limits else torch.export.Dim(name)
            for axis in axes.values() for name in axis.values()}
    shapes = tuple({k: dims[name] for k, name in axes.get(input_name, {}).items()} for input_name in inputs)
    logging.disable(logging.WARNING)  # the exporter and its optimiser narrate every pass
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(module, example, dynamo=True, dynamic_shapes=shapes,
                                        input_names=list(inputs), output_names=list(outputs))
    finally:
        logging.disable(logging.NOTSET)
    assert program is not None
    model = program.model_proto
    _add_metadata(model, metadata)
    onnx.save(model, str(path))


def _add_metadata(model: Any, metadata: dict[str, Any]) -> None:
    entry = model.metadata_props.add()
    entry.key, entry.value = "rnnlab", json.dumps(metadata)


def _keep_unused_inputs(model: Any, example: tuple[torch.Tensor, ...], inputs: Sequence[str],
                        axes: Mapping[str, Mapping[int, str]]) -> None:
    """Declare again the inputs the exporter dropped because the graph never reads them."""
    import onnx

    present = {value.name for value in model.graph.input}
    for name, tensor in zip(inputs, example, strict=True):
        if name not in present:
            dims = [axes.get(name, {}).get(k, size) for k, size in enumerate(tensor.shape)]
            dtype = onnx.helper.np_dtype_to_tensor_dtype(tensor.numpy().dtype)
            model.graph.input.append(onnx.helper.make_tensor_value_info(name, dtype, dims))
