// Reference convolution: direct loops, one output (or input) pixel per task, weights transposed
// once so the innermost loop runs over contiguous channels. Slow but obviously right; the
// oneDNN path is checked against it.
#include "roadbrew/kernels/convolution.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"

namespace rb::kernels {

int ConvGeometry::ConvOutput(int in, int kernel, int stride, int pad_before, int pad_after,
                             int dilation) {
  int extent = (kernel - 1) * dilation + 1;
  return (in + pad_before + pad_after - extent) / stride + 1;
}

int ConvGeometry::DeconvOutput(int in, int kernel, int stride, int pad_before, int pad_after,
                               int dilation) {
  return (in - 1) * stride - pad_before - pad_after + (kernel - 1) * dilation + 1;
}

ConvGeometry ConvGeometry::Adjoint() const {
  ConvGeometry g = *this;
  std::swap(g.in_c, g.out_c);
  std::swap(g.in_h, g.out_h);
  std::swap(g.in_w, g.out_w);
  return g;
}

int64_t ConvGeometry::WeightCount() const {
  return static_cast<int64_t>(out_c) * (in_c / groups) * kernel_h * kernel_w;
}

int64_t ConvGeometry::Macs() const {
  return WeightCount() * static_cast<int64_t>(n) * out_h * out_w;
}

std::string ConvGeometry::ToString() const {
  return fmt::format(
      "{}x{}x{}x{} -> {}x{}x{}x{}, kernel {}x{}, stride {}x{}, pad {},{},{},{}, "
      "dilation {}x{}, groups {}",
      n, in_c, in_h, in_w, n, out_c, out_h, out_w, kernel_h, kernel_w, stride_h, stride_w, pad_top,
      pad_left, pad_bottom, pad_right, dilation_h, dilation_w, groups);
}

namespace cpu {
namespace {

void CheckShapes(const ConvGeometry& g, ConstTensor in, ConstTensor out) {
  RB_CHECK(g.in_c % g.groups == 0 && g.out_c % g.groups == 0);
  RB_CHECK(in.n == g.n && in.c == g.in_c && in.h == g.in_h && in.w == g.in_w);
  RB_CHECK(out.n == g.n && out.c == g.out_c && out.h == g.out_h && out.w == g.out_w);
}

// Weights rearranged to [kh][kw][in_c/groups][out_c]: contiguous over output channels.
std::vector<float> ToHwio(const ConvGeometry& g, const float* w) {
  int icg = g.in_c / g.groups;
  std::vector<float> out(static_cast<size_t>(g.WeightCount()));
  for (int o = 0; o < g.out_c; ++o) {
    for (int i = 0; i < icg; ++i) {
      for (int kh = 0; kh < g.kernel_h; ++kh) {
        for (int kw = 0; kw < g.kernel_w; ++kw) {
          out[((static_cast<size_t>(kh) * g.kernel_w + kw) * icg + i) * g.out_c + o] =
              w[((static_cast<size_t>(o) * icg + i) * g.kernel_h + kh) * g.kernel_w + kw];
        }
      }
    }
  }
  return out;
}

}  // namespace

void ConvolutionForward(const ConvGeometry& g, ConstTensor x, const float* weights,
                        const float* bias, Tensor y) {
  CheckShapes(g, x, y);
  std::vector<float> hwio = ToHwio(g, weights);
  int icg = g.in_c / g.groups, ocg = g.out_c / g.groups;
  ParallelRanges(y.pixels(), 16, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      int ow = static_cast<int>(p % g.out_w), oh = static_cast<int>(p / g.out_w % g.out_h);
      int n = static_cast<int>(p / (static_cast<int64_t>(g.out_w) * g.out_h));
      float* out = y.pixel(p);
      for (int o = 0; o < g.out_c; ++o) out[o] = bias ? bias[o] : 0.0f;
      for (int kh = 0; kh < g.kernel_h; ++kh) {
        int ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
        if (ih < 0 || ih >= g.in_h) continue;
        for (int kw = 0; kw < g.kernel_w; ++kw) {
          int iw = ow * g.stride_w - g.pad_left + kw * g.dilation_w;
          if (iw < 0 || iw >= g.in_w) continue;
          const float* in = &x.at(n, 0, ih, iw);
          const float* tap =
              hwio.data() + (static_cast<size_t>(kh) * g.kernel_w + kw) * icg * g.out_c;
          for (int grp = 0; grp < g.groups; ++grp) {
            for (int i = 0; i < icg; ++i) {
              float v = in[grp * icg + i];
              const float* row = tap + static_cast<size_t>(i) * g.out_c + grp * ocg;
              float* dst = out + grp * ocg;
              for (int o = 0; o < ocg; ++o) dst[o] += v * row[o];
            }
          }
        }
      }
    }
  });
}

void ConvolutionBackwardData(const ConvGeometry& g, ConstTensor dy, const float* weights, Tensor dx,
                             bool accumulate) {
  CheckShapes(g, dx, dy);
  int icg = g.in_c / g.groups, ocg = g.out_c / g.groups;
  // Gather per input pixel: each task owns its dx pixel, so no two tasks write one value.
  ParallelRanges(dx.pixels(), 16, [&](int64_t begin, int64_t end) {
    std::vector<float> sum(g.in_c);
    for (int64_t p = begin; p < end; ++p) {
      int iw = static_cast<int>(p % g.in_w), ih = static_cast<int>(p / g.in_w % g.in_h);
      int n = static_cast<int>(p / (static_cast<int64_t>(g.in_w) * g.in_h));
      std::fill(sum.begin(), sum.end(), 0.0f);
      for (int kh = 0; kh < g.kernel_h; ++kh) {
        int th = ih + g.pad_top - kh * g.dilation_h;
        if (th < 0 || th % g.stride_h != 0 || th / g.stride_h >= g.out_h) continue;
        for (int kw = 0; kw < g.kernel_w; ++kw) {
          int tw = iw + g.pad_left - kw * g.dilation_w;
          if (tw < 0 || tw % g.stride_w != 0 || tw / g.stride_w >= g.out_w) continue;
          const float* grad = &dy.at(n, 0, th / g.stride_h, tw / g.stride_w);
          for (int grp = 0; grp < g.groups; ++grp) {
            for (int o = 0; o < ocg; ++o) {
              float go = grad[grp * ocg + o];
              const float* w =
                  weights +
                  ((static_cast<size_t>(grp * ocg + o) * icg) * g.kernel_h + kh) * g.kernel_w + kw;
              for (int i = 0; i < icg; ++i)
                sum[grp * icg + i] += go * w[static_cast<size_t>(i) * g.kernel_h * g.kernel_w];
            }
          }
        }
      }
      float* out = dx.pixel(p);
      for (int c = 0; c < g.in_c; ++c) out[c] = accumulate ? out[c] + sum[c] : sum[c];
    }
  });
}

void ConvolutionBackwardWeights(const ConvGeometry& g, ConstTensor x, ConstTensor dy,
                                float* dweights, float* dbias) {
  CheckShapes(g, x, dy);
  int icg = g.in_c / g.groups, ocg = g.out_c / g.groups;
  int64_t taps = static_cast<int64_t>(g.kernel_h) * g.kernel_w;
  // One task per output channel: it sums over every pixel in a fixed order.
  ParallelRanges(g.out_c, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> acc(static_cast<size_t>(icg * taps));
    for (int64_t o = begin; o < end; ++o) {
      int grp = static_cast<int>(o) / ocg;
      std::fill(acc.begin(), acc.end(), 0.0f);
      double bias_sum = 0;
      for (int64_t p = 0; p < dy.pixels(); ++p) {
        float go = dy.pixel(p)[o];
        bias_sum += go;
        if (go == 0.0f) continue;
        int ow = static_cast<int>(p % g.out_w), oh = static_cast<int>(p / g.out_w % g.out_h);
        int n = static_cast<int>(p / (static_cast<int64_t>(g.out_w) * g.out_h));
        for (int kh = 0; kh < g.kernel_h; ++kh) {
          int ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
          if (ih < 0 || ih >= g.in_h) continue;
          for (int kw = 0; kw < g.kernel_w; ++kw) {
            int iw = ow * g.stride_w - g.pad_left + kw * g.dilation_w;
            if (iw < 0 || iw >= g.in_w) continue;
            const float* in = &x.at(n, grp * icg, ih, iw);
            int tap = kh * g.kernel_w + kw;
            for (int i = 0; i < icg; ++i) acc[i * taps + tap] += go * in[i];
          }
        }
      }
      float* dw = dweights + o * icg * taps;
      for (int64_t k = 0; k < icg * taps; ++k) dw[k] += acc[k];
      if (dbias) dbias[o] += static_cast<float>(bias_sum);
    }
  });
}

}  // namespace cpu
}  // namespace rb::kernels
