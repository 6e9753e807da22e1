#include "common/nn/layers/batch_norm_layer.hpp"

#include <cmath>

#include "common/nn/layer_options.hpp"
#include "common/nn/layers/relu_layer.hpp"
#include "roadbrew/kernels/batch_norm.hpp"

namespace rb::nn {

void BatchNormLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 1, 1, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  eps_ = options.Get<float>("eps", eps_);
  momentum_ = options.Get<float>("momentum", momentum_);
  affine_ = options.Get<bool>("affine", affine_);
  use_batch_stats_ = options.Get<std::string>("use_batch_stats", use_batch_stats_);
  options.Finish();
  if (use_batch_stats_ != "train" && use_batch_stats_ != "always" && use_batch_stats_ != "never") {
    Fail("use_batch_stats must be train, always or never");
  }
  if (!(eps_ > 0) || momentum_ < 0 || momentum_ > 1) Fail("need eps > 0 and 0 <= momentum <= 1");
  int channels = bottom[0]->shape().c;
  auto add = [&](const char* suffix, float value) {
    auto blob = std::make_shared<Blob>(name() + "/" + suffix);
    blob->SetShape({channels, 1, 1, 1});
    blob->Allocate();
    std::fill(blob->mutable_flat_data(), blob->mutable_flat_data() + channels, value);
    params_.push_back(blob);
  };
  if (affine_) {
    add("gamma", 1.0f);
    add("beta", 0.0f);
  }
  add("running_mean", 0.0f);
  add("running_var", 1.0f);
}

void BatchNormLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  top[0]->SetShape(bottom[0]->shape());
  size_t channels = static_cast<size_t>(bottom[0]->shape().c);
  saved_mean_.resize(channels);
  saved_invstd_.resize(channels);
  batch_variance_.resize(channels);
}

bool BatchNormLayer::UsesBatchStats(Phase phase) const {
  if (use_batch_stats_ == "always") return true;
  if (use_batch_stats_ == "never") return false;
  return phase == Phase::kTrain;
}

bool BatchNormLayer::AbsorbInPlace(const Layer& next) {
  const auto* relu = dynamic_cast<const ReluLayer*>(&next);
  if (relu == nullptr || relu->ConfiguredSlope() != 0.0f) return false;
  relu_ = true;
  return true;
}

void BatchNormLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState& state) {
  const float* gamma = affine_ ? params_[0]->flat_data() : nullptr;
  const float* beta = affine_ ? params_[1]->flat_data() : nullptr;
  if (state.recomputing) {
    // The same batch again (memory-efficient backward): the saved statistics are its own.
    kernels::cpu::BatchNormForwardGlobalStats(bottom[0]->data(), top[0]->mutable_data(), gamma,
                                              beta, saved_mean_.data(), saved_invstd_.data(),
                                              relu_);
    return;
  }
  Blob& running_mean = *params_[running_mean_index()];
  Blob& running_var = *params_[running_mean_index() + 1];
  last_batch_stats_ = UsesBatchStats(state.phase);
  if (last_batch_stats_) {
    kernels::cpu::BatchNormForwardBatchStats(bottom[0]->data(), top[0]->mutable_data(), gamma, beta,
                                             eps_, saved_mean_.data(), saved_invstd_.data(),
                                             batch_variance_.data(), relu_);
    if (state.phase == Phase::kTrain) {
      float* mean = running_mean.mutable_flat_data();
      float* var = running_var.mutable_flat_data();
      for (size_t c = 0; c < saved_mean_.size(); ++c) {
        mean[c] = (1 - momentum_) * mean[c] + momentum_ * saved_mean_[c];
        var[c] = (1 - momentum_) * var[c] + momentum_ * batch_variance_[c];
      }
    }
  } else {
    const float* mean = running_mean.flat_data();
    const float* var = running_var.flat_data();
    for (size_t c = 0; c < saved_mean_.size(); ++c) {
      saved_mean_[c] = mean[c];
      saved_invstd_[c] = 1.0f / std::sqrt(var[c] + eps_);
    }
    kernels::cpu::BatchNormForwardGlobalStats(bottom[0]->data(), top[0]->mutable_data(), gamma,
                                              beta, saved_mean_.data(), saved_invstd_.data(),
                                              relu_);
  }
}

void BatchNormLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                              const RunState&) {
  const float* gamma = affine_ ? params_[0]->flat_data() : nullptr;
  float* dgamma = affine_ ? params_[0]->mutable_flat_diff() : nullptr;
  float* dbeta = affine_ ? params_[1]->mutable_flat_diff() : nullptr;
  kernels::Tensor dx = flags.propagate[0] ? bottom[0]->mutable_diff() : kernels::Tensor{};
  kernels::ConstTensor relu_output = relu_ ? top[0]->data() : kernels::ConstTensor{};
  kernels::cpu::BatchNormBackward(bottom[0]->data(), top[0]->diff(), relu_output, gamma,
                                  saved_mean_.data(), saved_invstd_.data(), last_batch_stats_, dx,
                                  flags.accumulate[0], dgamma, dbeta);
}

}  // namespace rb::nn
