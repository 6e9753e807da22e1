// Batch normalisation over N, H, W per channel, on NHWC views (the input may be a channel
// prefix of a dense block's stack), optionally fused with the ReLU that follows it in a
// pre-activation network (one pass over memory instead of two, forward and backward).
// Sums run in float over short runs of pixels and in double across runs, over fixed chunks, so
// the statistics do not depend on the thread count.
#pragma once

#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels::cpu {

// Per-channel mean and biased variance of x over its N * H * W pixels (one pass, around a
// per-channel shift so large means do not cancel). `unbiased_variance` (nullable) receives
// var * m / (m - 1), for running averages.
void BatchStatistics(ConstTensor x, float* mean, float* variance, float* unbiased_variance);

// y = x * scale[c] + shift[c], then max(y, 0) when relu. x and y may alias.
void ChannelAffine(ConstTensor x, Tensor y, const float* scale, const float* shift, bool relu);

// Training (and the Tiramisu's test mode): normalise with the batch's own statistics, saved for
// backward as mean and 1/sqrt(var + eps) (biased variance). `batch_variance` (nullable) receives
// the unbiased variance for running averages. gamma/beta nullable (1 / 0).
void BatchNormForwardBatchStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                float eps, float* saved_mean, float* saved_invstd,
                                float* batch_variance, bool relu);
// With given statistics (inference, or a recomputation with the saved ones): invstd is
// 1/sqrt(var + eps).
void BatchNormForwardGlobalStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                 const float* mean, const float* invstd, bool relu);
// Gradients. With batch statistics the statistics depend on x and their gradient is included;
// with global statistics they are constants. When the ReLU was fused, `relu_output` is the
// forward output y (the gradient passes where y > 0); otherwise its data is null.
// dx (data may be null: parameters only) is written or added to; dgamma/dbeta (nullable) are
// added to.
void BatchNormBackward(ConstTensor x, ConstTensor dy, ConstTensor relu_output, const float* gamma,
                       const float* mean, const float* invstd, bool batch_stats, Tensor dx,
                       bool accumulate, float* dgamma, float* dbeta);

}  // namespace rb::kernels::cpu

// Batch normalisation on device views (kernels/cuda/batch_norm.cu, from
// kernels/shared/batch_norm.hpp): channel-slice inputs and the fused ReLU, as on the CPU. Per-
// channel arrays are device pointers. cuDNN's own batch norm serves dense unfused layers
// (kernels/cudnn.hpp).
namespace rb::kernels::cuda {

// Saves the batch's mean and invstd; moves the running averages (nullable) by `momentum`
// towards the batch mean and unbiased variance.
void BatchNormForwardBatchStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                float eps, float* saved_mean, float* saved_invstd,
                                float* running_mean, float* running_var, float momentum, bool relu);
// With given statistics: mean and invstd, or, when `variance` is non-null, invstd computed
// from it (1/sqrt(variance + eps)) and written to `invstd`.
void BatchNormForwardGlobalStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                 const float* mean, float* invstd, const float* variance, float eps,
                                 bool relu);
void BatchNormBackward(ConstTensor x, ConstTensor dy, ConstTensor relu_output, const float* gamma,
                       const float* mean, const float* invstd, bool batch_stats, Tensor dx,
                       bool accumulate, float* dgamma, float* dbeta);

}  // namespace rb::kernels::cuda
