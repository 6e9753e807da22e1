#include "roadbrew/kernels/pooling.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"

namespace rb::kernels {

int PoolGeometry::Output(int in, int kernel, int stride, int pad_before, int pad_after, bool ceil) {
  int span = in + pad_before + pad_after - kernel;
  int out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
  // A last window that would start in the trailing padding is dropped (Caffe/PyTorch rule).
  if (ceil && (out - 1) * stride >= in + pad_before) --out;
  return out;
}

namespace cpu {
namespace {

struct Window {
  int h0, h1, w0, w1;  // clipped to the input
};

Window WindowOf(const PoolGeometry& g, int oh, int ow) {
  int h0 = oh * g.stride_h - g.pad_top, w0 = ow * g.stride_w - g.pad_left;
  return {std::max(h0, 0), std::min(h0 + g.kernel_h, g.in_h), std::max(w0, 0),
          std::min(w0 + g.kernel_w, g.in_w)};
}

// Calls f(n, oh, ow, output pixel index) for every output pixel in parallel.
template <class F>
void ForOutputs(const PoolGeometry& g, F&& f) {
  int64_t total = static_cast<int64_t>(g.n) * g.out_h * g.out_w;
  ParallelRanges(total, 64, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      int ow = static_cast<int>(p % g.out_w), oh = static_cast<int>(p / g.out_w % g.out_h);
      f(static_cast<int>(p / (static_cast<int64_t>(g.out_w) * g.out_h)), oh, ow, p);
    }
  });
}

// Calls f(n, ih, iw, input pixel index) for every input pixel in parallel; backward passes
// gather into their own input pixel so that no two tasks write the same value.
template <class F>
void ForInputs(const PoolGeometry& g, F&& f) {
  int64_t total = static_cast<int64_t>(g.n) * g.in_h * g.in_w;
  ParallelRanges(total, 64, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      int iw = static_cast<int>(p % g.in_w), ih = static_cast<int>(p / g.in_w % g.in_h);
      f(static_cast<int>(p / (static_cast<int64_t>(g.in_w) * g.in_h)), ih, iw, p);
    }
  });
}

// Output rows (columns) whose windows contain input row ih: [first, last].
std::pair<int, int> Covering(int i, int kernel, int stride, int pad, int out) {
  int reach = i + pad - kernel + 1;  // first window start (in padded coordinates) that covers i
  int first = reach <= 0 ? 0 : (reach + stride - 1) / stride;
  int last = std::min(out - 1, (i + pad) / stride);
  return {first, last};
}

}  // namespace

void MaxPoolForward(const PoolGeometry& g, ConstTensor x, Tensor y, int32_t* argmax) {
  ForOutputs(g, [&](int n, int oh, int ow, int64_t p) {
    Window win = WindowOf(g, oh, ow);
    float* out = y.pixel(p);
    int32_t* arg = argmax ? argmax + p * g.c : nullptr;
    for (int c = 0; c < g.c; ++c) out[c] = -std::numeric_limits<float>::infinity();
    for (int ih = win.h0; ih < win.h1; ++ih) {
      for (int iw = win.w0; iw < win.w1; ++iw) {
        const float* in = &x.at(n, 0, ih, iw);
        for (int c = 0; c < g.c; ++c) {
          if (in[c] > out[c]) {  // first maximum wins ties
            out[c] = in[c];
            if (arg) arg[c] = ih * g.in_w + iw;
          }
        }
      }
    }
  });
}

void MaxPoolBackward(const PoolGeometry& g, ConstTensor dy, const int32_t* argmax, Tensor dx,
                     bool accumulate) {
  ForInputs(g, [&](int n, int ih, int iw, int64_t p) {
    float* out = dx.pixel(p);
    if (!accumulate) std::fill(out, out + g.c, 0.0f);
    auto [h_first, h_last] = Covering(ih, g.kernel_h, g.stride_h, g.pad_top, g.out_h);
    auto [w_first, w_last] = Covering(iw, g.kernel_w, g.stride_w, g.pad_left, g.out_w);
    int32_t position = ih * g.in_w + iw;
    for (int oh = h_first; oh <= h_last; ++oh) {
      for (int ow = w_first; ow <= w_last; ++ow) {
        int64_t q = (static_cast<int64_t>(n) * g.out_h + oh) * g.out_w + ow;
        const int32_t* arg = argmax + q * g.c;
        const float* grad = dy.pixel(q);
        for (int c = 0; c < g.c; ++c) {
          if (arg[c] == position) out[c] += grad[c];
        }
      }
    }
  });
}

void AvgPoolForward(const PoolGeometry& g, ConstTensor x, Tensor y) {
  ForOutputs(g, [&](int n, int oh, int ow, int64_t p) {
    Window win = WindowOf(g, oh, ow);
    float* out = y.pixel(p);
    std::fill(out, out + g.c, 0.0f);
    for (int ih = win.h0; ih < win.h1; ++ih) {
      for (int iw = win.w0; iw < win.w1; ++iw) {
        const float* in = &x.at(n, 0, ih, iw);
        for (int c = 0; c < g.c; ++c) out[c] += in[c];
      }
    }
    float inv = 1.0f / static_cast<float>((win.h1 - win.h0) * (win.w1 - win.w0));
    for (int c = 0; c < g.c; ++c) out[c] *= inv;
  });
}

void AvgPoolBackward(const PoolGeometry& g, ConstTensor dy, Tensor dx, bool accumulate) {
  ForInputs(g, [&](int n, int ih, int iw, int64_t p) {
    float* out = dx.pixel(p);
    if (!accumulate) std::fill(out, out + g.c, 0.0f);
    auto [h_first, h_last] = Covering(ih, g.kernel_h, g.stride_h, g.pad_top, g.out_h);
    auto [w_first, w_last] = Covering(iw, g.kernel_w, g.stride_w, g.pad_left, g.out_w);
    for (int oh = h_first; oh <= h_last; ++oh) {
      for (int ow = w_first; ow <= w_last; ++ow) {
        Window win = WindowOf(g, oh, ow);
        if (ih < win.h0 || ih >= win.h1 || iw < win.w0 || iw >= win.w1) continue;
        float inv = 1.0f / static_cast<float>((win.h1 - win.h0) * (win.w1 - win.w0));
        const float* grad = &dy.at(n, 0, oh, ow);
        for (int c = 0; c < g.c; ++c) out[c] += grad[c] * inv;
      }
    }
  });
}

}  // namespace cpu
}  // namespace rb::kernels
