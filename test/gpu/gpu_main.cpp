// The GPU tests' main: skips the whole binary (exit code 77, reported by ctest as "Skipped") with
// a message naming the reason when no CUDA device is usable (a build without CUDA, no driver, no
// device), so CPU machines and CI pass over them; on a machine with a GPU every test runs.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <iostream>

#include "common/core/error.hpp"
#include "roadbrew/kernels/device.hpp"

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
