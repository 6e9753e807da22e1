// Inverted dropout: in training each element is kept with probability 1 - ratio and scaled by
// 1 / (1 - ratio); in testing the layer is the identity. The mask is a pure function of
// (seed, layer, iteration, element), so a resumed run drops the same elements; it is kept
// (a byte per element) from forward to backward. The CUDA path draws the very same mask on the
// device (Philox by element index, kernels/shared/elementwise.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "common/nn/layer.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"

namespace rb::nn {

class DropoutLayer : public Layer {
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

 private:
  uint64_t Stream(const RunState& state) const;
  float ratio_ = 0.5f;
  uint64_t name_hash_ = 0;
  bool Dropping(const RunState& state) const;
  static int64_t FirstElement(const Blob& bottom, const RunState& state);
  std::vector<uint8_t> mask_;                // of the last training forward pass, for backward
  kernels::cuda::DeviceBuffer device_mask_;  // the same on the device
};

}  // namespace rb::nn
