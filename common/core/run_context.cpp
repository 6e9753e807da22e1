#include "common/core/run_context.hpp"

#include <tbb/global_control.h>

#include "common/core/cancel.hpp"
#include "common/core/check.hpp"

namespace rb {

std::string_view DeviceName(Device device) { return device == Device::kCuda ? "cuda" : "cpu"; }

RunContext::RunContext(RunOptions options) : options_(options) {
  RB_CHECK_ARG(options.threads >= 0, "thread count must be >= 0, got {}", options.threads);
  if (options.threads > 0) {
    thread_limit_ = std::make_unique<tbb::global_control>(
        tbb::global_control::max_allowed_parallelism, static_cast<size_t>(options.threads));
  }
}

RunContext::~RunContext() = default;

int RunContext::threads() const {
  return static_cast<int>(
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

std::unique_ptr<Progress> RunContext::StartProgress(std::string label, int64_t total) const {
  return std::make_unique<Progress>(std::move(label), total, options_.progress);
}

void RunContext::CheckCancelled() const { ThrowIfCancelled(); }

}  // namespace rb
