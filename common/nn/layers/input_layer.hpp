// Input: blobs the caller fills (images, labels). {"shape": [[N, C, H, W], ...]}, one per top.
#pragma once

#include "common/nn/layer.hpp"

namespace rb::nn {

class InputLayer : public Layer {
 public:
  using Layer::Layer;
  void SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) override;
  void Reshape(const Blobs& bottom, const Blobs& top) override;
  void Forward(const Blobs&, const Blobs&, const RunState&) override {}
  void Backward(const Blobs&, const Blobs&, const BackwardFlags&, const RunState&) override {}
};

}  // namespace rb::nn
