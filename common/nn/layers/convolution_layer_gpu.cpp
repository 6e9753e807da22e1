// The CUDA path of Convolution and Deconvolution: cuDNN, with the CPU path's structure (a
// deconvolution's forward pass is its adjoint convolution's backward-data pass, and so on).
#include "common/nn/layers/convolution_layer.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

kernels::cudnn::Convolution& ConvolutionLayer::Cudnn() {
  if (!cudnn_) cudnn_ = std::make_unique<kernels::cudnn::Convolution>(geometry_, precision_);
  return *cudnn_;
}

kernels::ConstTensor ConvolutionLayer::DenseInputGpu(Blob& bottom) {
  if (bottom.dense()) return bottom.gpu_data();
  gathered_.SetShape(bottom.shape());
  gathered_.Allocate();
  kernels::cuda::Copy(bottom.gpu_data(), gathered_.gpu_mutable_data(), false);
  return gathered_.gpu_data();
}

void ConvolutionLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::ConstTensor x = DenseInputGpu(*bottom[0]);
  kernels::Tensor y = top[0]->gpu_mutable_data();
  const float* w = params_[0]->device_data();
  const float* b = bias_term_ ? params_[1]->device_data() : nullptr;
  if (!transposed_) {
    Cudnn().Forward(x, w, b, y);
    return;
  }
  Cudnn().BackwardData(x, w, y, false);
  if (b) kernels::cuda::ScaleBiasForward(y, y, nullptr, b);
}

void ConvolutionLayer::BackwardGpu(const Blobs& top, const Blobs& bottom,
                                   const BackwardFlags& flags, const RunState&) {
  kernels::ConstTensor x = DenseInputGpu(*bottom[0]);
  kernels::ConstTensor dy = top[0]->gpu_diff();
  const float* w = params_[0]->device_data();
  float* dw = params_[0]->mutable_device_diff();
  float* db = bias_term_ ? params_[1]->mutable_device_diff() : nullptr;
  if (!transposed_) {
    Cudnn().BackwardWeights(x, dy, dw, db);
  } else {
    Cudnn().BackwardWeights(dy, x, dw, nullptr);
    if (db) kernels::cuda::ScaleBiasBackward(dy, dy, nullptr, {}, false, nullptr, db);
  }
  if (!flags.propagate[0]) return;
  bool slice = !bottom[0]->dense();
  if (slice) {
    gathered_.SetShape(bottom[0]->shape());
    gathered_.Allocate();
  }
  kernels::Tensor dx = slice ? gathered_.gpu_mutable_diff() : bottom[0]->gpu_mutable_diff();
  bool add = flags.accumulate[0] && !slice;
  if (!transposed_) {
    Cudnn().BackwardData(dy, w, dx, add);
  } else if (add) {  // cuDNN's forward pass overwrites: through a scratch, then added
    gathered_.SetShape(bottom[0]->shape());
    gathered_.Allocate();
    Cudnn().Forward(dy, w, nullptr, gathered_.gpu_mutable_diff());
    kernels::cuda::Copy(gathered_.gpu_diff(), dx, true);
  } else {
    Cudnn().Forward(dy, w, nullptr, dx);
  }
  if (slice) {
    kernels::cuda::Copy(gathered_.gpu_diff(), bottom[0]->gpu_mutable_diff(), flags.accumulate[0]);
  }
}

}  // namespace rb::nn
