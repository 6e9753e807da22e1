#include "common/nn/solvers/solvers.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::nn {

void SgdSolver::Update(size_t index, float lr) {
  Blob& blob = *net_.learnable_params()[index].blob;
  float momentum = static_cast<float>(spec_.momentum);
  if (gpu()) {
    kernels::cuda::SgdUpdate(blob.mutable_device_data(), blob.device_diff(),
                             DeviceHistory(index, 0), blob.count(), lr, momentum);
    return;
  }
  kernels::cpu::SgdUpdate(blob.mutable_flat_data(), blob.flat_diff(), History(index, 0),
                          blob.count(), lr, momentum);
}

}  // namespace rb::nn
