// Tests that need a CUDA device. The custom main below skips the whole binary (exit code 77,
// reported by ctest as "Skipped") with a message when no device is usable.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <iostream>

#include "common/core/error.hpp"
#include "roadbrew/kernels/device.hpp"

namespace rb {
namespace {

TEST_CASE("The CUDA device is visible with its properties", "[gpu]") {
  auto devices = kernels::cuda::ListDevices();
  REQUIRE_FALSE(devices.empty());
  CHECK(devices[0].compute_major >= 8);  // the build targets Ampere and Hopper
  CHECK(devices[0].memory_bytes > (1ull << 30));
  CHECK_THAT(kernels::cuda::LibraryVersions(), Catch::Contains("cuDNN 9."));
}

}  // namespace
}  // namespace rb

int main(int argc, char** argv) {
  Catch::Session session;
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  const auto& config = session.configData();
  bool listing =
      config.listTests || config.listTestNamesOnly || config.listTags || config.listReporters;
  if (!listing) {
    std::string reason;
    try {
      rb::kernels::cuda::RequireDevice();
    } catch (const rb::Error& error) {
      reason = error.what();
    }
    if (!reason.empty()) {
      std::cout << "SKIPPED: GPU test needs a CUDA device: " << reason << "\n";
      return 77;
    }
  }
  return session.run();
}
