// IoU metric: per-class intersection over union of argmax(bottom 0) against the labels in
// bottom 1, for this batch, in top 0 (1, C, 1, 1). Counters() returns the batch's true
// positives, false positives and false negatives per class (3 C values), so trainers can add
// them up over a whole validation set (the Tiramisu's dataset-level mean IoU). No gradient.
#pragma once

#include <vector>

#include "common/nn/layer.hpp"

namespace rb::nn {

class IouLayer : public Layer {
 public:
  using Layer::Layer;
  void SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) override;
  void Reshape(const Blobs& bottom, const Blobs& top) override;
  void Forward(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void Backward(const Blobs&, const Blobs&, const BackwardFlags&, const RunState&) override {}
  void ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void BackwardGpu(const Blobs&, const Blobs&, const BackwardFlags&, const RunState&) override {}
  bool PropagatesTo(size_t) const override { return false; }
  std::vector<int64_t> Counters() const override { return counters_; }

 private:
  void Publish(const Blobs& top);  // IoU per class from the counters into top 0

  int ignore_label_ = -1;
  std::vector<int64_t> counters_;
};

}  // namespace rb::nn
