// The CUDA path of the loss layers: softmax by cuDNN, the losses and their gradients by the
// shared kernels (kernels/shared/losses.hpp); the sums come back to the host for the loss value.
#include "common/nn/layers/loss_layers.hpp"
#include "roadbrew/kernels/cudnn.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

const float* SoftmaxWithLossLayer::DeviceClassWeights() {
  if (class_weights_.empty()) return nullptr;
  if (!device_class_weights_.allocated()) {
    device_class_weights_.SetShape({static_cast<int>(class_weights_.size()), 1, 1, 1});
    device_class_weights_.Allocate();
    std::copy(class_weights_.begin(), class_weights_.end(),
              device_class_weights_.mutable_flat_data());
  }
  return device_class_weights_.device_data();
}

void SoftmaxWithLossLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::cudnn::SoftmaxForward(bottom[0]->gpu_data(), probabilities_.gpu_mutable_data());
  kernels::cpu::LossSums sums = kernels::cuda::SoftmaxCrossEntropy(
      probabilities_.gpu_data(), bottom[1]->gpu_data(), DeviceClassWeights(), ignore_label_);
  normaliser_ = Normaliser(*bottom[0], sums);
  top[0]->mutable_flat_data()[0] = static_cast<float>(sums.loss / normaliser_);
  if (top.size() > 1) {
    kernels::cuda::Copy(probabilities_.gpu_data(), top[1]->gpu_mutable_data(), false);
  }
}

void SoftmaxWithLossLayer::BackwardGpu(const Blobs& top, const Blobs& bottom,
                                       const BackwardFlags& flags, const RunState&) {
  if (!flags.propagate[0]) return;
  float scale = static_cast<float>(top[0]->flat_diff()[0] / normaliser_);
  kernels::cuda::SoftmaxCrossEntropyBackward(probabilities_.gpu_data(), bottom[1]->gpu_data(),
                                             DeviceClassWeights(), ignore_label_, scale,
                                             bottom[0]->gpu_mutable_diff(), flags.accumulate[0]);
}

void SigmoidCrossEntropyLossLayer::ForwardGpu(const Blobs& bottom, const Blobs& top,
                                              const RunState&) {
  kernels::cpu::LossSums sums = kernels::cuda::SigmoidCrossEntropy(
      bottom[0]->gpu_data(), bottom[1]->gpu_data(), ignore_label_);
  normaliser_ = Normaliser(*bottom[0], sums);
  top[0]->mutable_flat_data()[0] = static_cast<float>(sums.loss / normaliser_);
}

void SigmoidCrossEntropyLossLayer::BackwardGpu(const Blobs& top, const Blobs& bottom,
                                               const BackwardFlags& flags, const RunState&) {
  if (!flags.propagate[0]) return;
  float scale = static_cast<float>(top[0]->flat_diff()[0] / normaliser_);
  kernels::cuda::SigmoidCrossEntropyBackward(bottom[0]->gpu_data(), bottom[1]->gpu_data(),
                                             ignore_label_, scale, bottom[0]->gpu_mutable_diff(),
                                             flags.accumulate[0]);
}

void JaccardLossLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  sums_ = kernels::cuda::SoftJaccard(bottom[0]->gpu_data(), bottom[1]->gpu_data(), class_,
                                     ignore_label_);
  top[0]->mutable_flat_data()[0] = static_cast<float>(sums_.Loss(smooth_));
}

void JaccardLossLayer::BackwardGpu(const Blobs& top, const Blobs& bottom,
                                   const BackwardFlags& flags, const RunState&) {
  if (!flags.propagate[0]) return;
  kernels::cuda::SoftJaccardBackward(bottom[0]->gpu_data(), bottom[1]->gpu_data(), class_,
                                     ignore_label_, sums_, smooth_, top[0]->flat_diff()[0],
                                     bottom[0]->gpu_mutable_diff(), flags.accumulate[0]);
}

}  // namespace rb::nn
