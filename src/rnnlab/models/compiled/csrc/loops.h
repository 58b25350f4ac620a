// The loops over time, shared by every cell: for the RNN, GRU and LSTM one matrix product per step
// (U h for all sequences at once) then one fused elementwise pass per sequence; for minGRU and minLSTM,
// whose steps are elementwise, each sequence runs its whole length on its own.
//
// Sequences of different lengths: step t of sequence b exists while t < L_b. A step that does not exist
// holds the state (h and c untouched, output left at zero) and, backward, passes dL/dh through
// unchanged (its rows of d(U h) are zero, so the product adds nothing). The product still covers those
// rows: cheaper than gathering the live ones at every step.
#pragma once

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "abi.h"
#include "blas.h"

namespace rnnlab {

// Elementwise work per task before a loop is split across threads: below it, waking threads costs more.
constexpr int64_t kGrainElements = 32768;

inline int64_t length_of(const Recurrence& r, int64_t b) { return r.lengths ? r.lengths[b] : r.time; }

// Which time step of sequence b the loop's step t reads (t < L_b).
inline int64_t time_of(const Recurrence& r, int64_t b, int64_t t) {
  return r.reverse ? length_of(r, b) - 1 - t : t;
}

template <typename T, typename Cell> void matrix_forward(const Recurrence& r) {
  const int64_t B = r.batch, H = r.hidden, GH = Cell::blocks * H, SH = Cell::saved * H;
  const T* x_proj = static_cast<const T*>(r.x_proj);
  const T* weight_hh = static_cast<const T*>(r.weight_hh);
  const T* bias_hh = static_cast<const T*>(r.bias_hh);
  T* h = static_cast<T*>(r.h);
  T* c = static_cast<T*>(r.c);
  T* out = static_cast<T*>(r.out);
  T* hidden_proj = static_cast<T*>(r.scratch);
  T* h_before = static_cast<T*>(r.h_before);
  T* c_before = static_cast<T*>(r.c_before);
  T* gates = static_cast<T*>(r.gates);
  const bool save = h_before != nullptr;
  const int64_t grain = std::max<int64_t>(1, kGrainElements / GH);

  for (int64_t t = 0; t < r.steps; ++t) {
    if (save) {
      std::memcpy(h_before + t * B * H, h, sizeof(T) * B * H);
      if (c) std::memcpy(c_before + t * B * H, c, sizeof(T) * B * H);
    }
    gemm(/*b_transposed=*/true, B, GH, H, h, H, weight_hh, H, T(0), hidden_proj, GH);  // U h: (B, G·H)
    at::parallel_for(0, B, grain, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        if (t >= length_of(r, b)) continue;
        const int64_t at = b * r.time + time_of(r, b, t);
        T* c_b = c ? c + b * H : nullptr;
        if (save) {
          Cell::template forward<true>(H, x_proj + at * GH, hidden_proj + b * GH, bias_hh, h + b * H, c_b,
                                       out + at * H, gates + (t * B + b) * SH);
        } else {
          Cell::template forward<false>(H, x_proj + at * GH, hidden_proj + b * GH, bias_hh, h + b * H, c_b,
                                        out + at * H, nullptr);
        }
      }
    });
  }
}

template <typename T, typename Cell> void matrix_backward(const Recurrence& r) {
  const int64_t B = r.batch, H = r.hidden, GH = Cell::blocks * H, SH = Cell::saved * H;
  const T* weight_hh = static_cast<const T*>(r.weight_hh);
  const T* out = static_cast<const T*>(r.out);
  const T* h_before = static_cast<const T*>(r.h_before);
  const T* c_before = static_cast<const T*>(r.c_before);
  const T* gates = static_cast<const T*>(r.gates);
  const T* d_out = static_cast<const T*>(r.d_out);
  T* d_h = static_cast<T*>(r.d_h);
  T* d_c = static_cast<T*>(r.d_c);
  T* d_x_proj = static_cast<T*>(r.d_x_proj);
  T* d_hidden_proj = static_cast<T*>(r.d_hidden_proj);
  const int64_t grain = std::max<int64_t>(1, kGrainElements / GH);

  for (int64_t t = r.steps - 1; t >= 0; --t) {
    T* d_hidden_proj_t = d_hidden_proj + t * B * GH;  // (B, G·H)
    at::parallel_for(0, B, grain, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        if (t >= length_of(r, b)) {  // no step here: dL/dh and dL/dc pass through unchanged
          std::memset(d_hidden_proj_t + b * GH, 0, sizeof(T) * GH);
          continue;
        }
        const int64_t at = b * r.time + time_of(r, b, t);
        const int64_t row = t * B + b;
        Cell::backward(H, d_out + at * H, out + at * H, h_before + row * H, c_before ? c_before + row * H : nullptr,
                       gates ? gates + row * SH : nullptr, d_h + b * H, d_c ? d_c + b * H : nullptr,
                       d_x_proj + at * GH, d_hidden_proj_t + b * GH);
      }
    });
    gemm(/*b_transposed=*/false, B, H, GH, d_hidden_proj_t, GH, weight_hh, H, T(1), d_h, H);  // d_h += d(U h) U
  }
}

template <typename T, typename Cell> void elementwise_forward(const Recurrence& r) {
  const int64_t H = r.hidden, GH = Cell::blocks * H;
  const T* x_proj = static_cast<const T*>(r.x_proj);
  T* h = static_cast<T*>(r.h);
  T* out = static_cast<T*>(r.out);
  at::parallel_for(0, r.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      for (int64_t t = 0; t < length_of(r, b); ++t) {
        const int64_t at = b * r.time + time_of(r, b, t);
        Cell::forward(H, x_proj + at * GH, h + b * H, out + at * H);
      }
    }
  });
}

template <typename T, typename Cell> void elementwise_backward(const Recurrence& r) {
  const int64_t H = r.hidden, GH = Cell::blocks * H;
  const T* x_proj = static_cast<const T*>(r.x_proj);
  const T* out = static_cast<const T*>(r.out);
  const T* h0 = static_cast<const T*>(r.h0);
  const T* d_out = static_cast<const T*>(r.d_out);
  T* d_h = static_cast<T*>(r.d_h);
  T* d_x_proj = static_cast<T*>(r.d_x_proj);
  at::parallel_for(0, r.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      for (int64_t t = length_of(r, b) - 1; t >= 0; --t) {
        const int64_t at = b * r.time + time_of(r, b, t);
        const T* h_prev = t > 0 ? out + (b * r.time + time_of(r, b, t - 1)) * H : h0 + b * H;
        Cell::backward(H, x_proj + at * GH, h_prev, d_out + at * H, d_h + b * H, d_x_proj + at * GH);
      }
    }
  });
}

}  // namespace rnnlab
