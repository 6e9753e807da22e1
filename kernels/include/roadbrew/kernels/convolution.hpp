// Convolution geometry and the reference (oracle) convolution on NHWC activations.
// Weights are OIHW: (out_channels, in_channels / groups, kernel_h, kernel_w), as Caffe and
// PyTorch store them. A transposed convolution (deconvolution) is the adjoint of a convolution:
// its forward pass is that convolution's backward-data pass, with the same weight array
// (in_channels of the deconvolution first, as PyTorch's ConvTranspose2d stores it).
#pragma once

#include <string>

#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels {

struct ConvGeometry {
  int n = 1;
  int in_c = 1, in_h = 1, in_w = 1;
  int out_c = 1, out_h = 1, out_w = 1;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int dilation_h = 1, dilation_w = 1;  // 1: dense kernel
  int groups = 1;

  // Output extent of a convolution along one axis (floor rounding, as Caffe and PyTorch).
  static int ConvOutput(int in, int kernel, int stride, int pad_before, int pad_after,
                        int dilation);
  // Output extent of a transposed convolution; pads crop the output (pad_after = 1 turns the
  // 2n+1 of a 3x3 stride-2 deconvolution into 2n, dropping the last row/column: the Tiramisu's
  // alignment).
  static int DeconvOutput(int in, int kernel, int stride, int pad_before, int pad_after,
                          int dilation);
  // The convolution whose backward-data pass is this transposed convolution: input and output
  // swapped.
  ConvGeometry Adjoint() const;
  int64_t WeightCount() const;  // out_c * in_c / groups * kernel_h * kernel_w
  int64_t Macs() const;         // multiply-accumulates of one forward pass
  std::string ToString() const;
};

namespace cpu {

void ConvolutionForward(const ConvGeometry& g, ConstTensor x, const float* weights,
                        const float* bias, Tensor y);
void ConvolutionBackwardData(const ConvGeometry& g, ConstTensor dy, const float* weights, Tensor dx,
                             bool accumulate);
// Adds to dweights and dbias (nullable).
void ConvolutionBackwardWeights(const ConvGeometry& g, ConstTensor x, ConstTensor dy,
                                float* dweights, float* dbias);

}  // namespace cpu
}  // namespace rb::kernels
