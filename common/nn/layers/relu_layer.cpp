#include "common/nn/layers/relu_layer.hpp"

#include "common/nn/layer_options.hpp"
#include "roadbrew/kernels/cudnn.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

void ReluLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 1, 1, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  slope_ = options.Get<float>("negative_slope", 0.0f);
  options.Finish();
}

float ReluLayer::ConfiguredSlope() const { return spec_.options.value("negative_slope", 0.0f); }

void ReluLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  top[0]->SetShape(bottom[0]->shape());
}

void ReluLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::cpu::ReluForward(bottom[0]->data(), top[0]->mutable_data(), slope_);
}

void ReluLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                         const RunState&) {
  if (!flags.propagate[0]) return;
  // The output decides the gradient (y > 0 exactly where x > 0), so in place works.
  kernels::cpu::ReluBackward(top[0]->data(), top[0]->diff(), bottom[0]->mutable_diff(), slope_,
                             flags.accumulate[0]);
}

// cuDNN's activation for the plain ReLU; the leaky one has no cuDNN mode and runs the shared
// kernel.
void ReluLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::ConstTensor x = bottom[0]->gpu_data();
  kernels::Tensor y = top[0]->gpu_mutable_data();
  if (slope_ == 0.0f) {
    kernels::cudnn::ReluForward(x, y);
  } else {
    kernels::cuda::ReluForward(x, y, slope_);
  }
}

void ReluLayer::BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                            const RunState&) {
  if (!flags.propagate[0]) return;
  kernels::ConstTensor y = top[0]->gpu_data();
  kernels::ConstTensor dy = top[0]->gpu_diff();
  kernels::Tensor dx = bottom[0]->gpu_mutable_diff();
  if (slope_ == 0.0f) {
    kernels::cudnn::ReluBackward(y, dy, dx, flags.accumulate[0]);
  } else {
    kernels::cuda::ReluBackward(y, dy, dx, slope_, flags.accumulate[0]);
  }
}

}  // namespace rb::nn
