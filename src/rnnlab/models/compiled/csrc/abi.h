// What Python hands the core: one layer in one direction, as plain pointers and sizes. The Python
// mirror is `Recurrence` in models/compiled/abi.py; `RNNLAB_ABI_VERSION` guards the two from drifting.
//
// Layout: batch-first tensors as the layer has them, step-major buffers for what the loop saves.
//     x_proj  (B, T, G·H)  W x + b_ih for every step, computed by one matrix product before the loop
//     out     (B, T, H)    h_t at each real step; zero past a sequence's length (zeroed by the caller)
// The loop's step t reads time t of sequence b, or time L_b − 1 − t when `reverse` (the backward
// direction of a bidirectional layer), and stops at L_b: the state is held from there on.
#pragma once

#include <cstdint>

#define RNNLAB_ABI_VERSION 1

extern "C" {

enum CellKind : int32_t {
  CELL_RNN_TANH = 0, CELL_RNN_RELU = 1, CELL_GRU = 2, CELL_LSTM = 3, CELL_MINGRU = 4, CELL_MINLSTM = 5
};
enum DType : int32_t { DTYPE_FLOAT32 = 0, DTYPE_FLOAT64 = 1 };

struct Recurrence {
  int64_t batch, time, hidden;  // B, T, H
  int64_t steps;                // steps the loop runs: the longest length (≤ T)
  const int64_t* lengths;       // (B,) real steps per sequence, or null: all T
  int32_t reverse;              // 1: step t reads time L_b − 1 − t
  int32_t dtype;                // DType of every tensor below
  // forward
  const void* x_proj;       // (B, T, G·H)
  const void* weight_hh;    // (G·H, H) U; null for minGRU and minLSTM, which have none
  const void* bias_hh;      // (G·H,) b_hh; null for minGRU and minLSTM
  void* h;                  // (B, H): h_0 in, h_T out
  void* c;                  // (B, H): c_0 in, c_T out (LSTM); null otherwise
  void* out;                // (B, T, H)
  void* scratch;            // (B, G·H): U h of one step
  // saved by a training forward (null in inference); see each cell's header for `gates`
  void* h_before;           // (steps, B, H): the state each step read
  void* c_before;           // (steps, B, H): LSTM
  void* gates;              // (steps, B, S·H)
  // backward
  const void* h0;           // (B, H): the initial state (minGRU, minLSTM: their step 0 reads it)
  const void* d_out;        // (B, T, H)
  void* d_h;                // (B, H): dL/dh_T in, dL/dh_0 out
  void* d_c;                // (B, H): dL/dc_T in, dL/dc_0 out (LSTM)
  void* d_x_proj;           // (B, T, G·H), zero past each length (zeroed by the caller)
  void* d_hidden_proj;      // (steps, B, G·H): dL/d(U h + b_hh), from which Python takes dU and db_hh
};

int32_t rnnlab_abi_version();
// 0 on success; 1: unknown cell or dtype
int32_t rnnlab_forward(int32_t cell, const Recurrence* r);
int32_t rnnlab_backward(int32_t cell, const Recurrence* r);

}  // extern "C"
