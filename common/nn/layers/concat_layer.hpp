// Concat along channels. When the net could place a bottom directly in its channel range of the
// top (its producer wrote into the slice: a dense block's new features), nothing is copied for
// it; other bottoms are copied in. Options: {"axis": 1} (channels, the only axis supported).
#pragma once

#include "common/nn/layer.hpp"

namespace rb::nn {

class ConcatLayer : public Layer {
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
  // Its copies can go straight into a wider stack (a transition up feeding a dense block).
  bool WritesSliceTop() const override { return true; }

  // Whether bottom i already is the channel range of the top where it belongs.
  static bool InPlace(const Blob& bottom, const Blob& top, int channel_offset);
};

}  // namespace rb::nn
