#include <cuda_runtime_api.h>

#include "kernels/cuda/check.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"

namespace rb::kernels::cuda {

void* Allocate(size_t bytes) {
  void* device = nullptr;
  cudaError_t status = cudaMalloc(&device, bytes);
  if (status != cudaSuccess) {
    cudaGetLastError();
    size_t free = 0, total = 0;
    cudaMemGetInfo(&free, &total);
    Throw(status == cudaErrorMemoryAllocation ? ErrorCode::kNumerical : ErrorCode::kUnsupported,
          "cudaMalloc of {} bytes failed: {} ({} of {} bytes free on the device)", bytes,
          cudaGetErrorString(status), free, total);
  }
  return device;
}

void Free(void* device) noexcept {
  if (device != nullptr) cudaFree(device);
}

void CopyToDevice(void* device, const void* host, size_t bytes) {
  RB_CUDA_CHECK(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice));
}

void CopyToHost(void* host, const void* device, size_t bytes) {
  RB_CUDA_CHECK(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost));
}

}  // namespace rb::kernels::cuda
