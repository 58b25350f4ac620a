"""rnnlab from Python, for notebooks: the functions the package's top level offers (`rnnlab.train`, ...).

    import rnnlab
    run = rnnlab.train(x, y, model="gru", steps=500)        # tensors, NumPy arrays or a DataFrame
    run = rnnlab.load("runs/adding-lstm-s0")
    run.evaluate(); run.predict(x); run.export("onnx")
    rnnlab.ensemble(["runs/a-s0", "runs/a-s1"]).evaluate()   # classification runs as one classifier
    rnnlab.compare(task="adding", models=["rnn", "lstm"], seeds=2, out="runs/cmp")
    model = rnnlab.build_model("lstm", input_size=8, output_size=2)

The layer above the CLI (ARCHITECTURE.md): it calls the library as the commands do, never the commands.
"""

from rnnlab.api.data import as_arrays, as_sequences
from rnnlab.api.ensemble import RunEnsemble, ensemble
from rnnlab.api.functions import Comparison, build_model, compare, train
from rnnlab.api.run import Run, load

__all__ = ["Comparison", "Run", "RunEnsemble", "as_arrays", "as_sequences", "build_model", "compare", "ensemble",
           "load", "train"]
