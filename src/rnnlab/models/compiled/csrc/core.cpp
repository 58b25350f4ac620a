// The C entry points: pick the cell and the float type, run its loop (loops.h). No exceptions cross
// this boundary; Python checks shapes, dtypes and devices before it calls (models/compiled/abi.py).

#include "abi.h"
#include "elman.h"
#include "gru.h"
#include "loops.h"
#include "lstm.h"
#include "min_cells.h"

namespace rnnlab {

template <typename T> int32_t forward(int32_t cell, const Recurrence& r) {
  switch (cell) {
    case CELL_RNN_TANH: matrix_forward<T, Elman<T, false>>(r); return 0;
    case CELL_RNN_RELU: matrix_forward<T, Elman<T, true>>(r); return 0;
    case CELL_GRU: matrix_forward<T, GRU<T>>(r); return 0;
    case CELL_LSTM: matrix_forward<T, LSTM<T>>(r); return 0;
    case CELL_MINGRU: elementwise_forward<T, MinGRU<T>>(r); return 0;
    case CELL_MINLSTM: elementwise_forward<T, MinLSTM<T>>(r); return 0;
    default: return 1;
  }
}

template <typename T> int32_t backward(int32_t cell, const Recurrence& r) {
  switch (cell) {
    case CELL_RNN_TANH: matrix_backward<T, Elman<T, false>>(r); return 0;
    case CELL_RNN_RELU: matrix_backward<T, Elman<T, true>>(r); return 0;
    case CELL_GRU: matrix_backward<T, GRU<T>>(r); return 0;
    case CELL_LSTM: matrix_backward<T, LSTM<T>>(r); return 0;
    case CELL_MINGRU: elementwise_backward<T, MinGRU<T>>(r); return 0;
    case CELL_MINLSTM: elementwise_backward<T, MinLSTM<T>>(r); return 0;
    default: return 1;
  }
}

}  // namespace rnnlab

extern "C" {

int32_t rnnlab_abi_version() { return RNNLAB_ABI_VERSION; }

int32_t rnnlab_forward(int32_t cell, const Recurrence* r) {
  if (r->dtype == DTYPE_FLOAT32) return rnnlab::forward<float>(cell, *r);
  if (r->dtype == DTYPE_FLOAT64) return rnnlab::forward<double>(cell, *r);
  return 1;
}

int32_t rnnlab_backward(int32_t cell, const Recurrence* r) {
  if (r->dtype == DTYPE_FLOAT32) return rnnlab::backward<float>(cell, *r);
  if (r->dtype == DTYPE_FLOAT64) return rnnlab::backward<double>(cell, *r);
  return 1;
}

}  // extern "C"
