// Loss layers: bottom 0 the prediction, bottom 1 the labels (a one-channel map of class
// indices, or targets of the prediction's shape for the sigmoid loss); top 0 the scalar loss.
// Common options: ignore_label (pixels with that label count nowhere; -1: none) and
// normalization: "valid" (mean over counted pixels, weighted by class weights), "batch" (per
// image), "full" (over all pixels), "none" (the sum).
//
// On the CUDA backend (loss_layers_gpu.cpp) the per-pixel work runs on the device and only the
// sums come back: the loss value, like the labels going in, crosses at the net's edge.
#pragma once

#include <vector>

#include "common/nn/layer.hpp"
#include "roadbrew/kernels/softmax_loss.hpp"

namespace rb::io {
class ConfigReader;
}

namespace rb::nn {

class LossLayer : public Layer {
 public:
  using Layer::Layer;
  bool IsLoss() const override { return true; }
  bool PropagatesTo(size_t bottom_index) const override { return bottom_index == 0; }
  void Reshape(const Blobs& bottom, const Blobs& top) override;

 protected:
  void ReadCommon(io::ConfigReader& options);
  // The divisor of the summed loss for this batch.
  double Normaliser(const Blob& prediction, const kernels::cpu::LossSums& sums) const;

  int ignore_label_ = -1;
  std::string normalization_ = "valid";
  double normaliser_ = 1;  // of the last forward pass
};

// SoftmaxWithLoss: softmax over channels, then cross-entropy, with optional per-class weights
// ("class_weights": [...]); an optional second top receives the probabilities.
class SoftmaxWithLossLayer : public LossLayer {
 public:
  using LossLayer::LossLayer;
  void SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) override;
  void Reshape(const Blobs& bottom, const Blobs& top) override;
  void Forward(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                const RunState& state) override;
  void ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                   const RunState& state) override;

 private:
  const float* DeviceClassWeights();
  std::vector<float> class_weights_;
  Blob probabilities_;
  Blob device_class_weights_;
};

// SigmoidCrossEntropyLoss on logits against targets in [0, 1] of the same shape.
class SigmoidCrossEntropyLossLayer : public LossLayer {
 public:
  using LossLayer::LossLayer;
  void SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) override;
  void Forward(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                const RunState& state) override;
  void ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                   const RunState& state) override;
};

// JaccardLoss: the soft Jaccard (IoU) loss of one class, on probabilities (after a Softmax
// layer): 1 - (I + smooth) / (U + smooth) over the batch. The SpaceNet winners trained with
// cross-entropy plus this (albu: 0.8 BCE + 0.2 (1 - dice)). Options: class (1), smooth (1).
class JaccardLossLayer : public LossLayer {
 public:
  using LossLayer::LossLayer;
  void SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) override;
  void Forward(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                const RunState& state) override;
  void ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                   const RunState& state) override;

 private:
  int class_ = 1;
  double smooth_ = 1.0;
  kernels::cpu::JaccardSums sums_;
};

}  // namespace rb::nn
