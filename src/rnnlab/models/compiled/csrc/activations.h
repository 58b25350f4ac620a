// Activations for the fused elementwise passes: σ, tanh and exp, written so that the compiler
// vectorises a loop over them (no branches, no calls into libm for float32).
//
// float32: exp by range reduction, x = n·ln 2 + r with |r| ≤ ln 2 / 2, so e^x = 2^n · e^r; e^r by its
// Taylor series to r^7 (truncation error r^8/8! < 6e-9, below float32's 6e-8 rounding), 2^n by writing
// n into the exponent bits. σ and tanh from it:
//
//     σ(x)    = 1 / (1 + e^−x)
//     tanh(x) = sign(x) · (1 − e^−2|x|) / (1 + e^−2|x|)          for |x| ≥ 0.4
//             = x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835 − 1382x¹¹/155925 + 21844x¹³/6081075
//                                                               for |x| < 0.4, where 1 − e^−2|x| would
//                                                               cancel; the next term is < 5e-9 of x
// Both branches are computed and one is selected, which the vector units do in one blend.
// float64 (the gradient checks) uses the C library's exp and tanh.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace rnnlab {

inline float exp_approx(float x) {
  x = x < -87.0f ? -87.0f : x;   // e^x stays a normal float: 2^n with −126 ≤ n ≤ 127 (a ternary, not
  x = x > 88.0f ? 88.0f : x;     // fmin/fmax: those vectorise only under -ffinite-math-only)
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);   // round(x / ln 2)
  // r = x − n·ln 2 in two parts (ln 2 = 0.693359375 − 2.12194440e-4), exact for the first product
  const float r = (x - n * 0.693359375f) + n * 2.12194440054690583e-4f;
  // Σ_{k≤7} r^k/k! in Estrin's form: four independent pairs, then two levels, so that the chain of
  // dependent multiply-adds is 4 long instead of Horner's 7 (the elementwise loops are latency-bound:
  // see lstm.h)
  const float r2 = r * r, r4 = r2 * r2;
  const float p01 = 1.0f + r, p23 = 0.5f + r * (1.0f / 6), p45 = 1.0f / 24 + r * (1.0f / 120);
  const float p67 = 1.0f / 720 + r * (1.0f / 5040);
  const float p = (p01 + r2 * p23) + r4 * (p45 + r2 * p67);
  const float two_to_n = std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);  // 2^n, exponent bits
  return p * two_to_n;
}

inline float sigmoid(float x) { return 1.0f / (1.0f + exp_approx(-x)); }

inline float tanh_approx(float x) {
  const float a = std::fabs(x);
  const float e = exp_approx(-2.0f * a);
  const float large = (1.0f - e) / (1.0f + e);
  const float s = a * a, s2 = s * s, s4 = s2 * s2;
  // the odd series a(1 + s·q(s)), q(s) = −1/3 + 2s/15 − 17s²/315 + 62s³/2835 − 1382s⁴/155925 + 21844s⁵/6081075,
  // in Estrin's form like exp's
  const float q01 = -1.0f / 3 + s * (2.0f / 15), q23 = -17.0f / 315 + s * (62.0f / 2835);
  const float q45 = -1382.0f / 155925 + s * (21844.0f / 6081075);
  const float q = (q01 + s2 * q23) + s4 * q45;
  const float small = a + a * s * q;
  return std::copysign(a < 0.4f ? small : large, x);
}

inline float tanh_of(float x) { return tanh_approx(x); }

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double tanh_of(double x) { return std::tanh(x); }

// Feng et al.'s positive activation for minGRU and minLSTM (models/cells/linear.py) and its derivative:
//     g(v) = v + ½ for v ≥ 0, σ(v) below;   g'(v) = 1 for v ≥ 0, σ(v)(1 − σ(v)) below
template <typename T> inline T positive_g(T v) {
  const T s = sigmoid(v);
  return v >= T(0) ? v + T(0.5) : s;
}
template <typename T> inline T positive_g_grad(T v) {
  const T s = sigmoid(v);
  return v >= T(0) ? T(1) : s * (T(1) - s);
}

}  // namespace rnnlab
