// Scale: per-channel y = gamma * x (+ beta with bias_term). Options: bias_term (true),
// filler (constant 1), bias_filler (constant 0).
#pragma once

#include "common/nn/layer.hpp"

namespace rb::nn {

class ScaleLayer : public Layer {
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

 private:
  bool bias_term_ = true;
};

}  // namespace rb::nn
