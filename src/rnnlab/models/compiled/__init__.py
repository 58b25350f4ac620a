"""The compiled recurrent core: the loop over time in C++ for the RNN, GRU, LSTM, minGRU and minLSTM on the CPU.

Per step one matrix product for U h (straight into torch's BLAS) and one fused elementwise pass for the
gates, the nonlinearity, the state update and what the backward pass needs; the input projection stays one
product over all steps. Every function it computes is the readable cell's (tests/models/compiled/ prove it,
float64 to 1e-10, gradients included).

    build.py      build just in time with torch.utils.cpp_extension, cache per machine, load or warn once
    abi.py        the ctypes mirror of csrc/abi.h and the calls into the library
    functions.py  autograd functions: one layer in one direction
    run.py        a whole stack (layers, directions, lengths), as `RecurrentLayer` runs it
    csrc/         the C++: activations, BLAS, one header per cell, the loops over time
"""

from rnnlab.models.compiled.build import core_status, load_core
from rnnlab.models.compiled.run import run_compiled, supports

__all__ = ["core_status", "load_core", "run_compiled", "supports"]
