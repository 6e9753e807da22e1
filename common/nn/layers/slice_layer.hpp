// Slice along channels into several tops: {"slice_point": [c1, c2, ...]} gives the ranges
// [0, c1), [c1, c2), ..., [last, C); negative points count from the end. The tops are views of the
// bottom: nothing is copied, and their gradients land in the bottom's gradient directly.
#pragma once

#include <vector>

#include "common/nn/layer.hpp"

namespace rb::nn {

class SliceLayer : public Layer {
 public:
  using Layer::Layer;
  void SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) override;
  void Reshape(const Blobs& bottom, const Blobs& top) override;
  void Forward(const Blobs&, const Blobs&, const RunState&) override {}
  void Backward(const Blobs&, const Blobs&, const BackwardFlags&, const RunState&) override {}

  // Channel offset of top i in the bottom.
  int offset(size_t i) const { return i == 0 ? 0 : resolved_[i - 1]; }

 private:
  std::vector<int> points_;
  std::vector<int> resolved_;  // points for the current bottom shape
};

}  // namespace rb::nn
