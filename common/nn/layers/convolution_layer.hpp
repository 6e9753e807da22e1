// Convolution and Deconvolution (transposed convolution). Options: num_output (0: as many as
// the input has channels, the Tiramisu's transitions), kernel_size,
// stride, pad (int or [h, w], before), pad_end (after; default = pad), dilation, group,
// bias_term, weight_filler, bias_filler. Weights (out, in / group, kh, kw) for Convolution and
// (in, out / group, kh, kw) for Deconvolution, as Caffe and PyTorch store them.
//
// The Tiramisu's transition up is a 3x3 stride-2 Deconvolution with pad 0 and pad_end 1: the
// 2n+1 outputs of a "valid" transposed convolution, last row and column dropped (Lasagne's
// centre crop, TF's SAME), which is exactly 2n.
//
// On the CUDA backend both run on cuDNN (convolution_layer_gpu.cpp) in the net's precision.
#pragma once

#include <memory>

#include "common/nn/layer.hpp"
#include "roadbrew/kernels/convolution.hpp"
#include "roadbrew/kernels/cudnn.hpp"
#include "roadbrew/kernels/onednn.hpp"

namespace rb::nn {

class ConvolutionLayer : public Layer {
 public:
  ConvolutionLayer(LayerSpec spec, bool transposed)
      : Layer(std::move(spec)), transposed_(transposed) {}
  void SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) override;
  void Reshape(const Blobs& bottom, const Blobs& top) override;
  void Forward(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                const RunState& state) override;
  void ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState& state) override;
  void BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                   const RunState& state) override;
  int64_t ForwardMacs(const Blobs& bottom, const Blobs& top) const override;

  const kernels::ConvGeometry& geometry() const { return geometry_; }

 private:
  // Dense input: a channel-slice bottom (dense block features) is gathered first.
  kernels::ConstTensor DenseInput(Blob& bottom);
  kernels::ConstTensor DenseInputGpu(Blob& bottom);
  kernels::cudnn::Convolution& Cudnn();

  bool transposed_;
  bool use_onednn_ = false;
  int num_output_ = 0, group_ = 1;
  std::pair<int, int> kernel_, stride_, pad_, pad_end_, dilation_;
  bool bias_term_ = true;
  kernels::ConvGeometry geometry_;  // of the convolution (for a deconvolution: its adjoint)
  std::unique_ptr<kernels::onednn::Convolution> onednn_;
  kernels::cudnn::Precision precision_ = kernels::cudnn::Precision::kFloat32;
  std::unique_ptr<kernels::cudnn::Convolution> cudnn_;  // for geometry_, made on first use
  Blob gathered_;                                       // dense copy of a slice bottom
};

class DeconvolutionLayer : public ConvolutionLayer {
 public:
  explicit DeconvolutionLayer(LayerSpec spec) : ConvolutionLayer(std::move(spec), true) {}
};

}  // namespace rb::nn
