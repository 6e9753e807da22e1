#include "roadbrew/kernels/batch_norm.hpp"

#include <cmath>
#include <vector>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"

namespace rb::kernels::cpu {
namespace {

// Per-channel sums of f(pixel values, channel) over all pixels, in fixed chunk order.
template <class F>
std::vector<double> ChannelSums(ConstTensor x, int outputs_per_channel, F&& f) {
  Chunks chunks = Chunks::For(x.pixels());
  size_t width = static_cast<size_t>(x.c) * outputs_per_channel;
  std::vector<double> partial(static_cast<size_t>(chunks.count) * width, 0.0);
  ParallelChunks(x.pixels(), chunks, [&](int64_t k, int64_t begin, int64_t end) {
    double* sums = partial.data() + k * width;
    for (int64_t p = begin; p < end; ++p) f(p, sums);
  });
  std::vector<double> total(width, 0.0);
  for (int64_t k = 0; k < chunks.count; ++k) {
    for (size_t i = 0; i < width; ++i) total[i] += partial[k * width + i];
  }
  return total;
}

void Normalise(ConstTensor x, Tensor y, const float* gamma, const float* beta, const float* mean,
               const float* invstd) {
  RB_CHECK(x.n == y.n && x.c == y.c && x.h == y.h && x.w == y.w);
  std::vector<float> scale(x.c), shift(x.c);
  for (int c = 0; c < x.c; ++c) {
    scale[c] = invstd[c] * (gamma ? gamma[c] : 1.0f);
    shift[c] = (beta ? beta[c] : 0.0f) - mean[c] * scale[c];
  }
  ParallelRanges(x.pixels(), 256, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* in = x.pixel(p);
      float* out = y.pixel(p);
      for (int c = 0; c < x.c; ++c) out[c] = in[c] * scale[c] + shift[c];
    }
  });
}

}  // namespace

void BatchNormForwardBatchStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                float eps, float* saved_mean, float* saved_invstd,
                                float* batch_variance) {
  int64_t m = x.pixels();
  RB_CHECK(m > 0);
  std::vector<double> sums = ChannelSums(x, 1, [&](int64_t p, double* s) {
    const float* in = x.pixel(p);
    for (int c = 0; c < x.c; ++c) s[c] += in[c];
  });
  std::vector<double> mean(x.c);
  for (int c = 0; c < x.c; ++c) mean[c] = sums[c] / m;
  // Second pass around the mean: no cancellation for large, nearly constant activations.
  std::vector<double> squares = ChannelSums(x, 1, [&](int64_t p, double* s) {
    const float* in = x.pixel(p);
    for (int c = 0; c < x.c; ++c) {
      double d = in[c] - mean[c];
      s[c] += d * d;
    }
  });
  for (int c = 0; c < x.c; ++c) {
    double variance = squares[c] / m;
    saved_mean[c] = static_cast<float>(mean[c]);
    saved_invstd[c] = static_cast<float>(1.0 / std::sqrt(variance + eps));
    if (batch_variance) batch_variance[c] = static_cast<float>(m > 1 ? squares[c] / (m - 1) : 0.0);
  }
  Normalise(x, y, gamma, beta, saved_mean, saved_invstd);
}

void BatchNormForwardGlobalStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                 const float* mean, const float* variance, float eps) {
  std::vector<float> invstd(x.c);
  for (int c = 0; c < x.c; ++c) invstd[c] = 1.0f / std::sqrt(variance[c] + eps);
  Normalise(x, y, gamma, beta, mean, invstd.data());
}

void BatchNormBackward(ConstTensor x, ConstTensor dy, const float* gamma, const float* mean,
                       const float* invstd, bool batch_stats, Tensor dx, bool accumulate,
                       float* dgamma, float* dbeta) {
  int64_t m = x.pixels();
  // sum(dy) and sum(dy * xhat) per channel.
  std::vector<double> sums = ChannelSums(x, 2, [&](int64_t p, double* s) {
    const float* in = x.pixel(p);
    const float* g = dy.pixel(p);
    for (int c = 0; c < x.c; ++c) {
      s[c] += g[c];
      s[x.c + c] += static_cast<double>(g[c]) * (in[c] - mean[c]) * invstd[c];
    }
  });
  for (int c = 0; c < x.c; ++c) {
    if (dbeta) dbeta[c] += static_cast<float>(sums[c]);
    if (dgamma) dgamma[c] += static_cast<float>(sums[x.c + c]);
  }
  if (dx.data == nullptr) return;
  std::vector<float> k(x.c), mean_dy(x.c), mean_dy_xhat(x.c);
  for (int c = 0; c < x.c; ++c) {
    k[c] = (gamma ? gamma[c] : 1.0f) * invstd[c];
    mean_dy[c] = batch_stats ? static_cast<float>(sums[c] / m) : 0.0f;
    mean_dy_xhat[c] = batch_stats ? static_cast<float>(sums[x.c + c] / m) : 0.0f;
  }
  ParallelRanges(m, 256, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* in = x.pixel(p);
      const float* g = dy.pixel(p);
      float* out = dx.pixel(p);
      for (int c = 0; c < x.c; ++c) {
        float xhat = (in[c] - mean[c]) * invstd[c];
        float v = k[c] * (g[c] - mean_dy[c] - xhat * mean_dy_xhat[c]);
        out[c] = accumulate ? out[c] + v : v;
      }
    }
  });
}

}  // namespace rb::kernels::cpu
