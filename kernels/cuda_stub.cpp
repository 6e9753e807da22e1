// Build without CUDA: every CUDA entry point reports kUnsupported (exit code 3 in a stage).
#include "common/core/check.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/device.hpp"

namespace rb::kernels::cuda {
namespace {
[[noreturn]] void NotBuilt() {
  Throw(ErrorCode::kUnsupported,
        "this build of roadbrew has no CUDA support (configure with -DROADBREW_CUDA=ON on a "
        "machine with nvcc and cuDNN)");
}
}  // namespace

bool BuiltWithCuda() { return false; }
std::vector<DeviceInfo> ListDevices() { NotBuilt(); }
void RequireDevice() { NotBuilt(); }
std::string LibraryVersions() { return "no CUDA in this build"; }

void* Allocate(size_t) { NotBuilt(); }
void Free(void*) noexcept {}
void CopyToDevice(void*, const void*, size_t) { NotBuilt(); }
void CopyToHost(void*, const void*, size_t) { NotBuilt(); }
void Fill(float*, float, int64_t) { NotBuilt(); }
void ReluForward(const float*, float*, int64_t, float) { NotBuilt(); }
void ReluBackward(const float*, const float*, float*, int64_t, float, bool) { NotBuilt(); }
void SgdUpdate(float*, const float*, float*, int64_t, float, float) { NotBuilt(); }

}  // namespace rb::kernels::cuda
