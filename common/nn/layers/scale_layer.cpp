#include "common/nn/layers/scale_layer.hpp"

#include "common/nn/filler.hpp"
#include "common/nn/hash.hpp"
#include "common/nn/layer_options.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

void ScaleLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) {
  ExpectBlobs(bottom, top, 1, 1, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  bias_term_ = options.Get<bool>("bias_term", true);
  FillerSpec filler = FillerSpec::Constant(1), bias_filler = FillerSpec::Constant(0);
  if (options.Has("filler")) {
    io::ConfigReader r = options.Object("filler");
    filler = FillerSpec::Read(r);
  }
  if (options.Has("bias_filler")) {
    io::ConfigReader r = options.Object("bias_filler");
    bias_filler = FillerSpec::Read(r);
  }
  options.Finish();
  RandomStream random(context.seed, NameHash(name(), 1));
  int channels = bottom[0]->shape().c;
  for (int i = 0; i < (bias_term_ ? 2 : 1); ++i) {
    params_.push_back(std::make_shared<Blob>(name() + (i == 0 ? "/scale" : "/bias")));
    params_[i]->SetShape({channels, 1, 1, 1});
    params_[i]->Allocate();
    Fill(i == 0 ? filler : bias_filler, *params_[i], random);
  }
}

void ScaleLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  top[0]->SetShape(bottom[0]->shape());
}

void ScaleLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::cpu::ScaleBiasForward(bottom[0]->data(), top[0]->mutable_data(), params_[0]->flat_data(),
                                 bias_term_ ? params_[1]->flat_data() : nullptr);
}

void ScaleLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                          const RunState&) {
  kernels::cpu::ScaleBiasBackward(
      bottom[0]->data(), top[0]->diff(), params_[0]->flat_data(),
      flags.propagate[0] ? bottom[0]->mutable_diff() : kernels::Tensor{}, flags.accumulate[0],
      params_[0]->mutable_flat_diff(), bias_term_ ? params_[1]->mutable_flat_diff() : nullptr);
}

void ScaleLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::cuda::ScaleBiasForward(bottom[0]->gpu_data(), top[0]->gpu_mutable_data(),
                                  params_[0]->device_data(),
                                  bias_term_ ? params_[1]->device_data() : nullptr);
}

void ScaleLayer::BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                             const RunState&) {
  kernels::cuda::ScaleBiasBackward(
      bottom[0]->gpu_data(), top[0]->gpu_diff(), params_[0]->device_data(),
      flags.propagate[0] ? bottom[0]->gpu_mutable_diff() : kernels::Tensor{}, flags.accumulate[0],
      params_[0]->mutable_device_diff(), bias_term_ ? params_[1]->mutable_device_diff() : nullptr);
}

}  // namespace rb::nn
