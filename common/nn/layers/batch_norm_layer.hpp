// BatchNorm with optional affine (gamma, beta). Options: eps (1e-5), momentum of the running
// averages (0.1: running = 0.9 running + 0.1 batch), affine (true), use_batch_stats: "train"
// (batch statistics when training, running ones when testing: the usual), "always" (the
// Tiramisu paper: batch statistics at test time too) or "never". Parameters: gamma, beta, then
// running mean and running variance (kept by the solver's lr_mult 0). Absorbs a following
// in-place ReLU (slope 0) and then outputs max(0, normalised).
//
// On the CUDA backend a dense, unfused layer trains and infers with cuDNN's batch norm; fused
// layers and channel-slice inputs (every BatchNorm of a dense block) run the shared kernels,
// as does the recomputation of memory-efficient blocks (with the statistics either one saved).
#pragma once

#include <vector>

#include "common/nn/layer.hpp"

namespace rb::nn {

class BatchNormLayer : public Layer {
 public:
  using Layer::Layer;
  void SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) override;
  void Reshape(const Blobs& bottom, const Blobs& top) override;
  void Forward(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                const RunState& state) override;
  void ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                   const RunState& state) override;
  bool WritesSliceTop() const override { return true; }
  bool AbsorbInPlace(const Layer& next) override;
  bool IsLearnable(size_t param_index) const override {
    return static_cast<int>(param_index) < running_mean_index();
  }

  // Indices of the running statistics among params().
  int running_mean_index() const { return affine_ ? 2 : 0; }

 private:
  bool UsesBatchStats(Phase phase) const;

  float eps_ = 1e-5f;
  float momentum_ = 0.1f;
  bool affine_ = true;
  std::string use_batch_stats_ = "train";
  std::vector<float> saved_mean_, saved_invstd_, batch_variance_;
  Blob device_mean_, device_invstd_;  // the saved statistics on the CUDA backend
  bool cudnn_usable_ = true;          // until cuDNN declines the layout
  bool cudnn_forward_ = false;        // the last forward pass ran cuDNN's batch norm
  bool last_batch_stats_ = true;
  bool relu_ = false;  // a fused ReLU
};

}  // namespace rb::nn
