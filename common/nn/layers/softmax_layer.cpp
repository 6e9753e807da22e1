#include "common/nn/layers/softmax_layer.hpp"

#include "common/nn/layer_options.hpp"
#include "roadbrew/kernels/cudnn.hpp"
#include "roadbrew/kernels/softmax_loss.hpp"

namespace rb::nn {

void SoftmaxLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 1, 1, 1, 1);
  OptionsReader(spec_).Finish();
}

void SoftmaxLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  top[0]->SetShape(bottom[0]->shape());
}

void SoftmaxLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::cpu::SoftmaxForward(bottom[0]->data(), top[0]->mutable_data());
}

void SoftmaxLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                            const RunState&) {
  if (!flags.propagate[0]) return;
  kernels::cpu::SoftmaxBackward(top[0]->data(), top[0]->diff(), bottom[0]->mutable_diff(),
                                flags.accumulate[0]);
}

void SoftmaxLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::cudnn::SoftmaxForward(bottom[0]->gpu_data(), top[0]->gpu_mutable_data());
}

void SoftmaxLayer::BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                               const RunState&) {
  if (!flags.propagate[0]) return;
  kernels::cudnn::SoftmaxBackward(top[0]->gpu_data(), top[0]->gpu_diff(),
                                  bottom[0]->gpu_mutable_diff(), flags.accumulate[0]);
}

}  // namespace rb::nn
