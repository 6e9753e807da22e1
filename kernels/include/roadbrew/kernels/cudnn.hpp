// cuDNN behind device-neutral classes (no cudnn.h here; implemented in kernels/cuda/cudnn_*.cpp,
// stubs elsewhere throw kUnsupported). Activations are NHWC views with device pointers (channel
// slices are described to cuDNN by their strides); weights are OIHW as the net stores them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "roadbrew/kernels/convolution.hpp"
#include "roadbrew/kernels/pooling.hpp"
#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels::cudnn {

// Arithmetic of the convolutions. kFloat32: exact float (FMA math, no Tensor Core rounding), the
// default, which matches the CPU within float tolerance. kTensorFloat32: Tensor Cores on float
// data (10-bit mantissa products). kFloat16 / kBFloat16: mixed precision, the inputs and weights
// of each convolution rounded to half or bfloat16, products accumulated in float, results
// written back to the float blobs (the float weights are the master copy).
enum class Precision { kFloat32, kTensorFloat32, kFloat16, kBFloat16 };
std::string_view PrecisionName(Precision precision);  // "fp32", "tf32", "fp16", "bf16"
Precision ParsePrecision(std::string_view name);      // throws kInvalidArgument

// The most workspace a convolution algorithm may use; algorithms are chosen by cuDNN's
// heuristics under this limit, once per shape and direction (process-wide cache).
void SetWorkspaceLimit(size_t bytes);
size_t WorkspaceLimit();

// One convolution geometry (for a deconvolution: the convolution it is the adjoint of).
// Asymmetric padding (pad_end != pad, the Tiramisu's transition up) is run as a symmetric
// convolution on a zero-extended input, cropped back, as cuDNN only pads symmetrically.
class Convolution {
 public:
  Convolution(const ConvGeometry& geometry, Precision precision);
  ~Convolution();
  Convolution(const Convolution&) = delete;
  Convolution& operator=(const Convolution&) = delete;

  // x and y dense; bias nullable.
  void Forward(ConstTensor x, const float* weights, const float* bias, Tensor y);
  // dx dense.
  void BackwardData(ConstTensor dy, const float* weights, Tensor dx, bool accumulate);
  // Adds to dweights and dbias (nullable).
  void BackwardWeights(ConstTensor x, ConstTensor dy, float* dweights, float* dbias);
  // "fwd IMPLICIT_PRECOMP_GEMM, data ALGO_1, filter ALGO_1": the algorithms chosen so far.
  std::string Algorithms() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Softmax over channels (CUDNN_SOFTMAX_ACCURATE: max-subtracted, as the CPU kernel).
void SoftmaxForward(ConstTensor x, Tensor y);
void SoftmaxBackward(ConstTensor y, ConstTensor dy, Tensor dx, bool accumulate);

// Plain ReLU (cuDNN activation); leaky ReLU runs the shared kernel instead.
void ReluForward(ConstTensor x, Tensor y);
void ReluBackward(ConstTensor y, ConstTensor dy, Tensor dx, bool accumulate);

// Average pooling (padding excluded) where cuDNN can express the geometry: symmetric padding
// and the output size of its floor rule.
class AveragePooling {
 public:
  static bool Supports(const PoolGeometry& geometry);
  explicit AveragePooling(const PoolGeometry& geometry);
  ~AveragePooling();
  AveragePooling(const AveragePooling&) = delete;
  AveragePooling& operator=(const AveragePooling&) = delete;
  void Forward(ConstTensor x, Tensor y);
  void Backward(ConstTensor x, ConstTensor y, ConstTensor dy, Tensor dx, bool accumulate);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// cuDNN's spatial batch norm for dense, unfused layers (eps at least CUDNN_BN_MIN_EPSILON). Saves
// the batch mean and 1/sqrt(var + eps) like the shared kernels; running averages move by
// `momentum` towards the batch mean and unbiased variance. gamma/beta are required (device).
// Each call returns false, having done nothing, when cuDNN declines the layout
// (CUDNN_STATUS_NOT_SUPPORTED): the caller then runs the shared kernels.
struct BatchNorm {
  static bool Supports(ConstTensor x, ConstTensor y, double eps);
  static bool ForwardTraining(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                              double momentum, float* running_mean, float* running_var, double eps,
                              float* saved_mean, float* saved_invstd);
  static bool ForwardInference(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                               const float* mean, const float* variance, double eps);
  // dx (+)= the input gradient; dgamma and dbeta are added to.
  static bool Backward(ConstTensor x, ConstTensor dy, const float* gamma, const float* saved_mean,
                       const float* saved_invstd, double eps, Tensor dx, bool accumulate,
                       float* dgamma, float* dbeta);
};

}  // namespace rb::kernels::cudnn
