// Tensor views passed to kernels: plain pointers and shapes, no ownership, no device headers.
//
// Activations are NHWC in memory (channels last): the C channels of pixel p = (n * H + h) * W + w
// start at data + p * stride. stride >= C lets a view address a channel slice of a wider tensor
// (a dense block's shared stack) without copying. Dense tensors have stride == C.
// The same views carry device pointers to the cuda:: kernels; their accessors work on both sides.
#pragma once

#include <cstdint>
#include <type_traits>

#include "common/core/host_device.hpp"

namespace rb::kernels {

template <class T>
struct TensorT {
  T* data = nullptr;
  int n = 0;
  int c = 0;
  int h = 0;
  int w = 0;
  int64_t stride = 0;  // elements between consecutive pixels

  RB_HOST_DEVICE int64_t pixels() const { return static_cast<int64_t>(n) * h * w; }
  RB_HOST_DEVICE int64_t count() const { return pixels() * c; }
  RB_HOST_DEVICE bool dense() const { return stride == c; }
  RB_HOST_DEVICE T* pixel(int64_t p) const { return data + p * stride; }
  RB_HOST_DEVICE T& at(int in, int ic, int ih, int iw) const {
    return data[((static_cast<int64_t>(in) * h + ih) * w + iw) * stride + ic];
  }
  // A mutable view converts to a read-only one.
  template <class U = T, std::enable_if_t<!std::is_const_v<U>, int> = 0>
  RB_HOST_DEVICE operator TensorT<const U>() const {
    return {data, n, c, h, w, stride};
  }
};
using Tensor = TensorT<float>;
using ConstTensor = TensorT<const float>;

inline Tensor DenseTensor(float* data, int n, int c, int h, int w) { return {data, n, c, h, w, c}; }

}  // namespace rb::kernels
