#include "common/nn/solvers/solvers.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::nn {

void RmsPropSolver::Update(size_t index, float lr) {
  Blob& blob = *net_.learnable_params()[index].blob;
  kernels::cpu::RmsPropUpdate(blob.mutable_flat_data(), blob.flat_diff(), History(index, 0),
                              blob.count(), lr, static_cast<float>(spec_.rms_decay),
                              static_cast<float>(spec_.delta), spec_.delta_inside_sqrt);
}

}  // namespace rb::nn
