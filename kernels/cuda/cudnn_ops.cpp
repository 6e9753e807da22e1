// cuDNN softmax, ReLU activation, average pooling and batch norm on NHWC views.
#include "common/core/check.hpp"
#include "kernels/cuda/cudnn_descriptors.hpp"
#include "roadbrew/kernels/cudnn.hpp"

namespace rb::kernels::cudnn {
namespace {

using cuda::TensorDescriptor;

const float kOne = 1.0f, kZero = 0.0f;
const float* Beta(bool accumulate) { return accumulate ? &kOne : &kZero; }

class ActivationDescriptor {
 public:
  ActivationDescriptor() {
    RB_CUDNN_CHECK(cudnnCreateActivationDescriptor(&desc_));
    // NaN propagates, as max(x, 0) written x > 0 ? x : 0 * x does on the CPU.
    RB_CUDNN_CHECK(
        cudnnSetActivationDescriptor(desc_, CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN, 0.0));
  }
  ~ActivationDescriptor() { cudnnDestroyActivationDescriptor(desc_); }
  cudnnActivationDescriptor_t get() const { return desc_; }

 private:
  cudnnActivationDescriptor_t desc_ = nullptr;
};

}  // namespace

void SoftmaxForward(ConstTensor x, Tensor y) {
  TensorDescriptor xd, yd;
  xd.Set(x);
  yd.Set(y);
  RB_CUDNN_CHECK(cudnnSoftmaxForward(cuda::CudnnHandle(), CUDNN_SOFTMAX_ACCURATE,
                                     CUDNN_SOFTMAX_MODE_CHANNEL, &kOne, xd.get(), x.data, &kZero,
                                     yd.get(), y.data));
}

void SoftmaxBackward(ConstTensor y, ConstTensor dy, Tensor dx, bool accumulate) {
  TensorDescriptor yd, dyd, dxd;
  yd.Set(y);
  dyd.Set(dy);
  dxd.Set(dx);
  RB_CUDNN_CHECK(cudnnSoftmaxBackward(cuda::CudnnHandle(), CUDNN_SOFTMAX_ACCURATE,
                                      CUDNN_SOFTMAX_MODE_CHANNEL, &kOne, yd.get(), y.data,
                                      dyd.get(), dy.data, Beta(accumulate), dxd.get(), dx.data));
}

void ReluForward(ConstTensor x, Tensor y) {
  ActivationDescriptor activation;
  TensorDescriptor xd, yd;
  xd.Set(x);
  yd.Set(y);
  RB_CUDNN_CHECK(cudnnActivationForward(cuda::CudnnHandle(), activation.get(), &kOne, xd.get(),
                                        x.data, &kZero, yd.get(), y.data));
}

// The output stands in for the input: y > 0 exactly where x > 0, so in-place layers work.
void ReluBackward(ConstTensor y, ConstTensor dy, Tensor dx, bool accumulate) {
  ActivationDescriptor activation;
  TensorDescriptor yd, dyd, dxd;
  yd.Set(y);
  dyd.Set(dy);
  dxd.Set(dx);
  RB_CUDNN_CHECK(cudnnActivationBackward(cuda::CudnnHandle(), activation.get(), &kOne, yd.get(),
                                         y.data, dyd.get(), dy.data, yd.get(), y.data,
                                         Beta(accumulate), dxd.get(), dx.data));
}

struct AveragePooling::Impl {
  PoolGeometry g;
  cudnnPoolingDescriptor_t desc = nullptr;
  ~Impl() {
    if (desc) cudnnDestroyPoolingDescriptor(desc);
  }
};

bool AveragePooling::Supports(const PoolGeometry& g) {
  auto floor_rule = [](int in, int kernel, int stride, int pad) {
    return (in + 2 * pad - kernel) / stride + 1;
  };
  return g.pad_top == g.pad_bottom && g.pad_left == g.pad_right && g.pad_top < g.kernel_h &&
         g.pad_left < g.kernel_w &&
         g.out_h == floor_rule(g.in_h, g.kernel_h, g.stride_h, g.pad_top) &&
         g.out_w == floor_rule(g.in_w, g.kernel_w, g.stride_w, g.pad_left);
}

AveragePooling::AveragePooling(const PoolGeometry& g) : impl_(std::make_unique<Impl>()) {
  RB_CHECK(Supports(g));
  impl_->g = g;
  RB_CUDNN_CHECK(cudnnCreatePoolingDescriptor(&impl_->desc));
  RB_CUDNN_CHECK(cudnnSetPooling2dDescriptor(
      impl_->desc, CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, CUDNN_PROPAGATE_NAN, g.kernel_h,
      g.kernel_w, g.pad_top, g.pad_left, g.stride_h, g.stride_w));
}

AveragePooling::~AveragePooling() = default;

void AveragePooling::Forward(ConstTensor x, Tensor y) {
  TensorDescriptor xd, yd;
  xd.Set(x);
  yd.Set(y);
  RB_CUDNN_CHECK(cudnnPoolingForward(cuda::CudnnHandle(), impl_->desc, &kOne, xd.get(), x.data,
                                     &kZero, yd.get(), y.data));
}

void AveragePooling::Backward(ConstTensor x, ConstTensor y, ConstTensor dy, Tensor dx,
                              bool accumulate) {
  TensorDescriptor xd, yd, dyd, dxd;
  xd.Set(x);
  yd.Set(y);
  dyd.Set(dy);
  dxd.Set(dx);
  RB_CUDNN_CHECK(cudnnPoolingBackward(cuda::CudnnHandle(), impl_->desc, &kOne, yd.get(), y.data,
                                      dyd.get(), dy.data, xd.get(), x.data, Beta(accumulate),
                                      dxd.get(), dx.data));
}

namespace {

// Descriptors of one batch-norm call: x, y (or dy/dx, same shape) and the per-channel one.
struct BnDescriptors {
  TensorDescriptor x, y, channels;
  BnDescriptors(ConstTensor in, ConstTensor out) {
    x.Set(in);
    y.Set(out);
    RB_CUDNN_CHECK(cudnnDeriveBNTensorDescriptor(channels.get(), x.get(), CUDNN_BATCHNORM_SPATIAL));
  }
};

}  // namespace

bool BatchNorm::Supports(ConstTensor x, ConstTensor y, double eps) {
  return x.dense() && y.dense() && eps >= CUDNN_BN_MIN_EPSILON;
}

namespace {

// False when cuDNN declines the layout (the caller then runs the shared kernels).
bool Accepted(const char* call, cudnnStatus_t status) {
  if (status == CUDNN_STATUS_NOT_SUPPORTED) return false;
  if (status != CUDNN_STATUS_SUCCESS) cuda::ThrowCudnnError(call, status);
  return true;
}

}  // namespace

bool BatchNorm::ForwardTraining(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                double momentum, float* running_mean, float* running_var,
                                double eps, float* saved_mean, float* saved_invstd) {
  BnDescriptors d(x, y);
  return Accepted("cudnnBatchNormalizationForwardTraining",
                  cudnnBatchNormalizationForwardTraining(
                      cuda::CudnnHandle(), CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, d.x.get(),
                      x.data, d.y.get(), y.data, d.channels.get(), gamma, beta, momentum,
                      running_mean, running_var, eps, saved_mean, saved_invstd));
}

bool BatchNorm::ForwardInference(ConstTensor x, Tensor y, const float* gamma, const float* beta,
                                 const float* mean, const float* variance, double eps) {
  BnDescriptors d(x, y);
  return Accepted(
      "cudnnBatchNormalizationForwardInference",
      cudnnBatchNormalizationForwardInference(cuda::CudnnHandle(), CUDNN_BATCHNORM_SPATIAL, &kOne,
                                              &kZero, d.x.get(), x.data, d.y.get(), y.data,
                                              d.channels.get(), gamma, beta, mean, variance, eps));
}

bool BatchNorm::Backward(ConstTensor x, ConstTensor dy, const float* gamma, const float* saved_mean,
                         const float* saved_invstd, double eps, Tensor dx, bool accumulate,
                         float* dgamma, float* dbeta) {
  BnDescriptors d(x, dy);
  TensorDescriptor dxd;
  dxd.Set(dx);
  return Accepted("cudnnBatchNormalizationBackward",
                  cudnnBatchNormalizationBackward(
                      cuda::CudnnHandle(), CUDNN_BATCHNORM_SPATIAL, &kOne, Beta(accumulate), &kOne,
                      &kOne, d.x.get(), x.data, d.y.get(), dy.data, dxd.get(), dx.data,
                      d.channels.get(), gamma, dgamma, dbeta, eps, saved_mean, saved_invstd));
}

}  // namespace rb::kernels::cudnn
