// Matrix products for the loop over time, straight into the BLAS that PyTorch's CPU build carries (MKL
// on x86: its Fortran symbols sgemm_ and dgemm_ are exported by libtorch_cpu). Calling it directly costs
// no dispatcher, no tensor and no allocation per step, which is most of what a small per-step product
// pays through torch.mm. The loader (models/compiled/build.py) builds this core only where the symbols
// exist, and MKL uses the threads torch.set_num_threads gives it.
//
// Fortran BLAS is column-major; our tensors are row-major. A row-major (m × n) matrix is the
// column-major (n × m) one, so C = op(A)·op(B) in row-major is Cᵀ = op(B)ᵀ·op(A)ᵀ in column-major:
// the same call with A and B swapped and m and n swapped, transpose flags unchanged.
#pragma once

#include <cstdint>

extern "C" {
void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const float* alpha,
            const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c,
            const int* ldc);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
            const int* ldc);
}

namespace rnnlab {

// Row-major C (m × n) = A (m × k) · op(B) + beta · C, with op(B) = Bᵀ for B stored (n × k) when
// `b_transposed`, else B stored (k × n). Leading dimensions are the row lengths as stored.
inline void gemm(bool b_transposed, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                 int64_t ldb, float beta, float* c, int64_t ldc) {
  const char transb = b_transposed ? 'T' : 'N', transa = 'N';
  const int M = int(m), N = int(n), K = int(k), LDA = int(lda), LDB = int(ldb), LDC = int(ldc);
  const float one = 1.0f;
  sgemm_(&transb, &transa, &N, &M, &K, &one, b, &LDB, a, &LDA, &beta, c, &LDC);
}

inline void gemm(bool b_transposed, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
                 int64_t ldb, double beta, double* c, int64_t ldc) {
  const char transb = b_transposed ? 'T' : 'N', transa = 'N';
  const int M = int(m), N = int(n), K = int(k), LDA = int(lda), LDB = int(ldb), LDC = int(ldc);
  const double one = 1.0;
  dgemm_(&transb, &transa, &N, &M, &K, &one, b, &LDB, a, &LDA, &beta, c, &LDC);
}

}  // namespace rnnlab
