// CUDA launchers of the shared batch-norm kernels (kernels/shared/batch_norm.hpp).
#include "kernels/cuda/cuda_launcher.cuh"
#include "kernels/shared/batch_norm.hpp"
#include "roadbrew/kernels/batch_norm.hpp"

namespace rb::kernels::cuda {

void BatchNormForwardBatchStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                float eps, float* saved_mean, float* saved_invstd,
                                float* running_mean, float* running_var, float momentum,
                                bool relu) {
  shared::BatchNormForwardBatchStats(CudaLauncher{}, x, y, gamma, beta, eps, saved_mean,
                                     saved_invstd, running_mean, running_var, momentum, relu);
}

void BatchNormForwardGlobalStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                 const float* mean, float* invstd, const float* variance, float eps,
                                 bool relu) {
  shared::BatchNormForwardGlobalStats(CudaLauncher{}, x, y, gamma, beta, mean, invstd, variance,
                                      eps, relu);
}

void BatchNormBackward(ConstTensor x, ConstTensor dy, ConstTensor relu_output, const float* gamma,
                       const float* mean, const float* invstd, bool batch_stats, Tensor dx,
                       bool accumulate, float* dgamma, float* dbeta) {
  shared::BatchNormBackward(CudaLauncher{}, x, dy, relu_output, gamma, mean, invstd, batch_stats,
                            dx, accumulate, dgamma, dbeta);
}

}  // namespace rb::kernels::cuda
