#include "common/nn/solvers/solvers.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::nn {

void SgdSolver::Update(size_t index, float lr) {
  Blob& blob = *net_.learnable_params()[index].blob;
  kernels::cpu::SgdUpdate(blob.mutable_flat_data(), blob.flat_diff(), History(index, 0),
                          blob.count(), lr, static_cast<float>(spec_.momentum));
}

}  // namespace rb::nn
