#include "common/nn/layers/relu_layer.hpp"

#include "common/nn/layer_options.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

void ReluLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) {
  ExpectBlobs(bottom, top, 1, 1, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  slope_ = options.Get<float>("negative_slope", 0.0f);
  options.Finish();
  cuda_ = context.backend == Backend::kCuda;
}

float ReluLayer::ConfiguredSlope() const { return spec_.options.value("negative_slope", 0.0f); }

void ReluLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  top[0]->SetShape(bottom[0]->shape());
}

void ReluLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  if (cuda_ && bottom[0]->dense() && top[0]->dense()) {
    kernels::cuda::ReluForward(bottom[0]->device_data(), top[0]->mutable_device_data(),
                               bottom[0]->count(), slope_);
    return;
  }
  kernels::cpu::ReluForward(bottom[0]->data(), top[0]->mutable_data(), slope_);
}

void ReluLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                         const RunState&) {
  if (!flags.propagate[0]) return;
  // The output decides the gradient (y > 0 exactly where x > 0), so in place works.
  if (cuda_ && bottom[0]->dense() && top[0]->dense()) {
    kernels::cuda::ReluBackward(top[0]->device_data(), top[0]->mutable_device_diff(),
                                bottom[0]->mutable_device_diff(), bottom[0]->count(), slope_,
                                flags.accumulate[0]);
    return;
  }
  kernels::cpu::ReluBackward(top[0]->data(), top[0]->diff(), bottom[0]->mutable_diff(), slope_,
                             flags.accumulate[0]);
}

}  // namespace rb::nn
