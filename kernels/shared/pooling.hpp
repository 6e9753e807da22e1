// Pooling kernels written once (see launch.hpp), with the reference kernels' rules: windows
// clipped to the input, the first maximum wins ties, averages exclude padding. Backward passes
// gather into their own input element (no two threads write one value, no atomics).
#pragma once

#include <cstdint>

#include "kernels/shared/launch.hpp"
#include "roadbrew/kernels/pooling.hpp"

namespace rb::kernels::shared {

struct PoolWindow {
  int h0, h1, w0, w1;
};

RB_HOST_DEVICE PoolWindow WindowAt(const PoolGeometry& g, int oh, int ow) {
  int h0 = oh * g.stride_h - g.pad_top, w0 = ow * g.stride_w - g.pad_left;
  return {MaxInt(h0, 0), MinInt(h0 + g.kernel_h, g.in_h), MaxInt(w0, 0),
          MinInt(w0 + g.kernel_w, g.in_w)};
}

// Outputs along one axis whose windows contain input i: [first, last] (empty when last < first).
RB_HOST_DEVICE void CoveringOutputs(int i, int kernel, int stride, int pad, int out, int& first,
                                    int& last) {
  int reach = i + pad - kernel + 1;
  first = reach <= 0 ? 0 : (reach + stride - 1) / stride;
  last = MinInt(out - 1, (i + pad) / stride);
}

// Element e of the output (n, oh, ow, c), dense NHWC like the argmax array.
struct PoolForwardOp {
  PoolGeometry g;
  ConstTensor x;
  Tensor y;
  int32_t* argmax;  // max pooling only
  bool max;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int c = static_cast<int>(e % g.c);
    int64_t p = e / g.c;
    int ow = static_cast<int>(p % g.out_w), oh = static_cast<int>(p / g.out_w % g.out_h);
    int n = static_cast<int>(p / (int64_t{g.out_w} * g.out_h));
    PoolWindow win = WindowAt(g, oh, ow);
    float value = max ? NegativeInfinity() : 0.0f;
    int32_t where = -1;
    for (int ih = win.h0; ih < win.h1; ++ih) {
      for (int iw = win.w0; iw < win.w1; ++iw) {
        float in = x.at(n, c, ih, iw);
        if (!max) {
          value += in;
        } else if (in > value) {
          value = in;
          where = ih * g.in_w + iw;
        }
      }
    }
    if (!max) value *= 1.0f / static_cast<float>((win.h1 - win.h0) * (win.w1 - win.w0));
    y.pixel(p)[c] = value;
    if (max) argmax[e] = where;
  }
};

// Element e of the input gradient (n, ih, iw, c).
struct PoolBackwardOp {
  PoolGeometry g;
  ConstTensor dy;
  const int32_t* argmax;  // max pooling; null for average
  Tensor dx;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int c = static_cast<int>(e % g.c);
    int64_t p = e / g.c;
    int iw = static_cast<int>(p % g.in_w), ih = static_cast<int>(p / g.in_w % g.in_h);
    int n = static_cast<int>(p / (int64_t{g.in_w} * g.in_h));
    int h_first, h_last, w_first, w_last;
    CoveringOutputs(ih, g.kernel_h, g.stride_h, g.pad_top, g.out_h, h_first, h_last);
    CoveringOutputs(iw, g.kernel_w, g.stride_w, g.pad_left, g.out_w, w_first, w_last);
    float sum = accumulate ? dx.pixel(p)[c] : 0.0f;
    for (int oh = h_first; oh <= h_last; ++oh) {
      for (int ow = w_first; ow <= w_last; ++ow) {
        int64_t q = (int64_t{n} * g.out_h + oh) * g.out_w + ow;
        if (argmax != nullptr) {
          if (argmax[q * g.c + c] == ih * g.in_w + iw) sum += dy.pixel(q)[c];
          continue;
        }
        PoolWindow win = WindowAt(g, oh, ow);
        if (ih < win.h0 || ih >= win.h1 || iw < win.w0 || iw >= win.w1) continue;
        float inv = 1.0f / static_cast<float>((win.h1 - win.h0) * (win.w1 - win.w0));
        sum += dy.pixel(q)[c] * inv;
      }
    }
    dx.pixel(p)[c] = sum;
  }
};

template <class L>
void PoolForward(const L& l, const PoolGeometry& g, ConstTensor x, Tensor y, int32_t* argmax,
                 bool max) {
  l.ForEach(int64_t{g.n} * g.out_h * g.out_w * g.c, PoolForwardOp{g, x, y, argmax, max});
}

template <class L>
void PoolBackward(const L& l, const PoolGeometry& g, ConstTensor dy, const int32_t* argmax,
                  Tensor dx, bool accumulate) {
  l.ForEach(int64_t{g.n} * g.in_h * g.in_w * g.c, PoolBackwardOp{g, dy, argmax, dx, accumulate});
}

}  // namespace rb::kernels::shared
