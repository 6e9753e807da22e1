// CUDA build of device discovery (linked only when ROADBREW_HAVE_CUDA).
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "roadbrew/kernels/device.hpp"

namespace rb::kernels::cuda {

bool BuiltWithCuda() { return true; }

std::vector<DeviceInfo> ListDevices() {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status == cudaErrorNoDevice || status == cudaErrorInsufficientDriver) {
    cudaGetLastError();  // clear the sticky error
    return {};
  }
  if (status != cudaSuccess) {
    Throw(ErrorCode::kUnsupported, "cudaGetDeviceCount failed: {} ({})", cudaGetErrorString(status),
          cudaGetErrorName(status));
  }
  std::vector<DeviceInfo> devices;
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp properties{};
    status = cudaGetDeviceProperties(&properties, i);
    if (status != cudaSuccess) {
      Throw(ErrorCode::kUnsupported, "cudaGetDeviceProperties({}) failed: {}", i,
            cudaGetErrorString(status));
    }
    devices.push_back(
        {i, properties.name, properties.major, properties.minor, properties.totalGlobalMem});
  }
  return devices;
}

void RequireDevice() {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    cudaGetLastError();
    Throw(ErrorCode::kUnsupported, "no usable CUDA device: {}",
          status != cudaSuccess ? cudaGetErrorString(status) : "the driver reports 0 devices");
  }
}

std::string LibraryVersions() {
  int runtime = 0;
  cudaRuntimeGetVersion(&runtime);
  size_t cudnn = cudnnGetVersion();
  return fmt::format("CUDA runtime {}.{}, cuDNN {}.{}.{}", runtime / 1000, runtime % 1000 / 10,
                     cudnn / 10000, cudnn % 10000 / 100, cudnn % 100);
}

}  // namespace rb::kernels::cuda
