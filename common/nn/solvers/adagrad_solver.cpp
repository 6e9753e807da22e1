#include "common/nn/solvers/solvers.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::nn {

void AdaGradSolver::Update(size_t index, float lr) {
  Blob& blob = *net_.learnable_params()[index].blob;
  float delta = static_cast<float>(spec_.delta);
  if (gpu()) {
    kernels::cuda::AdaGradUpdate(blob.mutable_device_data(), blob.device_diff(),
                                 DeviceHistory(index, 0), blob.count(), lr, delta);
    return;
  }
  kernels::cpu::AdaGradUpdate(blob.mutable_flat_data(), blob.flat_diff(), History(index, 0),
                              blob.count(), lr, delta);
}

}  // namespace rb::nn
