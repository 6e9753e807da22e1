#include "roadbrew/kernels/elementwise.hpp"

#include <algorithm>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"
#include "roadbrew/kernels/elementwise_ops.hpp"

namespace rb::kernels::cpu {
namespace {

constexpr int64_t kPixelGrain = 256;

void CheckSameShape(ConstTensor a, ConstTensor b) {
  RB_CHECK(a.n == b.n && a.c == b.c && a.h == b.h && a.w == b.w);
}

// Calls f(x_pixel, y_pixel, channels) over all pixels in parallel.
template <class X, class Y, class F>
void ForPixels(TensorT<X> x, TensorT<Y> y, F&& f) {
  CheckSameShape(x, y);
  ParallelRanges(x.pixels(), kPixelGrain, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) f(x.pixel(p), y.pixel(p), p);
  });
}

}  // namespace

void ReluForward(ConstTensor x, Tensor y, float slope) {
  const float s = slope;  // a local, so the compiler knows stores cannot change it
  ForPixels(x, y, [s, c = x.c](const float* in, float* out, int64_t) {
    if (in == out) {  // in place: one stream, which the vectoriser needs no alias check for
      for (int i = 0; i < c; ++i) out[i] = ops::Relu(out[i], s);
    } else {
      for (int i = 0; i < c; ++i) out[i] = ops::Relu(in[i], s);
    }
  });
}

void ReluBackward(ConstTensor y, ConstTensor dy, Tensor dx, float slope, bool accumulate) {
  CheckSameShape(y, dy);
  const float s = slope;
  ForPixels(dy, dx, [&, s, c = y.c](const float* g, float* out, int64_t p) {
    const float* v = y.pixel(p);
    if (accumulate) {
      for (int i = 0; i < c; ++i) out[i] += ops::ReluGrad(v[i], g[i], s);
    } else {
      for (int i = 0; i < c; ++i) out[i] = ops::ReluGrad(v[i], g[i], s);
    }
  });
}

void DropoutMask(int64_t count, float p, uint64_t seed, uint64_t stream, uint8_t* mask,
                 int64_t first) {
  Philox philox(seed, stream);
  const uint32_t threshold = ops::DropoutThreshold(p);
  const int64_t end = first + count;
  int64_t first_block = first / 8, blocks = (end + 7) / 8 - first_block;
  ParallelRanges(blocks, 4096, [&](int64_t begin, int64_t stop) {
    for (int64_t block = first_block + begin; block < first_block + stop; ++block) {
      auto words = philox.Block(static_cast<uint64_t>(block));
      int64_t start = block * 8;
      if (start >= first && start + 8 <= end) {  // the common case, unrolled: two per word
        uint8_t* out = mask + (start - first);
        for (int j = 0; j < 4; ++j) {
          out[2 * j] = (words[j] & 0xFFFFu) >= threshold;
          out[2 * j + 1] = (words[j] >> 16) >= threshold;
        }
      } else {
        for (int64_t i = std::max(start, first); i < std::min(start + 8, end); ++i) {
          mask[i - first] = ops::DropoutKeep(words, static_cast<uint64_t>(i), threshold) ? 1 : 0;
        }
      }
    }
  });
}

void DropoutForward(ConstTensor x, Tensor y, const uint8_t* mask, float scale) {
  const int c = x.c;
  ForPixels(x, y, [&, c, scale](const float* in, float* out, int64_t pixel) {
    const uint8_t* keep = mask + pixel * c;
    for (int i = 0; i < c; ++i) out[i] = in[i] * (scale * static_cast<float>(keep[i]));
  });
}

void DropoutBackward(ConstTensor dy, Tensor dx, const uint8_t* mask, float scale, bool accumulate) {
  const int c = dy.c;
  ForPixels(dy, dx, [&, c, scale](const float* g, float* out, int64_t pixel) {
    const uint8_t* keep = mask + pixel * c;
    if (accumulate) {
      for (int i = 0; i < c; ++i) out[i] += g[i] * (scale * static_cast<float>(keep[i]));
    } else {
      for (int i = 0; i < c; ++i) out[i] = g[i] * (scale * static_cast<float>(keep[i]));
    }
  });
}

void Copy(ConstTensor x, Tensor y, bool accumulate) {
  ForPixels(x, y, [&](const float* in, float* out, int64_t) {
    if (accumulate) {
      for (int c = 0; c < x.c; ++c) out[c] += in[c];
    } else {
      std::copy(in, in + x.c, out);
    }
  });
}

void Zero(Tensor y) {
  ParallelRanges(y.pixels(), kPixelGrain, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) std::fill(y.pixel(p), y.pixel(p) + y.c, 0.0f);
  });
}

void ScaleBiasForward(ConstTensor x, Tensor y, const float* scale, const float* bias) {
  ForPixels(x, y, [&](const float* in, float* out, int64_t) {
    for (int c = 0; c < x.c; ++c) {
      out[c] = in[c] * (scale ? scale[c] : 1.0f) + (bias ? bias[c] : 0.0f);
    }
  });
}

void ScaleBiasBackward(ConstTensor x, ConstTensor dy, const float* scale, Tensor dx,
                       bool accumulate, float* dscale, float* dbias) {
  CheckSameShape(x, dy);
  if (dx.data != nullptr) {
    ForPixels(dy, dx, [&](const float* g, float* out, int64_t) {
      for (int c = 0; c < dy.c; ++c) {
        float v = g[c] * (scale ? scale[c] : 1.0f);
        out[c] = accumulate ? out[c] + v : v;
      }
    });
  }
  if (dscale == nullptr && dbias == nullptr) return;
  // Per-channel sums in fixed chunks, combined in order: independent of the thread count.
  Chunks chunks = Chunks::For(x.pixels());
  std::vector<double> partial(static_cast<size_t>(chunks.count) * x.c * 2, 0.0);
  ParallelChunks(x.pixels(), chunks, [&](int64_t k, int64_t begin, int64_t end) {
    double* sum_scale = partial.data() + k * x.c * 2;
    double* sum_bias = sum_scale + x.c;
    for (int64_t p = begin; p < end; ++p) {
      const float* in = x.pixel(p);
      const float* g = dy.pixel(p);
      for (int c = 0; c < x.c; ++c) {
        sum_scale[c] += static_cast<double>(g[c]) * in[c];
        sum_bias[c] += g[c];
      }
    }
  });
  for (int64_t k = 0; k < chunks.count; ++k) {
    const double* sum_scale = partial.data() + k * x.c * 2;
    for (int c = 0; c < x.c; ++c) {
      if (dscale) dscale[c] += static_cast<float>(sum_scale[c]);
      if (dbias) dbias[c] += static_cast<float>(sum_scale[x.c + c]);
    }
  }
}

void EltwiseForward(EltwiseOp op, const ConstTensor* inputs, const float* coefficients, int count,
                    Tensor y) {
  RB_CHECK(count >= 1);
  for (int i = 0; i < count; ++i) CheckSameShape(inputs[i], y);
  ParallelRanges(y.pixels(), kPixelGrain, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      float* out = y.pixel(p);
      for (int c = 0; c < y.c; ++c) {
        float v =
            op == EltwiseOp::kSum ? coefficients[0] * inputs[0].pixel(p)[c] : inputs[0].pixel(p)[c];
        for (int i = 1; i < count; ++i) {
          float in = inputs[i].pixel(p)[c];
          if (op == EltwiseOp::kSum) {
            v += coefficients[i] * in;
          } else if (op == EltwiseOp::kProd) {
            v *= in;
          } else {
            v = std::max(v, in);
          }
        }
        out[c] = v;
      }
    }
  });
}

void EltwiseBackward(EltwiseOp op, const ConstTensor* inputs, const float* coefficients, int count,
                     int index, ConstTensor y, ConstTensor dy, Tensor dx, bool accumulate) {
  ParallelRanges(y.pixels(), kPixelGrain, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* g = dy.pixel(p);
      float* out = dx.pixel(p);
      for (int c = 0; c < y.c; ++c) {
        float v = 0.0f;
        if (op == EltwiseOp::kSum) {
          v = coefficients[index] * g[c];
        } else if (op == EltwiseOp::kProd) {
          float product = 1.0f;
          for (int i = 0; i < count; ++i) {
            if (i != index) product *= inputs[i].pixel(p)[c];
          }
          v = g[c] * product;
        } else {
          // The gradient goes to the first input holding the maximum (Caffe's rule).
          float best = y.pixel(p)[c];
          int winner = 0;
          while (winner < count && inputs[winner].pixel(p)[c] != best) ++winner;
          v = winner == index ? g[c] : 0.0f;
        }
        out[c] = accumulate ? out[c] + v : v;
      }
    }
  });
}

}  // namespace rb::kernels::cpu
