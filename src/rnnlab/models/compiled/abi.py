"""The ctypes mirror of csrc/abi.h, and the two calls into the core: forward and backward of one layer in
one direction. Python allocates every tensor and checks every shape; C++ only loops.

    r = recurrence(cell="gru", x_proj=x_proj, h=h, out=out, ...)   # pointers into tensors that must stay alive
    call(core.rnnlab_forward, "gru", r)
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

import torch
from torch import Tensor

CELL_CODES = {"rnn_tanh": 0, "rnn_relu": 1, "gru": 2, "lstm": 3, "mingru": 4, "minlstm": 5}  # csrc/abi.h
DTYPE_CODES = {torch.float32: 0, torch.float64: 1}
GATE_BLOCKS = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 3, "lstm": 4, "mingru": 2, "minlstm": 3}  # G
SAVED_GATES = {"rnn_tanh": 0, "rnn_relu": 0, "gru": 4, "lstm": 5}  # S: per unit, kept for backward (csrc/*.h)
MATRIX_CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")  # one product U h per step
ELEMENTWISE_CELLS = ("mingru", "minlstm")  # no U: every step is elementwise


class Recurrence(ctypes.Structure):
    """One layer in one direction; field for field `struct Recurrence` in csrc/abi.h."""

    _fields_ = [
        ("batch", ctypes.c_int64), ("time", ctypes.c_int64), ("hidden", ctypes.c_int64), ("steps", ctypes.c_int64),
        ("lengths", ctypes.c_void_p), ("reverse", ctypes.c_int32), ("dtype", ctypes.c_int32),
        ("x_proj", ctypes.c_void_p), ("weight_hh", ctypes.c_void_p), ("bias_hh", ctypes.c_void_p),
        ("h", ctypes.c_void_p), ("c", ctypes.c_void_p), ("out", ctypes.c_void_p), ("scratch", ctypes.c_void_p),
        ("h_before", ctypes.c_void_p), ("c_before", ctypes.c_void_p), ("gates", ctypes.c_void_p),
        ("h0", ctypes.c_void_p), ("d_out", ctypes.c_void_p), ("d_h", ctypes.c_void_p), ("d_c", ctypes.c_void_p),
        ("d_x_proj", ctypes.c_void_p), ("d_hidden_proj", ctypes.c_void_p),
    ]


def pointer(tensor: Tensor | None) -> int | None:
    """The address of a contiguous tensor's first element (None for no tensor)."""
    if tensor is None:
        return None
    assert tensor.is_contiguous(), "the core reads tensors as dense row-major arrays"
    return tensor.data_ptr()


def recurrence(x_proj: Tensor, hidden: int, steps: int, lengths: Tensor | None, reverse: bool,
               **tensors: Tensor | None) -> Recurrence:
    """The struct for a layer whose projected input is x_proj (B, T, G·H); `tensors` name its other fields."""
    B, T, _ = x_proj.shape
    fields = {name: pointer(tensor) for name, tensor in tensors.items()}
    r = Recurrence(batch=B, time=T, hidden=hidden, steps=steps, lengths=pointer(lengths), reverse=int(reverse),
                   dtype=DTYPE_CODES[x_proj.dtype], x_proj=pointer(x_proj), **fields)
    r.alive = [x_proj, lengths, *tensors.values()]  # the struct holds addresses only: keep their tensors alive
    return r


def call(entry: Callable[[int, ctypes.c_void_p], int], cell: str, r: Recurrence) -> None:
    status = entry(CELL_CODES[cell], ctypes.byref(r))  # type: ignore[arg-type]
    if status != 0:
        raise RuntimeError(f"the compiled core rejected cell {cell!r} with dtype code {r.dtype} (status {status})")


def bind(library: ctypes.CDLL) -> ctypes.CDLL:
    """Declare the entry points' C types, so that ctypes passes a pointer and reads an int32."""
    for name in ("rnnlab_forward", "rnnlab_backward"):
        function = getattr(library, name)
        function.argtypes = [ctypes.c_int32, ctypes.POINTER(Recurrence)]
        function.restype = ctypes.c_int32
    library.rnnlab_abi_version.restype = ctypes.c_int32
    return library
