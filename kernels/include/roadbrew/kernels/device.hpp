// CUDA device discovery, device-neutral: callable from any build. The CUDA build implements it
// with the CUDA runtime and cuDNN (kernels/cuda/device.cpp); a build without CUDA links
// kernels/cuda_stub.cpp, where every entry point throws Error(kUnsupported).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rb::kernels::cuda {

struct DeviceInfo {
  int index = 0;
  std::string name;
  int compute_major = 0;
  int compute_minor = 0;
  size_t memory_bytes = 0;
};

// True when this build has the CUDA backend compiled in (no GPU needed).
bool BuiltWithCuda();

// The visible CUDA devices; empty when the driver reports none. Throws kUnsupported on a build
// without CUDA.
std::vector<DeviceInfo> ListDevices();

// Throws kUnsupported with the reason (no CUDA in this build, no driver, no device) unless at
// least one device is usable.
void RequireDevice();

// "CUDA runtime 13.0, cuDNN 9.x.y": the libraries this build is linked against.
std::string LibraryVersions();

}  // namespace rb::kernels::cuda
