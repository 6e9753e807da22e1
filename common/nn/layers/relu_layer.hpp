// ReLU (leaky with negative_slope). In place allowed. On the CUDA backend the plain ReLU is
// cuDNN's activation and the leaky one the shared kernel (the CPU path's element function).
#pragma once

#include "common/nn/layer.hpp"

namespace rb::nn {

class ReluLayer : public Layer {
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
  bool AllowsInPlace() const override { return true; }
  // The slope from the options (readable before SetUp, for fusion).
  float ConfiguredSlope() const;

 private:
  float slope_ = 0.0f;
};

}  // namespace rb::nn
