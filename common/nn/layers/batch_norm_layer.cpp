#include "common/nn/layers/batch_norm_layer.hpp"

#include <cmath>

#include "common/nn/layer_options.hpp"
#include "common/nn/layers/relu_layer.hpp"
#include "roadbrew/kernels/batch_norm.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/cudnn.hpp"

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
  for (Blob* saved : {&device_mean_, &device_invstd_}) {
    saved->SetShape({static_cast<int>(channels), 1, 1, 1});
    saved->Allocate();
  }
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

void BatchNormLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState& state) {
  kernels::ConstTensor x = bottom[0]->gpu_data();
  kernels::Tensor y = top[0]->gpu_mutable_data();
  const float* gamma = affine_ ? params_[0]->device_data() : nullptr;
  const float* beta = affine_ ? params_[1]->device_data() : nullptr;
  float* mean = device_mean_.mutable_device_data();
  float* invstd = device_invstd_.mutable_device_data();
  if (state.recomputing) {
    kernels::cuda::BatchNormForwardGlobalStats(x, y, gamma, beta, mean, invstd, nullptr, eps_,
                                               relu_);
    return;
  }
  Blob& running_mean = *params_[running_mean_index()];
  Blob& running_var = *params_[running_mean_index() + 1];
  bool train = state.phase == Phase::kTrain;
  bool cudnn =
      cudnn_usable_ && affine_ && !relu_ && kernels::cudnn::BatchNorm::Supports(x, y, eps_);
  last_batch_stats_ = UsesBatchStats(state.phase);
  cudnn_forward_ = false;
  if (last_batch_stats_) {
    float* rm = train ? running_mean.mutable_device_data() : nullptr;
    float* rv = train ? running_var.mutable_device_data() : nullptr;
    if (cudnn && train) {
      cudnn_forward_ = kernels::cudnn::BatchNorm::ForwardTraining(x, y, gamma, beta, momentum_, rm,
                                                                  rv, eps_, mean, invstd);
      cudnn_usable_ = cudnn_forward_;
      if (cudnn_forward_) return;
    }
    kernels::cuda::BatchNormForwardBatchStats(x, y, gamma, beta, eps_, mean, invstd, rm, rv,
                                              momentum_, relu_);
    return;
  }
  if (cudnn && !train) {  // inference: no backward pass needs saved statistics
    cudnn_usable_ = kernels::cudnn::BatchNorm::ForwardInference(
        x, y, gamma, beta, running_mean.device_data(), running_var.device_data(), eps_);
    if (cudnn_usable_) return;
  }
  kernels::cuda::CopyDeviceToDevice(mean, running_mean.device_data(),
                                    sizeof(float) * running_mean.count());
  kernels::cuda::BatchNormForwardGlobalStats(x, y, gamma, beta, mean, invstd,
                                             running_var.device_data(), eps_, relu_);
}

void BatchNormLayer::BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                                 const RunState&) {
  kernels::ConstTensor x = bottom[0]->gpu_data();
  kernels::ConstTensor dy = top[0]->gpu_diff();
  const float* gamma = affine_ ? params_[0]->device_data() : nullptr;
  float* dgamma = affine_ ? params_[0]->mutable_device_diff() : nullptr;
  float* dbeta = affine_ ? params_[1]->mutable_device_diff() : nullptr;
  const float* mean = device_mean_.device_data();
  const float* invstd = device_invstd_.device_data();
  kernels::Tensor dx = flags.propagate[0] ? bottom[0]->gpu_mutable_diff() : kernels::Tensor{};
  if (cudnn_forward_ && dx.data != nullptr &&
      kernels::cudnn::BatchNorm::Backward(x, dy, gamma, mean, invstd, eps_, dx, flags.accumulate[0],
                                          dgamma, dbeta)) {
    return;
  }
  kernels::ConstTensor relu_output = relu_ ? top[0]->gpu_data() : kernels::ConstTensor{};
  kernels::cuda::BatchNormBackward(x, dy, relu_output, gamma, mean, invstd, last_batch_stats_, dx,
                                   flags.accumulate[0], dgamma, dbeta);
}

}  // namespace rb::nn
