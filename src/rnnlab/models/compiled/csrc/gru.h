// The GRU cell (models/cells/gru.py, PyTorch's form), one sequence at one step, H units.
// x_proj and U h hold the blocks r, z, n in that order.
//
//     r  = σ(x_r + U_r h + b_hr)
//     z  = σ(x_z + U_z h + b_hz)
//     a  = U_n h + b_hn                       kept: the reset gate scales it
//     n  = tanh(x_n + r ⊙ a)
//     h' = (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n)
//
// Backward, with g = dL/dh':
//     dn = g ⊙ (1 − z)     dz = g ⊙ (h − n)     dh (direct) = g ⊙ z
//     d pre_n = dn ⊙ (1 − n²)                  d x_n = d pre_n      d a = d pre_n ⊙ r
//     d pre_r = d pre_n ⊙ a ⊙ r(1 − r)         d pre_z = dz ⊙ z(1 − z)
// gates saved per unit: r, z, n, a.
#pragma once

#include <cstdint>

#include "activations.h"

namespace rnnlab {

template <typename T> struct GRU {
  static constexpr int64_t blocks = 3;
  static constexpr int64_t saved = 4;

  // Two passes, as in lstm.h: the first computes the gates and the candidate's argument and leaves z and
  // that argument in the scratch row `hidden_proj` (whose U h it has read), the second the tanh and h'.
  template <bool Save>
  static void forward(int64_t H, const T* __restrict x_proj, T* __restrict hidden_proj,
                      const T* __restrict bias_hh, T* __restrict h, T* /*c*/, T* __restrict out,
                      T* __restrict gates) {
    const T *x_r = x_proj, *x_z = x_proj + H, *x_n = x_proj + 2 * H;
    const T *b_r = bias_hh, *b_z = bias_hh + H, *b_n = bias_hh + 2 * H;
    T *h_r = hidden_proj, *h_z = hidden_proj + H, *h_n = hidden_proj + 2 * H;
    #pragma GCC ivdep  // the gate blocks of one row never overlap: no need for run-time alias checks
    for (int64_t j = 0; j < H; ++j) {
      const T r = sigmoid(x_r[j] + h_r[j] + b_r[j]);
      const T z = sigmoid(x_z[j] + h_z[j] + b_z[j]);
      const T a = h_n[j] + b_n[j];
      h_z[j] = z;
      h_n[j] = x_n[j] + r * a;  // the candidate's argument
      if constexpr (Save) {
        gates[j] = r;
        gates[H + j] = z;
        gates[3 * H + j] = a;
      }
    }
    #pragma GCC ivdep
    for (int64_t j = 0; j < H; ++j) {
      const T n = tanh_of(h_n[j]);
      const T h_new = n + h_z[j] * (h[j] - n);
      h[j] = h_new;
      out[j] = h_new;
      if constexpr (Save) gates[2 * H + j] = n;
    }
  }

  static void backward(int64_t H, const T* __restrict d_out, const T* /*out*/, const T* __restrict h_prev,
                       const T* /*c_prev*/, const T* __restrict gates, T* __restrict d_h, T* /*d_c*/,
                       T* __restrict d_x_proj, T* __restrict d_hidden_proj) {
    #pragma GCC ivdep  // the gate blocks of one row never overlap: no need for run-time alias checks
    for (int64_t j = 0; j < H; ++j) {
      const T r = gates[j], z = gates[H + j], n = gates[2 * H + j], a = gates[3 * H + j];
      const T g = d_h[j] + d_out[j];
      const T d_n = g * (T(1) - z);
      const T d_z = g * (h_prev[j] - n);
      const T d_pre_n = d_n * (T(1) - n * n);
      const T d_pre_r = d_pre_n * a * r * (T(1) - r);
      const T d_pre_z = d_z * z * (T(1) - z);
      d_x_proj[j] = d_pre_r;
      d_x_proj[H + j] = d_pre_z;
      d_x_proj[2 * H + j] = d_pre_n;
      d_hidden_proj[j] = d_pre_r;
      d_hidden_proj[H + j] = d_pre_z;
      d_hidden_proj[2 * H + j] = d_pre_n * r;
      d_h[j] = g * z;
    }
  }
};

}  // namespace rnnlab
