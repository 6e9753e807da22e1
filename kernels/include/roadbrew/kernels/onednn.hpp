// oneDNN (the fast CPU path) for convolutions and pooling, device-neutral: no dnnl.hpp here.
// Activations are dense NHWC (oneDNN's "nhwc", served by its brgemm AVX-512/AVX2 kernels);
// weights stay OIHW in the net and are reordered to oneDNN's preferred blocked format inside.
// Built when ROADBREW_HAVE_ONEDNN; otherwise Available() is false and construction throws
// Error(kUnsupported).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "roadbrew/kernels/convolution.hpp"
#include "roadbrew/kernels/pooling.hpp"
#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels::onednn {

bool Available();

// The forward and backward primitives of one convolution geometry (created once, reused).
class Convolution {
 public:
  Convolution(const ConvGeometry& geometry, bool bias);
  ~Convolution();
  Convolution(const Convolution&) = delete;
  Convolution& operator=(const Convolution&) = delete;

  void Forward(ConstTensor x, const float* weights, const float* bias, Tensor y);
  void BackwardData(ConstTensor dy, const float* weights, Tensor dx, bool accumulate);
  // Adds to dweights and dbias (nullable).
  void BackwardWeights(ConstTensor x, ConstTensor dy, float* dweights, float* dbias);
  // The implementation oneDNN chose, e.g. "brgconv:avx512_core".
  std::string Implementation() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Pooling {
 public:
  enum class Kind { kMax, kAverage };
  Pooling(const PoolGeometry& geometry, Kind kind);
  ~Pooling();
  Pooling(const Pooling&) = delete;
  Pooling& operator=(const Pooling&) = delete;

  // Keeps the max positions (workspace) for Backward.
  void Forward(ConstTensor x, Tensor y);
  void Backward(ConstTensor dy, Tensor dx, bool accumulate);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rb::kernels::onednn
