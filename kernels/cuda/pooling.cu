// CUDA launchers of the shared pooling kernels (kernels/shared/pooling.hpp).
#include "kernels/cuda/cuda_launcher.cuh"
#include "kernels/shared/pooling.hpp"

namespace rb::kernels::cuda {

void PoolForward(const PoolGeometry& g, ConstTensor x, Tensor y, int32_t* argmax, bool max) {
  shared::PoolForward(CudaLauncher{}, g, x, y, argmax, max);
}

void PoolBackward(const PoolGeometry& g, ConstTensor dy, const int32_t* argmax, Tensor dx,
                  bool accumulate) {
  shared::PoolBackward(CudaLauncher{}, g, dy, argmax, dx, accumulate);
}

}  // namespace rb::kernels::cuda
