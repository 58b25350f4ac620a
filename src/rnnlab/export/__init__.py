"""Models out of rnnlab: ONNX, TorchScript, or plain torch.nn modules with a loader that needs no rnnlab.

    from rnnlab.export import export_model, export_run
    export_run(RunFolder(Path("runs/adding-lstm")), "onnx")                 # RUN/export-onnx/model.onnx
    export_model(model, Path("out"), "torchscript", name="gru")             # out/model.pt

write.py says what each format writes; sequence.py and seq2seq.py build the graphs (recurrent.py: the
loop over time), onnx.py and plain.py write them. tests/export/ check every exported model against the
rnnlab model it came from (1e-5), on batches and lengths other than those it was exported with.
"""

from rnnlab.export.run import default_out, export_run
from rnnlab.export.write import FORMATS, MANIFEST, Format, export_model

__all__ = ["FORMATS", "MANIFEST", "Format", "default_out", "export_model", "export_run"]
