#include "roadbrew/kernels/batch_norm.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"

namespace rb::kernels::cpu {
namespace {

// Pixels summed in float before the run's total joins the double sums: short enough that
// float rounding stays near 1e-6 relative, long enough to amortise the double additions.
constexpr int64_t kRun = 32;
// Channels whose two running sums stay in registers while a run of pixels streams by.
constexpr int kGroup = 16;
using Group = std::integral_constant<int, kGroup>;

// Two per-channel sums over all pixels: terms(p, first, n, u, v) adds pixel p's terms for
// channels [first, first + n) to u[0, n) and v[0, n); n is a compile-time 16 for whole groups
// (so the compiler keeps u and v in registers) and an int for the last, partial group.
// Returned as [sum u for each channel..., sum v for each channel...], combined over runs and
// fixed chunks in a fixed order.
template <class Terms>
std::vector<double> ChannelSums(int64_t pixels, int channels, Terms&& terms) {
  Chunks chunks = Chunks::For(pixels);
  size_t width = 2 * static_cast<size_t>(channels);
  std::vector<double> partial(static_cast<size_t>(chunks.count) * width, 0.0);
  ParallelChunks(pixels, chunks, [&](int64_t k, int64_t begin, int64_t end) {
    double* sums = partial.data() + k * width;
    for (int64_t start = begin; start < end; start += kRun) {
      int64_t stop = std::min(end, start + kRun);
      for (int first = 0; first < channels; first += kGroup) {
        float u[kGroup] = {}, v[kGroup] = {};
        int n = std::min(kGroup, channels - first);
        if (n == kGroup) {
          for (int64_t p = start; p < stop; ++p) terms(p, first, Group{}, u, v);
        } else {
          for (int64_t p = start; p < stop; ++p) terms(p, first, n, u, v);
        }
        for (int j = 0; j < n; ++j) {
          sums[first + j] += u[j];
          sums[channels + first + j] += v[j];
        }
      }
    }
  });
  std::vector<double> total(width, 0.0);
  for (int64_t k = 0; k < chunks.count; ++k) {
    for (size_t i = 0; i < width; ++i) total[i] += partial[k * width + i];
  }
  return total;
}

void CheckSameShape(ConstTensor a, ConstTensor b) {
  RB_CHECK(a.n == b.n && a.c == b.c && a.h == b.h && a.w == b.w);
}

// scale = gamma * invstd, shift = beta - mean * scale.
void AffineOf(int channels, const float* gamma, const float* beta, const float* mean,
              const float* invstd, std::vector<float>& scale, std::vector<float>& shift) {
  scale.resize(channels);
  shift.resize(channels);
  for (int c = 0; c < channels; ++c) {
    scale[c] = invstd[c] * (gamma ? gamma[c] : 1.0f);
    shift[c] = (beta ? beta[c] : 0.0f) - mean[c] * scale[c];
  }
}

}  // namespace

void BatchStatistics(ConstTensor x, float* mean, float* variance, float* unbiased_variance) {
  int64_t m = x.pixels();
  RB_CHECK(m > 0);
  const int c = x.c;
  std::vector<float> shift(x.pixel(0), x.pixel(0) + c);
  const float* k = shift.data();
  std::vector<double> sums =
      ChannelSums(m, c, [&](int64_t p, int first, auto n, float* u, float* v) {
        const float* in = x.pixel(p) + first;
        const float* shift_of = k + first;
        for (int j = 0; j < n; ++j) {
          float d = in[j] - shift_of[j];
          u[j] += d;
          v[j] += d * d;
        }
      });
  for (int i = 0; i < c; ++i) {
    double offset = sums[i] / m;
    double var = std::max(sums[c + i] / m - offset * offset, 0.0);
    mean[i] = static_cast<float>(k[i] + offset);
    variance[i] = static_cast<float>(var);
    if (unbiased_variance)
      unbiased_variance[i] = static_cast<float>(m > 1 ? var * m / (m - 1) : 0.0);
  }
}

void ChannelAffine(ConstTensor x, Tensor y, const float* scale, const float* shift, bool relu) {
  CheckSameShape(x, y);
  const int c = x.c;
  const float low = relu ? 0.0f : -INFINITY;
  ParallelRanges(x.pixels(), 256, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* in = x.pixel(p);
      float* out = y.pixel(p);
      if (in == out) {  // in place: no alias check in the vectorised loop
        for (int i = 0; i < c; ++i) out[i] = std::max(out[i] * scale[i] + shift[i], low);
      } else {
        for (int i = 0; i < c; ++i) out[i] = std::max(in[i] * scale[i] + shift[i], low);
      }
    }
  });
}

void BatchNormForwardBatchStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                float eps, float* saved_mean, float* saved_invstd,
                                float* batch_variance, bool relu) {
  std::vector<float> variance(x.c);
  BatchStatistics(x, saved_mean, variance.data(), batch_variance);
  for (int c = 0; c < x.c; ++c) saved_invstd[c] = 1.0f / std::sqrt(variance[c] + eps);
  BatchNormForwardGlobalStats(x, y, gamma, beta, saved_mean, saved_invstd, relu);
}

void BatchNormForwardGlobalStats(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                 const float* mean, const float* invstd, bool relu) {
  std::vector<float> scale, shift;
  AffineOf(x.c, gamma, beta, mean, invstd, scale, shift);
  ChannelAffine(x, y, scale.data(), shift.data(), relu);
}

namespace {

// The gradient reaching the normalisation: dy, or dy where the fused ReLU passed (y > 0).
template <bool kRelu>
float Gradient(const float* dy, const float* y, int i) {
  if constexpr (kRelu) {
    float g = dy[i];  // loaded unconditionally, so the select vectorises
    return y[i] > 0.0f ? g : 0.0f;
  } else {
    return dy[i];
  }
}

// sum(g) and sum(g * (x - mean)) per channel.
template <bool kRelu>
std::vector<double> GradientSums(ConstTensor x, ConstTensor dy, ConstTensor y, const float* mean) {
  return ChannelSums(x.pixels(), x.c, [&](int64_t p, int first, auto n, float* u, float* v) {
    const float* in = x.pixel(p) + first;
    const float* g = dy.pixel(p) + first;
    const float* out = kRelu ? y.pixel(p) + first : nullptr;
    const float* mean_of = mean + first;
    for (int j = 0; j < n; ++j) {
      float gj = Gradient<kRelu>(g, out, j);
      u[j] += gj;
      v[j] += gj * (in[j] - mean_of[j]);
    }
  });
}

// dx (+)= k g + a x + b per channel.
template <bool kRelu, bool kAccumulate>
void InputGradient(ConstTensor x, ConstTensor dy, ConstTensor y, const float* k, const float* a,
                   const float* b, Tensor dx) {
  const int c = x.c;
  ParallelRanges(x.pixels(), 256, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* in = x.pixel(p);
      const float* g = dy.pixel(p);
      const float* out_y = kRelu ? y.pixel(p) : nullptr;
      float* out = dx.pixel(p);
      for (int i = 0; i < c; ++i) {
        float v = k[i] * Gradient<kRelu>(g, out_y, i) + a[i] * in[i] + b[i];
        out[i] = kAccumulate ? out[i] + v : v;
      }
    }
  });
}

}  // namespace

void BatchNormBackward(ConstTensor x, ConstTensor dy, ConstTensor relu_output, const float* gamma,
                       const float* mean, const float* invstd, bool batch_stats, Tensor dx,
                       bool accumulate, float* dgamma, float* dbeta) {
  CheckSameShape(x, dy);
  const bool relu = relu_output.data != nullptr;
  if (relu) CheckSameShape(x, relu_output);
  const int c = x.c;
  int64_t m = x.pixels();
  std::vector<double> sums = relu ? GradientSums<true>(x, dy, relu_output, mean)
                                  : GradientSums<false>(x, dy, relu_output, mean);
  for (int i = 0; i < c; ++i) {
    if (dbeta) dbeta[i] += static_cast<float>(sums[i]);
    if (dgamma) dgamma[i] += static_cast<float>(sums[c + i] * invstd[i]);
  }
  if (dx.data == nullptr) return;
  // dx = k (g - mean(g) - xhat mean(g xhat)) = k g + a x + b.
  std::vector<float> k(c), a(c), b(c);
  for (int i = 0; i < c; ++i) {
    double kk = (gamma ? gamma[i] : 1.0f) * static_cast<double>(invstd[i]);
    double mean_g = batch_stats ? sums[i] / m : 0.0;
    double mean_g_xhat = batch_stats ? sums[c + i] * invstd[i] / m : 0.0;
    k[i] = static_cast<float>(kk);
    a[i] = static_cast<float>(-kk * invstd[i] * mean_g_xhat);
    b[i] = static_cast<float>(-kk * mean_g + kk * mean[i] * invstd[i] * mean_g_xhat);
  }
  if (relu) {
    accumulate ? InputGradient<true, true>(x, dy, relu_output, k.data(), a.data(), b.data(), dx)
               : InputGradient<true, false>(x, dy, relu_output, k.data(), a.data(), b.data(), dx);
  } else {
    accumulate ? InputGradient<false, true>(x, dy, relu_output, k.data(), a.data(), b.data(), dx)
               : InputGradient<false, false>(x, dy, relu_output, k.data(), a.data(), b.data(), dx);
  }
}

}  // namespace rb::kernels::cpu
