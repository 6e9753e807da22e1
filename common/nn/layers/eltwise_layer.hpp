// Eltwise: {"operation": "sum" | "prod" | "max", "coeff": [...] (sum only)} over bottoms of one
// shape.
#pragma once

#include <vector>

#include "common/nn/layer.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

class EltwiseLayer : public Layer {
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
  std::vector<kernels::ConstTensor> Inputs(const Blobs& bottom) const;
  kernels::cpu::EltwiseOp op_ = kernels::cpu::EltwiseOp::kSum;
  std::vector<float> coefficients_;
};

}  // namespace rb::nn
