// RunContext: what a stage run may use besides its parameters: threads, device, seed,
// progress reporting and cancellation. The driver builds one per run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <tbb/global_control.h>

#include "common/core/progress.hpp"

namespace rb {

enum class Device { kCpu, kCuda };
std::string_view DeviceName(Device device);

struct RunOptions {
  int threads = 0;  // 0: all cores
  Device device = Device::kCpu;
  uint64_t seed = 0;
  ProgressStyle progress = ProgressStyle::kNone;
};

class RunContext {
 public:
  explicit RunContext(RunOptions options = {});
  ~RunContext();
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  // Worker threads in effect (TBB's limit while this context lives).
  int threads() const;
  Device device() const { return options_.device; }
  uint64_t seed() const { return options_.seed; }
  ProgressStyle progress_style() const { return options_.progress; }

  // A progress display for `total` units of work, in this run's style.
  std::unique_ptr<Progress> StartProgress(std::string label, int64_t total) const;
  // Throws Error(kCancelled) once SIGINT/SIGTERM has been received.
  void CheckCancelled() const;

 private:
  RunOptions options_;
  std::unique_ptr<tbb::global_control> thread_limit_;
};

}  // namespace rb
