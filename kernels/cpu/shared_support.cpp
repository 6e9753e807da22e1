// Host-side pieces of the shared kernels (kernels/shared/), built in every configuration.
#include "common/core/check.hpp"
#include "kernels/shared/losses.hpp"

namespace rb::kernels::shared {

void ThrowBadLabels(int64_t count, int classes, int ignore_label) {
  Throw(ErrorCode::kInvalidArgument, "{} label{} not a class index 0..{}{}", count,
        count == 1 ? " is" : "s are", classes - 1,
        ignore_label >= 0 ? fmt::format(" or the ignore label {}", ignore_label) : "");
}

}  // namespace rb::kernels::shared
