// Crop: bottom 0 cut to the height and width of bottom 1 (Caffe's reference-blob form), from
// {"offset": [row, column]} (default [0, 0], which keeps the first rows and columns as the
// Tiramisu's transition up does).
#pragma once

#include "common/nn/layer.hpp"

namespace rb::nn {

class CropLayer : public Layer {
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
  bool PropagatesTo(size_t bottom_index) const override { return bottom_index == 0; }

 private:
  std::pair<int, int> offset_{0, 0};
};

}  // namespace rb::nn
