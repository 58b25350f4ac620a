// minGRU and minLSTM (models/cells/mingru.py, minlstm.py), one sequence at one step, H units. Their
// gates read the input alone, so a step is elementwise: no product with U, and nothing to save, as
// the backward pass recomputes the gates from x_proj and reads h from the outputs.
//
// minGRU, blocks z, h:   z = σ(k_z)   h̃ = g(k_h)   h' = (1 − z) ⊙ h + z ⊙ h̃ = h + z ⊙ (h̃ − h)
//     backward, g_h = dL/dh':  dz = g_h ⊙ (h̃ − h)   dh̃ = g_h ⊙ z   dh = g_h ⊙ (1 − z)
//                              d k_z = dz ⊙ z(1 − z)   d k_h = dh̃ ⊙ g'(k_h)
// minLSTM, blocks f, i, h:   f = σ(k_f)   i = σ(k_i)   f' = f / (f + i)   i' = i / (f + i)   h̃ = g(k_h)
//                            h' = f' ⊙ h + i' ⊙ h̃ = h + i' ⊙ (h̃ − h)          (f' = 1 − i')
//     backward:  di' = g_h ⊙ (h̃ − h)   dh̃ = g_h ⊙ i'   dh = g_h ⊙ f'
//                ∂i'/∂k_i = i' f' (1 − i)   ∂i'/∂k_f = −i' f' (1 − f)   d k_h = dh̃ ⊙ g'(k_h)
// g and g' are Feng et al.'s positive activation (activations.h).
#pragma once

#include <cstdint>

#include "activations.h"

namespace rnnlab {

template <typename T> struct MinGRU {
  static constexpr int64_t blocks = 2;

  static void forward(int64_t H, const T* __restrict x_proj, T* __restrict h, T* __restrict out) {
    #pragma GCC ivdep  // the gate blocks of one row never overlap: no need for run-time alias checks
    for (int64_t j = 0; j < H; ++j) {
      const T z = sigmoid(x_proj[j]);
      const T h_tilde = positive_g(x_proj[H + j]);
      const T h_new = h[j] + z * (h_tilde - h[j]);
      h[j] = h_new;
      out[j] = h_new;
    }
  }

  static void backward(int64_t H, const T* __restrict x_proj, const T* __restrict h_prev,
                       const T* __restrict d_out, T* __restrict d_h, T* __restrict d_x_proj) {
    #pragma GCC ivdep  // the gate blocks of one row never overlap: no need for run-time alias checks
    for (int64_t j = 0; j < H; ++j) {
      const T k_h = x_proj[H + j];
      const T z = sigmoid(x_proj[j]);
      const T g_h = d_h[j] + d_out[j];
      d_x_proj[j] = g_h * (positive_g(k_h) - h_prev[j]) * z * (T(1) - z);
      d_x_proj[H + j] = g_h * z * positive_g_grad(k_h);
      d_h[j] = g_h * (T(1) - z);
    }
  }
};

template <typename T> struct MinLSTM {
  static constexpr int64_t blocks = 3;

  static void forward(int64_t H, const T* __restrict x_proj, T* __restrict h, T* __restrict out) {
    #pragma GCC ivdep  // the gate blocks of one row never overlap: no need for run-time alias checks
    for (int64_t j = 0; j < H; ++j) {
      const T f = sigmoid(x_proj[j]);
      const T i = sigmoid(x_proj[H + j]);
      const T i_norm = i / (f + i);
      const T h_tilde = positive_g(x_proj[2 * H + j]);
      const T h_new = h[j] + i_norm * (h_tilde - h[j]);
      h[j] = h_new;
      out[j] = h_new;
    }
  }

  static void backward(int64_t H, const T* __restrict x_proj, const T* __restrict h_prev,
                       const T* __restrict d_out, T* __restrict d_h, T* __restrict d_x_proj) {
    #pragma GCC ivdep  // the gate blocks of one row never overlap: no need for run-time alias checks
    for (int64_t j = 0; j < H; ++j) {
      const T f = sigmoid(x_proj[j]);
      const T i = sigmoid(x_proj[H + j]);
      const T k_h = x_proj[2 * H + j];
      const T i_norm = i / (f + i), f_norm = f / (f + i);
      const T g_h = d_h[j] + d_out[j];
      const T d_i_norm = g_h * (positive_g(k_h) - h_prev[j]);
      d_x_proj[j] = -d_i_norm * i_norm * f_norm * (T(1) - f);
      d_x_proj[H + j] = d_i_norm * i_norm * f_norm * (T(1) - i);
      d_x_proj[2 * H + j] = g_h * i_norm * positive_g_grad(k_h);
      d_h[j] = g_h * f_norm;
    }
  }
};

}  // namespace rnnlab
