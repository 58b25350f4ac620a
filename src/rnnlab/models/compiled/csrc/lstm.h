// The LSTM cell (models/cells/lstm.py without options), one sequence at one step, H units.
// x_proj and U h hold the blocks i, f, g, o in that order (PyTorch's).
//
//     i = σ(pre_i)   f = σ(pre_f)   g = tanh(pre_g)   o = σ(pre_o)     pre = x_proj + U h + b_hh
//     c' = f ⊙ c + i ⊙ g
//     h' = o ⊙ tanh(c')
//
// Backward, with dh = dL/dh' and dc = dL/dc' from the next step:
//     dc'  = dc + dh ⊙ o ⊙ (1 − tanh²(c'))        do = dh ⊙ tanh(c')
//     di = dc' ⊙ g     df = dc' ⊙ c     dg = dc' ⊙ i     dc (to the step before) = dc' ⊙ f
//     d pre = (di ⊙ i(1 − i), df ⊙ f(1 − f), dg ⊙ (1 − g²), do ⊙ o(1 − o)) = d x_proj = d (U h + b_hh)
// gates saved per unit: i, f, g, o, tanh(c').
#pragma once

#include <cstdint>

#include "activations.h"

namespace rnnlab {

template <typename T> struct LSTM {
  static constexpr int64_t blocks = 4;
  static constexpr int64_t saved = 5;

  // Two passes over the units, so that each loop body holds short dependency chains the processor can
  // overlap across units (one pass with σ → c' → tanh(c') → h' in a row was latency-bound: 5.4 against
  // 4.2 ns per unit). The first leaves o in the scratch row `hidden_proj`, whose U h it has read.
  template <bool Save>
  static void forward(int64_t H, const T* __restrict x_proj, T* __restrict hidden_proj,
                      const T* __restrict bias_hh, T* __restrict h, T* __restrict c, T* __restrict out,
                      T* __restrict gates) {
    T* __restrict o_of = hidden_proj + 3 * H;
    #pragma GCC ivdep  // the gate blocks of one row never overlap: no need for run-time alias checks
    for (int64_t j = 0; j < H; ++j) {
      const T i = sigmoid(x_proj[j] + hidden_proj[j] + bias_hh[j]);
      const T f = sigmoid(x_proj[H + j] + hidden_proj[H + j] + bias_hh[H + j]);
      const T g = tanh_of(x_proj[2 * H + j] + hidden_proj[2 * H + j] + bias_hh[2 * H + j]);
      const T o = sigmoid(x_proj[3 * H + j] + hidden_proj[3 * H + j] + bias_hh[3 * H + j]);
      c[j] = f * c[j] + i * g;
      o_of[j] = o;
      if constexpr (Save) {
        gates[j] = i;
        gates[H + j] = f;
        gates[2 * H + j] = g;
        gates[3 * H + j] = o;
      }
    }
    #pragma GCC ivdep
    for (int64_t j = 0; j < H; ++j) {
      const T tanh_c = tanh_of(c[j]);
      const T h_new = o_of[j] * tanh_c;
      h[j] = h_new;
      out[j] = h_new;
      if constexpr (Save) gates[4 * H + j] = tanh_c;
    }
  }

  static void backward(int64_t H, const T* __restrict d_out, const T* /*out*/, const T* /*h_prev*/,
                       const T* __restrict c_prev, const T* __restrict gates, T* __restrict d_h,
                       T* __restrict d_c, T* __restrict d_x_proj, T* __restrict d_hidden_proj) {
    #pragma GCC ivdep  // the gate blocks of one row never overlap: no need for run-time alias checks
    for (int64_t j = 0; j < H; ++j) {
      const T i = gates[j], f = gates[H + j], g = gates[2 * H + j], o = gates[3 * H + j];
      const T tanh_c = gates[4 * H + j];
      const T dh = d_h[j] + d_out[j];
      const T dc = d_c[j] + dh * o * (T(1) - tanh_c * tanh_c);
      const T d_pre_i = dc * g * i * (T(1) - i);
      const T d_pre_f = dc * c_prev[j] * f * (T(1) - f);
      const T d_pre_g = dc * i * (T(1) - g * g);
      const T d_pre_o = dh * tanh_c * o * (T(1) - o);
      d_x_proj[j] = d_pre_i;
      d_x_proj[H + j] = d_pre_f;
      d_x_proj[2 * H + j] = d_pre_g;
      d_x_proj[3 * H + j] = d_pre_o;
      d_hidden_proj[j] = d_pre_i;
      d_hidden_proj[H + j] = d_pre_f;
      d_hidden_proj[2 * H + j] = d_pre_g;
      d_hidden_proj[3 * H + j] = d_pre_o;
      d_c[j] = dc * f;
      d_h[j] = T(0);  // h reaches h' only through U h: the product adds that part after this pass
    }
  }
};

}  // namespace rnnlab
