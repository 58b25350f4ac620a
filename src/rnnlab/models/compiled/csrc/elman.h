// The Elman cell (models/cells/rnn.py), one sequence at one step, H units.
//
//     h' = φ(x_proj + U h + b_hh)           φ = tanh, or relu
//
// Backward, with g = dL/dh' (from the next step and from this step's output):
//     d pre = g ⊙ φ'(pre),  φ' = 1 − h'² for tanh, [h' > 0] for relu;  d x_proj = d (U h + b_hh) = d pre
// Nothing is saved beyond the outputs: φ' is read from h'.
#pragma once

#include <cstdint>

#include "activations.h"

namespace rnnlab {

template <typename T, bool Relu> struct Elman {
  static constexpr int64_t blocks = 1;  // G
  static constexpr int64_t saved = 0;   // S: gates kept per unit for backward

  template <bool Save>
  static void forward(int64_t H, const T* __restrict x_proj, T* __restrict hidden_proj,
                      const T* __restrict bias_hh, T* __restrict h, T* /*c*/, T* __restrict out, T* /*gates*/) {
    #pragma GCC ivdep  // the gate blocks of one row never overlap: no need for run-time alias checks
    for (int64_t j = 0; j < H; ++j) {
      const T pre = x_proj[j] + hidden_proj[j] + bias_hh[j];
      const T h_new = Relu ? (pre > T(0) ? pre : T(0)) : tanh_of(pre);
      h[j] = h_new;
      out[j] = h_new;
    }
  }

  static void backward(int64_t H, const T* __restrict d_out, const T* __restrict out, const T* /*h_prev*/,
                       const T* /*c_prev*/, const T* /*gates*/, T* __restrict d_h, T* /*d_c*/,
                       T* __restrict d_x_proj, T* __restrict d_hidden_proj) {
    #pragma GCC ivdep  // the gate blocks of one row never overlap: no need for run-time alias checks
    for (int64_t j = 0; j < H; ++j) {
      const T g = d_h[j] + d_out[j];
      const T h_new = out[j];
      const T d_pre = Relu ? (h_new > T(0) ? g : T(0)) : g * (T(1) - h_new * h_new);
      d_x_proj[j] = d_pre;
      d_hidden_proj[j] = d_pre;
      d_h[j] = T(0);  // h reaches h' only through U h: the product adds that part after this pass
    }
  }
};

}  // namespace rnnlab
