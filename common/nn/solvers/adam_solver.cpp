#include <cmath>

#include "common/nn/solvers/solvers.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::nn {

void AdamSolver::Update(size_t index, float lr) {
  Blob& blob = *net_.learnable_params()[index].blob;
  double t = static_cast<double>(iteration_ + 1);
  double b1 = spec_.momentum, b2 = spec_.momentum2;
  float corrected = static_cast<float>(lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t)));
  float beta1 = static_cast<float>(b1), beta2 = static_cast<float>(b2);
  float eps = static_cast<float>(spec_.delta);
  if (gpu()) {
    kernels::cuda::AdamUpdate(blob.mutable_device_data(), blob.device_diff(),
                              DeviceHistory(index, 0), DeviceHistory(index, 1), blob.count(),
                              corrected, beta1, beta2, eps);
    return;
  }
  kernels::cpu::AdamUpdate(blob.mutable_flat_data(), blob.flat_diff(), History(index, 0),
                           History(index, 1), blob.count(), corrected, beta1, beta2, eps);
}

}  // namespace rb::nn
