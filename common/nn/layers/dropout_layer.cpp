#include "common/nn/layers/dropout_layer.hpp"

#include "common/nn/hash.hpp"
#include "common/nn/layer_options.hpp"
#include "roadbrew/kernels/elementwise.hpp"
#include "roadbrew/kernels/elementwise_ops.hpp"

namespace rb::nn {

void DropoutLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 1, 1, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  ratio_ = options.Get<float>("ratio", ratio_);
  options.Finish();
  if (ratio_ < 0 || ratio_ >= 1) Fail(fmt::format("dropout ratio {} is outside [0, 1)", ratio_));
  name_hash_ = NameHash(name(), 7);
}

void DropoutLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  top[0]->SetShape(bottom[0]->shape());
}

uint64_t DropoutLayer::Stream(const RunState& state) const {
  return name_hash_ ^ (state.iteration * 0x9E3779B97F4A7C15ull);
}

int64_t DropoutLayer::FirstElement(const Blob& bottom, const RunState& state) {
  return state.sample_offset * (bottom.count() / bottom.shape().n);
}

bool DropoutLayer::Dropping(const RunState& state) const {
  return state.phase == Phase::kTrain && ratio_ != 0;
}

void DropoutLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState& state) {
  if (!Dropping(state)) {
    if (bottom[0] != top[0]) kernels::cpu::Copy(bottom[0]->data(), top[0]->mutable_data(), false);
    return;
  }
  mask_.resize(static_cast<size_t>(bottom[0]->count()));
  kernels::cpu::DropoutMask(bottom[0]->count(), ratio_, state.seed, Stream(state), mask_.data(),
                            FirstElement(*bottom[0], state));
  kernels::cpu::DropoutForward(bottom[0]->data(), top[0]->mutable_data(), mask_.data(),
                               kernels::ops::DropoutScale(ratio_));
}

void DropoutLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                            const RunState& state) {
  if (!flags.propagate[0]) return;
  if (!Dropping(state)) {
    if (bottom[0] != top[0]) {
      kernels::cpu::Copy(top[0]->diff(), bottom[0]->mutable_diff(), flags.accumulate[0]);
    }
    return;
  }
  kernels::cpu::DropoutBackward(top[0]->diff(), bottom[0]->mutable_diff(), mask_.data(),
                                kernels::ops::DropoutScale(ratio_), flags.accumulate[0]);
}

void DropoutLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState& state) {
  if (!Dropping(state)) {
    if (bottom[0] != top[0]) {
      kernels::cuda::Copy(bottom[0]->gpu_data(), top[0]->gpu_mutable_data(), false);
    }
    return;
  }
  int64_t count = bottom[0]->count();
  device_mask_.Reserve(static_cast<size_t>(count));
  kernels::cuda::DropoutMask(count, ratio_, state.seed, Stream(state), device_mask_.as<uint8_t>(),
                             FirstElement(*bottom[0], state));
  kernels::cuda::DropoutForward(bottom[0]->gpu_data(), top[0]->gpu_mutable_data(),
                                device_mask_.as<uint8_t>(), kernels::ops::DropoutScale(ratio_));
}

void DropoutLayer::BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                               const RunState& state) {
  if (!flags.propagate[0]) return;
  if (!Dropping(state)) {
    if (bottom[0] != top[0]) {
      kernels::cuda::Copy(top[0]->gpu_diff(), bottom[0]->gpu_mutable_diff(), flags.accumulate[0]);
    }
    return;
  }
  kernels::cuda::DropoutBackward(top[0]->gpu_diff(), bottom[0]->gpu_mutable_diff(),
                                 device_mask_.as<uint8_t>(), kernels::ops::DropoutScale(ratio_),
                                 flags.accumulate[0]);
}

}  // namespace rb::nn
