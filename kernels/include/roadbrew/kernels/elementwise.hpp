// Elementwise kernels on NHWC tensor views (dense or channel slices). Backward kernels either
// overwrite the bottom gradient or add to it (`accumulate`), as the net decides: several layers
// may contribute to one gradient (a dense block's stack).
//
// The arithmetic of each element is an RB_HOST_DEVICE function (kernels/elementwise_ops.hpp) so
// the CUDA kernels compute exactly the same thing.
#pragma once

#include <cstdint>

#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels::cpu {

// y = x > 0 ? x : slope * x. In place when x and y alias.
void ReluForward(ConstTensor x, Tensor y, float negative_slope);
// dx (+)= dy * (y > 0 ? 1 : slope). Uses the output y, so it also works in place.
void ReluBackward(ConstTensor y, ConstTensor dy, Tensor dx, float negative_slope, bool accumulate);

// Inverted dropout. The keep mask (1 = keep) of `count` elements is decided by Philox(seed,
// stream) at each element's logical index (n, h, w, c) (elementwise_ops.hpp), so masks do not
// depend on threads or memory layout. Kept elements are scaled by DropoutScale(p). mask[i] is
// element first + i's: a data-parallel replica holding samples from k on draws exactly the
// decisions one device running the whole batch draws for them.
void DropoutMask(int64_t count, float p, uint64_t seed, uint64_t stream, uint8_t* mask,
                 int64_t first = 0);
// y = mask ? x * scale : 0; mask in logical (dense NHWC) order.
void DropoutForward(ConstTensor x, Tensor y, const uint8_t* mask, float scale);
// dx (+)= mask ? dy * scale : 0.
void DropoutBackward(ConstTensor dy, Tensor dx, const uint8_t* mask, float scale, bool accumulate);
// y (+)= x, channel-slice aware (concatenation, splitting, crops are copies of views).
void Copy(ConstTensor x, Tensor y, bool accumulate);
// y = 0.
void Zero(Tensor y);

// Per-channel affine: y = x * scale[c] + bias[c] (either may be null: 1 / 0).
void ScaleBiasForward(ConstTensor x, Tensor y, const float* scale, const float* bias);
// dx (+)= dy * scale[c]; dscale[c] += sum dy * x; dbias[c] += sum dy (null pointers skip).
void ScaleBiasBackward(ConstTensor x, ConstTensor dy, const float* scale, Tensor dx,
                       bool accumulate, float* dscale, float* dbias);

enum class EltwiseOp { kSum, kProd, kMax };
// y = op over inputs (sum with coefficients). `inputs` all have y's shape.
void EltwiseForward(EltwiseOp op, const ConstTensor* inputs, const float* coefficients, int count,
                    Tensor y);
// Gradient for input `index`.
void EltwiseBackward(EltwiseOp op, const ConstTensor* inputs, const float* coefficients, int count,
                     int index, ConstTensor y, ConstTensor dy, Tensor dx, bool accumulate);

}  // namespace rb::kernels::cpu

// The same operations on device views (the CUDA build: kernels/cuda/elementwise.cu, from the
// functors of kernels/shared/elementwise.hpp), plus the moves the cuDNN wrappers need.
namespace rb::kernels::cuda {

void ReluForward(ConstTensor x, Tensor y, float negative_slope);
void ReluBackward(ConstTensor y, ConstTensor dy, Tensor dx, float negative_slope, bool accumulate);
// `mask`: `count` device bytes, the same mask the CPU draws for (seed, stream, first).
void DropoutMask(int64_t count, float p, uint64_t seed, uint64_t stream, uint8_t* mask,
                 int64_t first = 0);
void DropoutForward(ConstTensor x, Tensor y, const uint8_t* mask, float scale);
void DropoutBackward(ConstTensor dy, Tensor dx, const uint8_t* mask, float scale, bool accumulate);
void Copy(ConstTensor x, Tensor y, bool accumulate);
void Zero(Tensor y);
void ScaleBiasForward(ConstTensor x, Tensor y, const float* scale, const float* bias);
void ScaleBiasBackward(ConstTensor x, ConstTensor dy, const float* scale, Tensor dx,
                       bool accumulate, float* dscale, float* dbias);
// `inputs` and `coefficients` are host arrays (of device views).
void EltwiseForward(cpu::EltwiseOp op, const ConstTensor* inputs, const float* coefficients,
                    int count, Tensor y);
void EltwiseBackward(cpu::EltwiseOp op, const ConstTensor* inputs, const float* coefficients,
                     int count, int index, ConstTensor y, ConstTensor dy, Tensor dx,
                     bool accumulate);
// small (+)= big's window at (row0, col0) of small's size.
void CropWindow(ConstTensor big, Tensor small, int row0, int col0, bool accumulate);
// big's window (+)= small; without accumulate the rest of big is zeroed.
void PlaceWindow(ConstTensor small, Tensor big, int row0, int col0, bool accumulate);
// Filters OIHW -> OHWI (in = input channels per group), and back (added or written).
void PermuteFilter(const float* oihw, float* ohwi, int out, int in, int kh, int kw);
void UnpermuteFilter(const float* ohwi, float* oihw, int out, int in, int kh, int kw,
                     bool accumulate);
// float <-> IEEE half or bfloat16 bit patterns, rounding to nearest even.
void ToHalf(const float* from, uint16_t* to, int64_t count, bool bf16);
void FromHalf(const uint16_t* from, float* to, int64_t count, bool bf16, bool accumulate);

}  // namespace rb::kernels::cuda
