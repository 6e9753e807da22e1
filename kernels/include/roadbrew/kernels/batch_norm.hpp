// Batch normalisation over N, H, W per channel, on NHWC views (the input may be a channel
// prefix of a dense block's stack). Statistics are summed in double over fixed chunks, so they
// do not depend on the thread count.
#pragma once

#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels::cpu {

// Training (and the Tiramisu's test mode): normalise with the batch's own statistics, saved for
// backward as mean and 1/sqrt(var + eps) (biased variance). `batch_variance` (nullable) receives
// the unbiased variance for running averages. gamma/beta nullable (1 / 0).
void BatchNormForwardBatchStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                float eps, float* saved_mean, float* saved_invstd,
                                float* batch_variance);
// Inference with given statistics.
void BatchNormForwardGlobalStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                 const float* mean, const float* variance, float eps);
// Gradients. With batch statistics the statistics depend on x and their gradient is included;
// with global statistics (invstd from the running variance) they are constants.
// dgamma/dbeta (nullable) are added to.
void BatchNormBackward(ConstTensor x, ConstTensor dy, const float* gamma, const float* mean,
                       const float* invstd, bool batch_stats, Tensor dx, bool accumulate,
                       float* dgamma, float* dbeta);

}  // namespace rb::kernels::cpu
