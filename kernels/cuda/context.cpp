// Per-device state of the CUDA backend: the calling thread's device, one stream per device, the
// cuDNN and cuBLAS handles bound to it, copies and fills on it, and the library error reports.
#include <cuda_runtime_api.h>

#include <array>
#include <mutex>

#include "common/core/check.hpp"
#include "kernels/cuda/check.hpp"
#include "kernels/cuda/library_check.hpp"
#include "kernels/cuda/stream.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"

namespace rb::kernels::cuda {
namespace {

constexpr int kMaxDevices = 64;

struct DeviceState {
  std::once_flag stream_once, cudnn_once, cublas_once;
  cudaStream_t stream = nullptr;
  cudnnHandle_t cudnn = nullptr;
  cublasHandle_t cublas = nullptr;
};

// Never destroyed: handles outlive every static object that might still free device memory.
DeviceState& State(int device) {
  static auto* states = new std::array<DeviceState, kMaxDevices>();
  RB_CHECK(device >= 0 && device < kMaxDevices);
  return (*states)[device];
}

thread_local int current_device = 0;

}  // namespace

void SetDevice(int device) {
  int count = 0;
  RB_CUDA_CHECK(cudaGetDeviceCount(&count));
  RB_CHECK_ARG(device >= 0 && device < count, "CUDA device {} does not exist ({} visible)", device,
               count);
  RB_CUDA_CHECK(cudaSetDevice(device));
  current_device = device;
}

int CurrentDevice() { return current_device; }

cudaStream_t Stream() {
  DeviceState& state = State(current_device);
  std::call_once(state.stream_once, [&] {
    RB_CUDA_CHECK(cudaSetDevice(current_device));
    RB_CUDA_CHECK(cudaStreamCreateWithFlags(&state.stream, cudaStreamNonBlocking));
  });
  return state.stream;
}

cudnnHandle_t CudnnHandle() {
  DeviceState& state = State(current_device);
  cudaStream_t stream = Stream();
  std::call_once(state.cudnn_once, [&] {
    RB_CUDNN_CHECK(cudnnCreate(&state.cudnn));
    RB_CUDNN_CHECK(cudnnSetStream(state.cudnn, stream));
  });
  return state.cudnn;
}

cublasHandle_t CublasHandle() {
  DeviceState& state = State(current_device);
  cudaStream_t stream = Stream();
  std::call_once(state.cublas_once, [&] {
    RB_CUBLAS_CHECK(cublasCreate(&state.cublas));
    RB_CUBLAS_CHECK(cublasSetStream(state.cublas, stream));
    // Scalars (alpha) come from the host.
    RB_CUBLAS_CHECK(cublasSetPointerMode(state.cublas, CUBLAS_POINTER_MODE_HOST));
  });
  return state.cublas;
}

void ThrowCudnnError(const char* call, cudnnStatus_t status) {
  Throw(status == CUDNN_STATUS_ALLOC_FAILED ? ErrorCode::kNumerical : ErrorCode::kUnsupported,
        "{} failed: {} (cuDNN status {})", call, cudnnGetErrorString(status),
        static_cast<int>(status));
}

void ThrowCublasError(const char* call, cublasStatus_t status) {
  Throw(status == CUBLAS_STATUS_ALLOC_FAILED ? ErrorCode::kNumerical : ErrorCode::kUnsupported,
        "{} failed: {} ({})", call, cublasGetStatusString(status), cublasGetStatusName(status));
}

void CheckLaunch(const char* kernel) {
  cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess) {
    Throw(ErrorCode::kUnsupported, "launch of {} failed: {} ({})", kernel,
          cudaGetErrorString(status), cudaGetErrorName(status));
  }
}

void CopyToDevice(void* device, const void* host, size_t bytes) {
  if (bytes == 0) return;
  RB_CUDA_CHECK(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, Stream()));
}

void CopyToHost(void* host, const void* device, size_t bytes) {
  if (bytes == 0) return;
  RB_CUDA_CHECK(cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, Stream()));
  RB_CUDA_CHECK(cudaStreamSynchronize(Stream()));
}

void CopyDeviceToDevice(void* to, const void* from, size_t bytes) {
  if (bytes == 0) return;
  RB_CUDA_CHECK(cudaMemcpyAsync(to, from, bytes, cudaMemcpyDeviceToDevice, Stream()));
}

void Synchronize() { RB_CUDA_CHECK(cudaStreamSynchronize(Stream())); }

}  // namespace rb::kernels::cuda
