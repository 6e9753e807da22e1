#include "common/nn/solvers/solvers.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::nn {

void RmsPropSolver::Update(size_t index, float lr) {
  Blob& blob = *net_.learnable_params()[index].blob;
  float decay = static_cast<float>(spec_.rms_decay), delta = static_cast<float>(spec_.delta);
  if (gpu()) {
    kernels::cuda::RmsPropUpdate(blob.mutable_device_data(), blob.device_diff(),
                                 DeviceHistory(index, 0), blob.count(), lr, decay, delta,
                                 spec_.delta_inside_sqrt);
    return;
  }
  kernels::cpu::RmsPropUpdate(blob.mutable_flat_data(), blob.flat_diff(), History(index, 0),
                              blob.count(), lr, decay, delta, spec_.delta_inside_sqrt);
}

}  // namespace rb::nn
