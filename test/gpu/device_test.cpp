// The device, the caching allocator and the error reports of the CUDA backend.
#include <catch2/catch.hpp>

#include "common/core/error.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/device.hpp"

namespace rb {
namespace {

namespace cuda = kernels::cuda;

TEST_CASE("The CUDA device is visible with its properties", "[gpu]") {
  auto devices = cuda::ListDevices();
  REQUIRE_FALSE(devices.empty());
  CHECK(devices[0].compute_major >= 8);  // the build targets Ampere and Hopper
  CHECK(devices[0].memory_bytes > (1ull << 30));
  CHECK_THAT(cuda::LibraryVersions(), Catch::Contains("cuDNN 9."));
}

TEST_CASE("The caching allocator reuses freed blocks without new cudaMallocs", "[gpu]") {
  cuda::ReleaseCachedMemory();
  cuda::MemoryStats before = cuda::GetMemoryStats();
  void* a = cuda::Allocate(3 << 20);
  void* b = cuda::Allocate(1000);
  cuda::MemoryStats held = cuda::GetMemoryStats();
  CHECK(held.in_use >= before.in_use + (3 << 20) + 1000);
  CHECK(held.device_mallocs == before.device_mallocs + 2);
  cuda::Free(a);
  cuda::Free(b);
  CHECK(cuda::GetMemoryStats().in_use == before.in_use);
  for (int round = 0; round < 10; ++round) {  // a training loop's pattern of sizes
    void* x = cuda::Allocate((3 << 20) - 4096);
    void* y = cuda::Allocate(900);
    cuda::Free(y);
    cuda::Free(x);
  }
  CHECK(cuda::GetMemoryStats().device_mallocs == held.device_mallocs);
  CHECK(cuda::GetMemoryStats().cached >= held.cached);
  cuda::ReleaseCachedMemory();
  CHECK(cuda::GetMemoryStats().cached == before.cached);
}

TEST_CASE("Copies round-trip and fills reach every element", "[gpu]") {
  std::vector<float> host(1000), back(1000);
  for (size_t i = 0; i < host.size(); ++i) host[i] = static_cast<float>(i) * 0.5f;
  float* device = static_cast<float*>(cuda::Allocate(sizeof(float) * host.size()));
  cuda::CopyToDevice(device, host.data(), sizeof(float) * host.size());
  cuda::CopyToHost(back.data(), device, sizeof(float) * back.size());
  CHECK(back == host);
  cuda::Fill(device, 2.5f, 999);
  cuda::CopyToHost(back.data(), device, sizeof(float) * back.size());
  CHECK(back[0] == 2.5f);
  CHECK(back[998] == 2.5f);
  CHECK(back[999] == host[999]);
  cuda::Free(device);
}

TEST_CASE("Out of memory names the request and the memory held and free", "[gpu]") {
  void* held = cuda::Allocate(64 << 20);
  try {
    cuda::Allocate(size_t{1} << 50);  // a petabyte
    FAIL("the allocation succeeded");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kNumerical);
    std::string message = error.what();
    CHECK_THAT(message, Catch::Contains("CUDA out of memory") &&
                            Catch::Contains("cannot allocate 1048576.00 GiB") &&
                            Catch::Contains("in use") && Catch::Contains("free of"));
  }
  cuda::Free(held);
  CHECK_THROWS_WITH(cuda::SetDevice(4096), Catch::Contains("CUDA device 4096 does not exist"));
}

}  // namespace
}  // namespace rb
