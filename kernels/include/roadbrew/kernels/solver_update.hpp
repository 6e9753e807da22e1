// Parameter update rules of the solvers, per element. The RB_HOST_DEVICE functions are the
// arithmetic (shared with the CUDA kernels); the cpu:: launchers apply them to arrays.
// Gradients arrive already scaled, decayed and clipped by the solver.
#pragma once

#include <cmath>
#include <cstdint>

#include "common/core/host_device.hpp"

namespace rb::kernels {
namespace ops {

// Caffe's SGD with momentum: h = momentum h + lr g; w -= h.
RB_HOST_DEVICE void SgdStep(float& w, float g, float& h, float lr, float momentum) {
  h = momentum * h + lr * g;
  w -= h;
}

// Nesterov momentum in Caffe's form: h' = momentum h + lr g; w -= (1 + momentum) h' - momentum h.
RB_HOST_DEVICE void NesterovStep(float& w, float g, float& h, float lr, float momentum) {
  float previous = h;
  h = momentum * h + lr * g;
  w -= (1.0f + momentum) * h - momentum * previous;
}

// AdaGrad: h += g^2; w -= lr g / (sqrt(h) + delta).
RB_HOST_DEVICE void AdaGradStep(float& w, float g, float& h, float lr, float delta) {
  h += g * g;
  w -= lr * g / (std::sqrt(h) + delta);
}

// RMSProp: h = decay h + (1 - decay) g^2; w -= lr g / (sqrt(h) + delta), or with delta inside
// the square root, lr g / sqrt(h + delta), as Lasagne's rmsprop (the Tiramisu's optimiser).
RB_HOST_DEVICE void RmsPropStep(float& w, float g, float& h, float lr, float decay, float delta,
                                bool delta_inside_sqrt) {
  h = decay * h + (1.0f - decay) * g * g;
  float denominator = delta_inside_sqrt ? std::sqrt(h + delta) : std::sqrt(h) + delta;
  w -= lr * g / denominator;
}

// Adam with the bias corrections folded into the step size: corrected_lr = lr sqrt(1 - b2^t) /
// (1 - b1^t); m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= corrected_lr m / (sqrt(v) +
// eps).
RB_HOST_DEVICE void AdamStep(float& w, float g, float& m, float& v, float corrected_lr, float b1,
                             float b2, float eps) {
  m = b1 * m + (1.0f - b1) * g;
  v = b2 * v + (1.0f - b2) * g * g;
  w -= corrected_lr * m / (std::sqrt(v) + eps);
}

}  // namespace ops

namespace cpu {

void SgdUpdate(float* w, const float* g, float* h, int64_t count, float lr, float momentum);
void NesterovUpdate(float* w, const float* g, float* h, int64_t count, float lr, float momentum);
void AdaGradUpdate(float* w, const float* g, float* h, int64_t count, float lr, float delta);
void RmsPropUpdate(float* w, const float* g, float* h, int64_t count, float lr, float decay,
                   float delta, bool delta_inside_sqrt);
void AdamUpdate(float* w, const float* g, float* m, float* v, int64_t count, float corrected_lr,
                float b1, float b2, float eps);

}  // namespace cpu

// The same rules on device arrays (kernels/cuda/solver.cu, from kernels/shared/solver.hpp), and
// the solver's other per-parameter work. Scal and axpy are cuBLAS's.
namespace cuda {

void SgdUpdate(float* w, const float* g, float* h, int64_t count, float lr, float momentum);
void NesterovUpdate(float* w, const float* g, float* h, int64_t count, float lr, float momentum);
void AdaGradUpdate(float* w, const float* g, float* h, int64_t count, float lr, float delta);
void RmsPropUpdate(float* w, const float* g, float* h, int64_t count, float lr, float decay,
                   float delta, bool delta_inside_sqrt);
void AdamUpdate(float* w, const float* g, float* m, float* v, int64_t count, float corrected_lr,
                float b1, float b2, float eps);
// x *= factor (cublasSscal).
void Scale(float* x, int64_t count, float factor);
// L2: g += decay w (cublasSaxpy); L1: g += decay sign(w).
void AddDecay(const float* w, float* g, int64_t count, float decay, bool l1);
// Over several device arrays: the sum of squares of their finite values and the number of
// infinities and NaNs (one copy back to the host for all of them).
struct Array {
  const float* data;
  int64_t count;
};
void SquaredNorm(const Array* arrays, int n, double& squares, int64_t& non_finite);

}  // namespace cuda
}  // namespace rb::kernels
