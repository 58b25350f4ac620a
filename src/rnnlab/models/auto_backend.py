"""What `backend="auto"` runs, and the measurements behind the rule (`rnnlab bench`, benchmarks/results/).

On the CPU (benchmarks/results/compiled-cpu-2core.md; AMD EPYC Zen 3, 1 thread):

- rnn, gru, mingru, minlstm: the compiled core (`models/compiled/`) for every sequence. Against
  torch.nn's loops it trains the GRU 2.0x faster at s1 and 6.7x at s3, the RNN 1.9x and 5.3x, and is
  faster at every other shape too (0.78-0.99 the time); minGRU and minLSTM run 7-12x faster than their
  readable loop from T = 512 (benchmarks/results/scan-compiled-cpu-2core.md; the log-space scan is slower
  still).
- lstm: in training the compiled core up to H = 256 (1.2-1.6x oneDNN's kernel at s3; 0.81-1.08 its time
  at s1 and 0.88-0.99 at s2 over four runs on this shared machine); from H = 512 oneDNN's fused kernel
  (`nn.LSTM`): the core took 0.89-1.15 its time at s5, slower in three runs of four. Without gradients
  (inference) oneDNN's kernel, which matched or beat the core at every shape (s2: 1.19 the time for the
  core).
- A single step (T = 1): for rnn, lstm, gru the cell kernels `nn.*Cell` call (`fused.run_one_step`);
  minGRU and minLSTM their readable step, 15 % faster than a call into the core that costs more to set
  up than the step itself.

Without the core (not built, CUDA, bfloat16 weights), and on CUDA: `torch_backend`, the rule from before
the core existed. Options neither kernel has (peepholes, CIFG, LN) run the readable loop.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor

from rnnlab.models.layer_config import COMPILED_CELLS, FUSED_CELLS, SCAN_CELLS, RecurrentConfig, Runner

LSTM_ONEDNN_FROM_HIDDEN = 512  # from this H on oneDNN's LSTM kernel mostly beat the core in training (s5)


def auto_backend(config: RecurrentConfig, x: Tensor, compiled_runs: Callable[[], bool], gradients: bool = True
                 ) -> Runner:
    """The backend `auto` picks for input x (B, T, D), with or without `gradients` (torch.is_grad_enabled());
    `compiled_runs()` says whether the core can run it (and builds it on first use), so it is asked only
    where the core would be chosen."""
    c = config
    if c.lstm_options:
        return "readable"
    one_step = x.shape[1] == 1
    if one_step and c.cell in FUSED_CELLS:
        return "fused"
    onednn_lstm = c.cell == "lstm" and (not gradients or c.hidden_size >= LSTM_ONEDNN_FROM_HIDDEN)
    wanted = c.cell in COMPILED_CELLS and not one_step and x.device.type == "cpu" and not onednn_lstm
    if wanted and compiled_runs():
        return "compiled"
    return torch_backend(c, x)


def torch_backend(config: RecurrentConfig, x: Tensor) -> Runner:
    """`auto` without the compiled core: what `rnnlab bench` measured before it existed
    (benchmarks/results/cpu-2core.md, scan-cpu-2core.md, scan-h100.md).

    rnn, lstm, gru: the fused kernels, on CUDA (cuDNN) and on the CPU, where PyTorch's GRU and RNN loops
    beat the Python loop by 0-40 % and oneDNN's LSTM by 2-4x. mingru, minlstm: the scan on CUDA for more
    than one step, 20-130x faster than the loop there; on the CPU the readable loop, which one thread runs
    1.9-3.4x faster than the scan in training (its logcumsumexp costs ~26 ns per element, in three passes).
    indrnn: the readable loop, the only one it has.
    """
    c = config
    if c.cell in SCAN_CELLS:
        return "scan" if x.device.type == "cuda" and x.shape[1] > 1 else "readable"
    if c.cell in FUSED_CELLS and not c.lstm_options:
        return "fused"
    return "readable"
