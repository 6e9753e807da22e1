// Elementwise kernels written once (see launch.hpp): functors over the logical elements of NHWC
// views, element e being channel e % C of pixel e / C, so a channel-slice view and its dense
// copy see the same elements in the same order.
#pragma once

#include <cstdint>

#include "common/core/rng.hpp"
#include "kernels/shared/launch.hpp"
#include "roadbrew/kernels/elementwise.hpp"
#include "roadbrew/kernels/elementwise_ops.hpp"
#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels::shared {

// Memory index of logical element e of a view.
template <class T>
RB_HOST_DEVICE int64_t Index(const TensorT<T>& t, int64_t e) {
  return e / t.c * t.stride + e % t.c;
}

struct ReluForwardOp {
  ConstTensor x;
  Tensor y;
  float slope;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    y.data[Index(y, e)] = ops::Relu(x.data[Index(x, e)], slope);
  }
};

struct ReluBackwardOp {
  ConstTensor y, dy;
  Tensor dx;
  float slope;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    Store(dx.data[Index(dx, e)], ops::ReluGrad(y.data[Index(y, e)], dy.data[Index(dy, e)], slope),
          accumulate);
  }
};

// One Philox block decides eight elements (elementwise_ops.hpp): f(k) writes the decisions of
// block first / 8 + k that fall in [first, first + count), mask[i - first] for element i.
struct DropoutMaskOp {
  Philox philox;
  uint32_t threshold;
  int64_t first, count;
  uint8_t* mask;
  RB_HOST_DEVICE void operator()(int64_t k) const {
    int64_t block = first / 8 + k;
    auto words = philox.Block(static_cast<uint64_t>(block));
    int64_t begin = block * 8 > first ? block * 8 : first;
    int64_t end = block * 8 + 8 < first + count ? block * 8 + 8 : first + count;
    for (int64_t i = begin; i < end; ++i) {
      mask[i - first] = ops::DropoutKeep(words, static_cast<uint64_t>(i), threshold) ? 1 : 0;
    }
  }
};

// y (+)= mask ? x * scale : 0, the mask in logical order (forward and backward alike).
struct DropoutOp {
  ConstTensor x;
  Tensor y;
  const uint8_t* mask;
  float scale;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    Store(y.data[Index(y, e)], x.data[Index(x, e)] * (scale * static_cast<float>(mask[e])),
          accumulate);
  }
};

struct CopyOp {
  ConstTensor x;
  Tensor y;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    Store(y.data[Index(y, e)], x.data[Index(x, e)], accumulate);
  }
};

struct ZeroOp {
  Tensor y;
  RB_HOST_DEVICE void operator()(int64_t e) const { y.data[Index(y, e)] = 0.0f; }
};

// y = x * scale[c] + bias[c] (either nullable), or its input gradient dx (+)= dy * scale[c].
struct ScaleBiasOp {
  ConstTensor x;
  Tensor y;
  const float* scale;
  const float* bias;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int c = static_cast<int>(e % x.c);
    float v = x.data[Index(x, e)] * (scale ? scale[c] : 1.0f) + (bias ? bias[c] : 0.0f);
    Store(y.data[Index(y, e)], v, accumulate);
  }
};

// Per channel: acc[0] += dy * x, acc[1] += dy (rows are pixels, columns channels).
struct ScaleBiasSumsOp {
  ConstTensor x, dy;
  RB_HOST_DEVICE void operator()(int64_t p, int c, double* acc) const {
    double g = dy.pixel(p)[c];
    acc[0] += g * x.pixel(p)[c];
    acc[1] += g;
  }
};

// Adds channel sums (K per channel) to per-channel float arrays (nullable).
struct AddChannelSumsOp {
  const double* sums;
  int k;
  float* first;
  float* second;
  RB_HOST_DEVICE void operator()(int64_t c) const {
    if (first) first[c] += static_cast<float>(sums[c * k]);
    if (second) second[c] += static_cast<float>(sums[c * k + 1]);
  }
};

struct EltwiseForwardOp {
  const ConstTensor* inputs;
  const float* coefficients;
  int count;
  int op;  // cpu::EltwiseOp
  Tensor y;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    const int sum = static_cast<int>(cpu::EltwiseOp::kSum);
    const int prod = static_cast<int>(cpu::EltwiseOp::kProd);
    float first = inputs[0].data[Index(inputs[0], e)];
    float v = op == sum ? coefficients[0] * first : first;
    for (int i = 1; i < count; ++i) {
      float in = inputs[i].data[Index(inputs[i], e)];
      v = op == sum ? v + coefficients[i] * in : op == prod ? v * in : Max(v, in);
    }
    y.data[Index(y, e)] = v;
  }
};

// The gradient of input `index`; max sends it to the first input holding the maximum.
struct EltwiseBackwardOp {
  const ConstTensor* inputs;
  const float* coefficients;
  int count, op, index;
  ConstTensor y, dy;
  Tensor dx;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    float g = dy.data[Index(dy, e)];
    float v = 0.0f;
    if (op == static_cast<int>(cpu::EltwiseOp::kSum)) {
      v = coefficients[index] * g;
    } else if (op == static_cast<int>(cpu::EltwiseOp::kProd)) {
      float product = 1.0f;
      for (int i = 0; i < count; ++i) {
        if (i != index) product *= inputs[i].data[Index(inputs[i], e)];
      }
      v = g * product;
    } else {
      float best = y.data[Index(y, e)];
      int winner = 0;
      while (winner < count && inputs[winner].data[Index(inputs[winner], e)] != best) ++winner;
      v = winner == index ? g : 0.0f;
    }
    Store(dx.data[Index(dx, e)], v, accumulate);
  }
};

// small (+)= the window of big at (row0, col0) of small's size (a crop).
struct CropWindowOp {
  ConstTensor big;
  Tensor small;
  int row0, col0;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int64_t p = e / small.c;
    int c = static_cast<int>(e % small.c);
    int w = static_cast<int>(p % small.w), h = static_cast<int>(p / small.w % small.h);
    int n = static_cast<int>(p / (int64_t{small.w} * small.h));
    Store(small.pixel(p)[c], big.at(n, c, h + row0, w + col0), accumulate);
  }
};

// big's window at (row0, col0) (+)= small; without accumulate the rest of big becomes 0 (the
// crop's gradient, or a zero-padded extension).
struct PlaceWindowOp {
  ConstTensor small;
  Tensor big;
  int row0, col0;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int64_t p = e / big.c;
    int c = static_cast<int>(e % big.c);
    int w = static_cast<int>(p % big.w) - col0, h = static_cast<int>(p / big.w % big.h) - row0;
    int n = static_cast<int>(p / (int64_t{big.w} * big.h));
    float& out = big.pixel(p)[c];
    if (h >= 0 && h < small.h && w >= 0 && w < small.w) {
      Store(out, small.at(n, c, h, w), accumulate);
    } else if (!accumulate) {
      out = 0.0f;
    }
  }
};

// Filters between OIHW (the net's layout) and OHWI (channels last, what cuDNN's NHWC kernels
// want). Over OIHW index e: to OHWI writes, from OHWI (+)= back into OIHW.
struct PermuteFilterOp {
  const float* from;
  float* to;
  int in, kh, kw;  // in = input channels per group
  bool to_ohwi;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int64_t spatial = int64_t{kh} * kw;
    int64_t o = e / (in * spatial);
    int ci = static_cast<int>(e / spatial % in);
    int64_t yx = e % spatial;
    int64_t j = (o * spatial + yx) * in + ci;
    if (to_ohwi) {
      to[j] = from[e];
    } else {
      Store(to[e], from[j], accumulate);
    }
  }
};

// IEEE half and bfloat16 from and to float, rounding to nearest even (as the hardware does),
// as bit patterns so the host and the device convert identically.
RB_HOST_DEVICE uint32_t RoundShift(uint32_t value, int shift) {  // value >> shift, to nearest even
  uint32_t result = value >> shift, rest = value & ((1u << shift) - 1), half = 1u << (shift - 1);
  return result + (rest > half || (rest == half && (result & 1u)) ? 1u : 0u);
}
RB_HOST_DEVICE uint16_t FloatToHalf(float value) {
  uint32_t x = FloatBits(value), sign = (x >> 16) & 0x8000u, mag = x & 0x7FFFFFFFu;
  if (mag >= 0x7F800000u)
    return static_cast<uint16_t>(sign | (mag > 0x7F800000u ? 0x7E00u : 0x7C00u));
  if (mag >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // >= 65520: infinity
  if (mag < 0x33000000u) return static_cast<uint16_t>(sign);             // <= 2^-25: zero
  int exponent = static_cast<int>(mag >> 23);
  if (exponent < 113) {  // a half subnormal: units of 2^-24
    uint32_t significand = (mag & 0x7FFFFFu) | 0x800000u;
    return static_cast<uint16_t>(sign | RoundShift(significand, 126 - exponent));
  }
  uint32_t half = (static_cast<uint32_t>(exponent - 112) << 23) | (mag & 0x7FFFFFu);
  return static_cast<uint16_t>(sign | RoundShift(half, 13));
}
RB_HOST_DEVICE float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16, exponent = (h >> 10) & 0x1Fu,
           mantissa = h & 0x3FFu;
  if (exponent == 0x1F) return BitsFloat(sign | 0x7F800000u | (mantissa << 13));
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in float
    float v = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  return BitsFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
}
RB_HOST_DEVICE uint16_t FloatToBfloat16(float value) {
  uint32_t x = FloatBits(value);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet
  return static_cast<uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}
RB_HOST_DEVICE float Bfloat16ToFloat(uint16_t b) {
  return BitsFloat(static_cast<uint32_t>(b) << 16);
}

struct ToHalfOp {
  const float* from;
  uint16_t* to;
  bool bf16;
  RB_HOST_DEVICE void operator()(int64_t i) const {
    to[i] = bf16 ? FloatToBfloat16(from[i]) : FloatToHalf(from[i]);
  }
};

struct FromHalfOp {
  const uint16_t* from;
  float* to;
  bool bf16;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t i) const {
    Store(to[i], bf16 ? Bfloat16ToFloat(from[i]) : HalfToFloat(from[i]), accumulate);
  }
};

struct FillOp {
  float* y;
  float value;
  RB_HOST_DEVICE void operator()(int64_t i) const { y[i] = value; }
};

// --- entry points, the same for both launchers ----------------------------------------------

template <class L>
void DropoutMask(const L& l, int64_t count, float p, uint64_t seed, uint64_t stream, uint8_t* mask,
                 int64_t first = 0) {
  if (count <= 0) return;
  int64_t blocks = (first + count + 7) / 8 - first / 8;
  l.ForEach(blocks,
            DropoutMaskOp{Philox(seed, stream), ops::DropoutThreshold(p), first, count, mask});
}

template <class L>
void ScaleBiasBackward(const L& l, ConstTensor x, ConstTensor dy, const float* scale, Tensor dx,
                       bool accumulate, float* dscale, float* dbias) {
  if (dx.data != nullptr) l.ForEach(dy.count(), ScaleBiasOp{dy, dx, scale, nullptr, accumulate});
  if (dscale == nullptr && dbias == nullptr) return;
  auto sums = l.Temp(sizeof(double) * 2 * x.c);
  l.template Sum<2>(x.pixels(), x.c, ScaleBiasSumsOp{x, dy}, static_cast<double*>(sums.data));
  l.ForEach(x.c, AddChannelSumsOp{static_cast<const double*>(sums.data), 2, dscale, dbias});
}

template <class L>
void Eltwise(const L& l, cpu::EltwiseOp op, const ConstTensor* inputs, const float* coefficients,
             int count, int index, ConstTensor y, ConstTensor dy, Tensor dx, bool accumulate) {
  auto views = l.Temp(sizeof(ConstTensor) * count);
  auto coeffs = l.Temp(sizeof(float) * count);
  l.FromHost(views.data, inputs, sizeof(ConstTensor) * count);
  l.FromHost(coeffs.data, coefficients, sizeof(float) * count);
  const auto* v = static_cast<const ConstTensor*>(views.data);
  const auto* k = static_cast<const float*>(coeffs.data);
  if (index < 0) {
    l.ForEach(dx.count(), EltwiseForwardOp{v, k, count, static_cast<int>(op), dx});
  } else {
    l.ForEach(dx.count(),
              EltwiseBackwardOp{v, k, count, static_cast<int>(op), index, y, dy, dx, accumulate});
  }
}

}  // namespace rb::kernels::shared
