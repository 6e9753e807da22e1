// Pooling: {"pool": "max" | "ave", kernel_size, stride (default kernel), pad, pad_end,
// ceil_mode (false: PyTorch's floor rounding)}. Max pooling remembers where each maximum was.
// On the CUDA backend max pooling runs the shared kernels (argmax kept on the device) and
// average pooling cuDNN's where it expresses the geometry, the shared kernels otherwise.
#pragma once

#include <memory>
#include <vector>

#include "common/nn/layer.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/cudnn.hpp"
#include "roadbrew/kernels/onednn.hpp"
#include "roadbrew/kernels/pooling.hpp"

namespace rb::nn {

class PoolingLayer : public Layer {
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

 private:
  bool max_ = true;
  bool ceil_mode_ = false;
  bool use_onednn_ = false;
  bool gpu_ = false;
  std::pair<int, int> kernel_, stride_, pad_, pad_end_;
  kernels::PoolGeometry geometry_;
  std::vector<int32_t> argmax_;
  std::unique_ptr<kernels::onednn::Pooling> onednn_;
  Blob gathered_;
  kernels::cuda::DeviceBuffer device_argmax_;
  std::unique_ptr<kernels::cudnn::AveragePooling> cudnn_average_;
};

}  // namespace rb::nn
