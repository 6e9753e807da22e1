// CUDA device memory and kernels, device-neutral: the CUDA build implements these in cuda/,
// a build without CUDA links cuda_stub.cpp, where each throws Error(kUnsupported). Every CUDA
// status is checked and reported as an rb::Error naming the call.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rb::kernels::cuda {

void* Allocate(size_t bytes);  // throws kUnsupported/kNumerical with the size on failure
void Free(void* device) noexcept;
void CopyToDevice(void* device, const void* host, size_t bytes);
void CopyToHost(void* host, const void* device, size_t bytes);
void Fill(float* device, float value, int64_t count);

// y = x > 0 ? x : slope x over `count` floats (may alias).
void ReluForward(const float* x, float* y, int64_t count, float slope);
// dx (+)= dy * (y > 0 ? 1 : slope)
void ReluBackward(const float* y, const float* dy, float* dx, int64_t count, float slope,
                  bool accumulate);
// Caffe's SGD with momentum on `count` parameters.
void SgdUpdate(float* w, const float* g, float* h, int64_t count, float lr, float momentum);

}  // namespace rb::kernels::cuda
