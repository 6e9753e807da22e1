// Byte counts for messages, in every build (out-of-memory reports, benchmarks).
#include <fmt/format.h>

#include "roadbrew/kernels/cuda_ops.hpp"

namespace rb::kernels::cuda {

std::string FormatBytes(size_t bytes) {
  double value = static_cast<double>(bytes);
  if (bytes < (size_t{1} << 10)) return fmt::format("{} B", bytes);
  if (bytes < (size_t{1} << 20)) return fmt::format("{:.1f} KiB", value / (1 << 10));
  if (bytes < (size_t{1} << 30)) return fmt::format("{:.1f} MiB", value / (1 << 20));
  return fmt::format("{:.2f} GiB", value / (1 << 30));
}

}  // namespace rb::kernels::cuda
