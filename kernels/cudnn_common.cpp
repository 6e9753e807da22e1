// The parts of kernels/cudnn.hpp that need no cuDNN: precision names and the workspace limit.
#include <atomic>

#include "common/core/check.hpp"
#include "roadbrew/kernels/cudnn.hpp"

namespace rb::kernels::cudnn {
namespace {
std::atomic<size_t> workspace_limit{size_t{1} << 30};
}  // namespace

std::string_view PrecisionName(Precision precision) {
  switch (precision) {
    case Precision::kFloat32:
      return "fp32";
    case Precision::kTensorFloat32:
      return "tf32";
    case Precision::kFloat16:
      return "fp16";
    case Precision::kBFloat16:
      return "bf16";
  }
  return "?";
}

Precision ParsePrecision(std::string_view name) {
  for (Precision p : {Precision::kFloat32, Precision::kTensorFloat32, Precision::kFloat16,
                      Precision::kBFloat16}) {
    if (PrecisionName(p) == name) return p;
  }
  Throw(ErrorCode::kInvalidArgument, "precision '{}' is not fp32, tf32, fp16 or bf16", name);
}

void SetWorkspaceLimit(size_t bytes) { workspace_limit = bytes; }
size_t WorkspaceLimit() { return workspace_limit; }

}  // namespace rb::kernels::cudnn
