// ReLU (leaky with negative_slope). In place allowed. On the CUDA backend it runs the CUDA
// kernel built from the same element function as the CPU path.
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
  bool WritesSliceTop() const override { return true; }
  bool AllowsInPlace() const override { return true; }
  // The slope from the options (readable before SetUp, for fusion).
  float ConfiguredSlope() const;

 private:
  float slope_ = 0.0f;
  bool cuda_ = false;
};

}  // namespace rb::nn
