// CUDA launchers of the shared solver kernels (kernels/shared/solver.hpp); cuBLAS for the
// BLAS-1 steps (scal, axpy) as Caffe's GPU solvers use it.
#include <vector>

#include "kernels/cuda/cuda_launcher.cuh"
#include "kernels/cuda/library_check.hpp"
#include "kernels/shared/solver.hpp"

namespace rb::kernels::cuda {
namespace {

const CudaLauncher launch{};

void Run(shared::Rule rule, float* w, const float* g, float* h, float* h2, int64_t count, float lr,
         float momentum, float momentum2, float delta, bool inside) {
  launch.ForEach(count,
                 shared::UpdateOp{rule, w, g, h, h2, lr, momentum, momentum2, delta, inside});
}

// cuBLAS counts in int: long arrays go in pieces.
template <class F>
void InPieces(int64_t count, F&& f) {
  constexpr int64_t kPiece = int64_t{1} << 30;
  for (int64_t start = 0; start < count; start += kPiece) {
    f(start, static_cast<int>(std::min(kPiece, count - start)));
  }
}

}  // namespace

void SgdUpdate(float* w, const float* g, float* h, int64_t count, float lr, float momentum) {
  Run(shared::Rule::kSgd, w, g, h, nullptr, count, lr, momentum, 0, 0, false);
}
void NesterovUpdate(float* w, const float* g, float* h, int64_t count, float lr, float momentum) {
  Run(shared::Rule::kNesterov, w, g, h, nullptr, count, lr, momentum, 0, 0, false);
}
void AdaGradUpdate(float* w, const float* g, float* h, int64_t count, float lr, float delta) {
  Run(shared::Rule::kAdaGrad, w, g, h, nullptr, count, lr, 0, 0, delta, false);
}
void RmsPropUpdate(float* w, const float* g, float* h, int64_t count, float lr, float decay,
                   float delta, bool delta_inside_sqrt) {
  Run(shared::Rule::kRmsProp, w, g, h, nullptr, count, lr, decay, 0, delta, delta_inside_sqrt);
}
void AdamUpdate(float* w, const float* g, float* m, float* v, int64_t count, float corrected_lr,
                float b1, float b2, float eps) {
  Run(shared::Rule::kAdam, w, g, m, v, count, corrected_lr, b1, b2, eps, false);
}

void Scale(float* x, int64_t count, float factor) {
  InPieces(count, [&](int64_t start, int n) {
    RB_CUBLAS_CHECK(cublasSscal(CublasHandle(), n, &factor, x + start, 1));
  });
}

void AddDecay(const float* w, float* g, int64_t count, float decay, bool l1) {
  if (l1) {
    launch.ForEach(count, shared::DecayOp{w, g, decay, true});
    return;
  }
  InPieces(count, [&](int64_t start, int n) {
    RB_CUBLAS_CHECK(cublasSaxpy(CublasHandle(), n, &decay, w + start, 1, g + start, 1));
  });
}

void SquaredNorm(const Array* arrays, int n, double& squares, int64_t& non_finite) {
  auto sums = launch.Temp(sizeof(double) * 2 * (n > 0 ? n : 1));
  double* device = static_cast<double*>(sums.data);
  for (int i = 0; i < n; ++i) {
    launch.Sum<2>(arrays[i].count, 1, shared::SquaresOp{arrays[i].data}, device + 2 * i);
  }
  std::vector<double> host(2 * static_cast<size_t>(n));
  launch.ToHost(host.data(), device, sizeof(double) * host.size());
  squares = 0;
  non_finite = 0;
  for (int i = 0; i < n; ++i) {
    squares += host[2 * i];
    non_finite += static_cast<int64_t>(host[2 * i + 1]);
  }
}

}  // namespace rb::kernels::cuda
