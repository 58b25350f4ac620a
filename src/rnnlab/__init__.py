"""rnnlab: build, train, diagnose and compare recurrent sequence models.

    import rnnlab
    run = rnnlab.train(task="adding", model="lstm", length=50, steps=300)     # or rnnlab.train(x, y, ...)
    run = rnnlab.load("runs/adding-lstm-s0"); run.evaluate(); run.predict(x); run.export("onnx")
    rnnlab.ensemble(["runs/sentiment-lstm-s0", "runs/sentiment-lstm-s1"]).evaluate()
    rnnlab.compare(task="adding", models=["rnn", "lstm"], seeds=2, out="runs/cmp")
    model = rnnlab.build_model("gru", input_size=8, output_size=2, hidden_size=64)

Importing rnnlab loads nothing else: these names load rnnlab.api (and torch) when first used, so that the
command line starts at once. `train` and `compare` are also the names of subpackages (rnnlab.train,
rnnlab.compare); the top-level names are the functions, which also reach their package's modules as
attributes (`rnnlab.train.loop`), and `from rnnlab.train.loop import train` imports as it always did.
"""

import importlib
import sys
import types
from typing import Any

from rnnlab._version import __version__

# rnnlab.api names offered here as they are
API = ("Comparison", "Run", "RunEnsemble", "build_model", "ensemble", "load")


class _Entry:
    """A top-level function that shares its name with a subpackage: calls go to rnnlab.api, attributes to
    the subpackage."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from rnnlab import api

        return getattr(api, self._name)(*args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(f"rnnlab.{self._name}"), attribute)

    def __repr__(self) -> str:
        return f"<function rnnlab.{self._name}>"

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        from rnnlab import api

        return getattr(api, self._name).__doc__


_ENTRIES = {"train": _Entry("train"), "compare": _Entry("compare")}


class _Package(types.ModuleType):
    """rnnlab's module: `rnnlab.train` and `rnnlab.compare` stay the functions after their subpackages load
    (importing a subpackage sets an attribute of that name on its parent: we keep the function there)."""

    def __getattribute__(self, name: str) -> Any:
        entry = _ENTRIES.get(name)
        return entry if entry is not None else super().__getattribute__(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _ENTRIES:  # the subpackage itself stays in sys.modules
            super().__setattr__(name, value)


def __getattr__(name: str) -> Any:
    if name in API:
        from rnnlab import api

        return getattr(api, name)
    raise AttributeError(f"module 'rnnlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *API, *_ENTRIES])


sys.modules[__name__].__class__ = _Package
__all__ = ["Comparison", "Run", "RunEnsemble", "__version__", "build_model", "compare", "ensemble", "load", "train"]
