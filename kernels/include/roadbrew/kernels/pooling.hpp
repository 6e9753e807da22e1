// Spatial pooling on NHWC activations (reference kernels).
#pragma once

#include <cstdint>

#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels {

struct PoolGeometry {
  int n = 1, c = 1;
  int in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  int kernel_h = 2, kernel_w = 2, stride_h = 2, stride_w = 2;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;

  // floor rounding (PyTorch's default) or ceil (Caffe's), windows starting in the padded input.
  static int Output(int in, int kernel, int stride, int pad_before, int pad_after, bool ceil);
};

namespace cpu {

// argmax (nullable) receives, per output element, the input position ih * in_w + iw of the max.
void MaxPoolForward(const PoolGeometry& g, ConstTensor x, Tensor y, int32_t* argmax);
void MaxPoolBackward(const PoolGeometry& g, ConstTensor dy, const int32_t* argmax, Tensor dx,
                     bool accumulate);
// Average over the window's pixels inside the input (padding excluded from the count).
void AvgPoolForward(const PoolGeometry& g, ConstTensor x, Tensor y);
void AvgPoolBackward(const PoolGeometry& g, ConstTensor dy, Tensor dx, bool accumulate);

}  // namespace cpu

// Pooling on device views with the reference rules (kernels/cuda/pooling.cu, from
// kernels/shared/pooling.hpp): max pooling keeps the argmax (dense NHWC over the output), so its
// gradient does not depend on the output's values (an in-place layer after it may change them)
// and ties go to the first maximum as on the CPU. cuDNN's average pooling serves the geometries
// it can express (kernels/cudnn.hpp).
namespace cuda {

void PoolForward(const PoolGeometry& g, ConstTensor x, Tensor y, int32_t* argmax, bool max);
void PoolBackward(const PoolGeometry& g, ConstTensor dy, const int32_t* argmax, Tensor dx,
                  bool accumulate);  // argmax null: average pooling

}  // namespace cuda
}  // namespace rb::kernels
