// CUDA launchers of the shared element arithmetic (kernels/elementwise_ops.hpp,
// kernels/solver_update.hpp): the same functions the CPU kernels call.
#include <algorithm>

#include "kernels/cuda/check.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/elementwise_ops.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::kernels::cuda {
namespace {

constexpr int kThreads = 256;

int Blocks(int64_t count) {
  return static_cast<int>(std::min<int64_t>((count + kThreads - 1) / kThreads, 65535));
}

// Grid-stride loops: any count with a bounded grid.
__global__ void FillKernel(float* y, float value, int64_t count) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count;
       i += int64_t{blockDim.x} * gridDim.x) {
    y[i] = value;
  }
}

__global__ void ReluForwardKernel(const float* x, float* y, int64_t count, float slope) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count;
       i += int64_t{blockDim.x} * gridDim.x) {
    y[i] = ops::Relu(x[i], slope);
  }
}

__global__ void ReluBackwardKernel(const float* y, const float* dy, float* dx, int64_t count,
                                   float slope, bool accumulate) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count;
       i += int64_t{blockDim.x} * gridDim.x) {
    float v = ops::ReluGrad(y[i], dy[i], slope);
    dx[i] = accumulate ? dx[i] + v : v;
  }
}

__global__ void SgdKernel(float* w, const float* g, float* h, int64_t count, float lr,
                          float momentum) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count;
       i += int64_t{blockDim.x} * gridDim.x) {
    ops::SgdStep(w[i], g[i], h[i], lr, momentum);
  }
}

void CheckLaunch(const char* kernel) {
  cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess) {
    Throw(ErrorCode::kUnsupported, "launch of {} failed: {}", kernel, cudaGetErrorString(status));
  }
}

}  // namespace

void Fill(float* device, float value, int64_t count) {
  if (count == 0) return;
  FillKernel<<<Blocks(count), kThreads>>>(device, value, count);
  CheckLaunch("FillKernel");
}

void ReluForward(const float* x, float* y, int64_t count, float slope) {
  if (count == 0) return;
  ReluForwardKernel<<<Blocks(count), kThreads>>>(x, y, count, slope);
  CheckLaunch("ReluForwardKernel");
}

void ReluBackward(const float* y, const float* dy, float* dx, int64_t count, float slope,
                  bool accumulate) {
  if (count == 0) return;
  ReluBackwardKernel<<<Blocks(count), kThreads>>>(y, dy, dx, count, slope, accumulate);
  CheckLaunch("ReluBackwardKernel");
}

void SgdUpdate(float* w, const float* g, float* h, int64_t count, float lr, float momentum) {
  if (count == 0) return;
  SgdKernel<<<Blocks(count), kThreads>>>(w, g, h, count, lr, momentum);
  CheckLaunch("SgdKernel");
}

}  // namespace rb::kernels::cuda
