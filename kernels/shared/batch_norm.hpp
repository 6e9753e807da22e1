// Batch normalisation written once (see launch.hpp), on NHWC views (a dense block's stack prefix
// included), with the fused ReLU, as kernels/cpu/batch_norm.cpp computes it: statistics around
// a per-channel shift (the first pixel) summed in double, saved as mean and 1/sqrt(var + eps),
// the running averages updated on the device, and the input gradient as k g + a x + b per channel.
// Per-channel arrays live in launcher memory.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/shared/launch.hpp"
#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels::shared {

struct BnStatsOp {
  ConstTensor x;
  RB_HOST_DEVICE void operator()(int64_t p, int c, double* acc) const {
    double d = x.pixel(p)[c] - x.data[c];  // around pixel 0's value
    acc[0] += d;
    acc[1] += d * d;
  }
};

// Per channel: the batch's mean and 1/sqrt(var + eps), the affine map of the normalisation,
// and the running averages (nullable) moved towards the batch's mean and unbiased variance.
struct BnFinishStatsOp {
  ConstTensor x;
  const double* sums;
  int64_t m;
  float eps;
  const float *gamma, *beta;
  float *mean, *invstd, *scale, *shift;
  float *running_mean, *running_var;
  float momentum;
  RB_HOST_DEVICE void operator()(int64_t c) const {
    double offset = sums[2 * c] / m;
    double var = sums[2 * c + 1] / m - offset * offset;
    var = var > 0.0 ? var : 0.0;
    float mu = static_cast<float>(x.data[c] + offset);
    float inv = 1.0f / sqrtf(static_cast<float>(var) + eps);
    mean[c] = mu;
    invstd[c] = inv;
    scale[c] = inv * (gamma ? gamma[c] : 1.0f);
    shift[c] = (beta ? beta[c] : 0.0f) - mu * scale[c];
    if (running_mean != nullptr) {
      float unbiased = static_cast<float>(m > 1 ? var * m / (m - 1) : 0.0);
      running_mean[c] = (1 - momentum) * running_mean[c] + momentum * mu;
      running_var[c] = (1 - momentum) * running_var[c] + momentum * unbiased;
    }
  }
};

// Given statistics: mean and invstd as saved, or (from_variance) invstd from a running variance.
struct BnGlobalAffineOp {
  const float *gamma, *beta, *mean;
  float* invstd;
  const float* variance;  // non-null: invstd = 1/sqrt(variance + eps) is computed and saved
  float eps;
  float *scale, *shift;
  RB_HOST_DEVICE void operator()(int64_t c) const {
    if (variance != nullptr) invstd[c] = 1.0f / sqrtf(variance[c] + eps);
    scale[c] = invstd[c] * (gamma ? gamma[c] : 1.0f);
    shift[c] = (beta ? beta[c] : 0.0f) - mean[c] * scale[c];
  }
};

struct BnAffineOp {
  ConstTensor x;
  Tensor y;
  const float *scale, *shift;
  bool relu;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int64_t p = e / x.c;
    int c = static_cast<int>(e % x.c);
    float v = x.pixel(p)[c] * scale[c] + shift[c];
    y.pixel(p)[c] = relu ? Max(v, 0.0f) : v;
  }
};

// The gradient reaching the normalisation: dy, or 0 where a fused ReLU output y is not > 0.
RB_HOST_DEVICE float BnGradient(ConstTensor dy, ConstTensor y, int64_t p, int c) {
  float g = dy.pixel(p)[c];
  return y.data == nullptr || y.pixel(p)[c] > 0.0f ? g : 0.0f;
}

struct BnGradSumsOp {
  ConstTensor x, dy, y;
  const float* mean;
  RB_HOST_DEVICE void operator()(int64_t p, int c, double* acc) const {
    float g = BnGradient(dy, y, p, c);
    acc[0] += g;
    acc[1] += static_cast<double>(g) * (x.pixel(p)[c] - mean[c]);
  }
};

// dbeta += sum g, dgamma += sum g (x - mean) invstd; dx = k g + a x + b per channel.
struct BnBackwardCoefficientsOp {
  const double* sums;
  int64_t m;
  const float *gamma, *mean, *invstd;
  bool batch_stats;
  float *dgamma, *dbeta, *k, *a, *b;
  RB_HOST_DEVICE void operator()(int64_t c) const {
    if (dbeta) dbeta[c] += static_cast<float>(sums[2 * c]);
    if (dgamma) dgamma[c] += static_cast<float>(sums[2 * c + 1] * invstd[c]);
    double kk = (gamma ? gamma[c] : 1.0f) * static_cast<double>(invstd[c]);
    double mean_g = batch_stats ? sums[2 * c] / m : 0.0;
    double mean_g_xhat = batch_stats ? sums[2 * c + 1] * invstd[c] / m : 0.0;
    k[c] = static_cast<float>(kk);
    a[c] = static_cast<float>(-kk * invstd[c] * mean_g_xhat);
    b[c] = static_cast<float>(-kk * mean_g + kk * mean[c] * invstd[c] * mean_g_xhat);
  }
};

struct BnInputGradOp {
  ConstTensor x, dy, y;
  const float *k, *a, *b;
  Tensor dx;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int64_t p = e / x.c;
    int c = static_cast<int>(e % x.c);
    float v = k[c] * BnGradient(dy, y, p, c) + a[c] * x.pixel(p)[c] + b[c];
    Store(dx.pixel(p)[c], v, accumulate);
  }
};

// Training: batch statistics saved to mean/invstd; running averages (nullable) updated.
template <class L>
void BatchNormForwardBatchStats(const L& l, ConstTensor x, Tensor y, const float* gamma,
                                const float* beta, float eps, float* mean, float* invstd,
                                float* running_mean, float* running_var, float momentum,
                                bool relu) {
  auto sums = l.Temp(sizeof(double) * 2 * x.c);
  auto affine = l.Temp(sizeof(float) * 2 * x.c);
  float* scale = static_cast<float*>(affine.data);
  l.template Sum<2>(x.pixels(), x.c, BnStatsOp{x}, static_cast<double*>(sums.data));
  l.ForEach(x.c,
            BnFinishStatsOp{x, static_cast<const double*>(sums.data), x.pixels(), eps, gamma, beta,
                            mean, invstd, scale, scale + x.c, running_mean, running_var, momentum});
  l.ForEach(x.count(), BnAffineOp{x, y, scale, scale + x.c, relu});
}

// Given statistics; with `variance` non-null, invstd is first computed from it (and saved).
template <class L>
void BatchNormForwardGlobalStats(const L& l, ConstTensor x, Tensor y, const float* gamma,
                                 const float* beta, const float* mean, float* invstd,
                                 const float* variance, float eps, bool relu) {
  auto affine = l.Temp(sizeof(float) * 2 * x.c);
  float* scale = static_cast<float*>(affine.data);
  l.ForEach(x.c, BnGlobalAffineOp{gamma, beta, mean, invstd, variance, eps, scale, scale + x.c});
  l.ForEach(x.count(), BnAffineOp{x, y, scale, scale + x.c, relu});
}

template <class L>
void BatchNormBackward(const L& l, ConstTensor x, ConstTensor dy, ConstTensor relu_output,
                       const float* gamma, const float* mean, const float* invstd, bool batch_stats,
                       Tensor dx, bool accumulate, float* dgamma, float* dbeta) {
  auto sums = l.Temp(sizeof(double) * 2 * x.c);
  auto coefficients = l.Temp(sizeof(float) * 3 * x.c);
  float* k = static_cast<float*>(coefficients.data);
  l.template Sum<2>(x.pixels(), x.c, BnGradSumsOp{x, dy, relu_output, mean},
                    static_cast<double*>(sums.data));
  l.ForEach(x.c,
            BnBackwardCoefficientsOp{static_cast<const double*>(sums.data), x.pixels(), gamma, mean,
                                     invstd, batch_stats, dgamma, dbeta, k, k + x.c, k + 2 * x.c});
  if (dx.data == nullptr) return;
  l.ForEach(x.count(), BnInputGradOp{x, dy, relu_output, k, k + x.c, k + 2 * x.c, dx, accumulate});
}

}  // namespace rb::kernels::shared
