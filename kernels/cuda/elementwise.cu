// CUDA launchers of the shared elementwise kernels (kernels/shared/elementwise.hpp): the same
// functors the CPU tests run through the host launcher.
#include "kernels/cuda/cuda_launcher.cuh"
#include "kernels/shared/elementwise.hpp"

namespace rb::kernels::cuda {
namespace {
const CudaLauncher launch{};
}  // namespace

void Fill(float* device, float value, int64_t count) {
  if (value == 0.0f) {  // all-zero bits
    RB_CUDA_CHECK(cudaMemsetAsync(device, 0, sizeof(float) * count, Stream()));
    return;
  }
  launch.ForEach(count, shared::FillOp{device, value});
}

void ReluForward(ConstTensor x, Tensor y, float slope) {
  launch.ForEach(x.count(), shared::ReluForwardOp{x, y, slope});
}

void ReluBackward(ConstTensor y, ConstTensor dy, Tensor dx, float slope, bool accumulate) {
  launch.ForEach(y.count(), shared::ReluBackwardOp{y, dy, dx, slope, accumulate});
}

void DropoutMask(int64_t count, float p, uint64_t seed, uint64_t stream, uint8_t* mask,
                 int64_t first) {
  shared::DropoutMask(launch, count, p, seed, stream, mask, first);
}

void DropoutForward(ConstTensor x, Tensor y, const uint8_t* mask, float scale) {
  launch.ForEach(x.count(), shared::DropoutOp{x, y, mask, scale, false});
}

void DropoutBackward(ConstTensor dy, Tensor dx, const uint8_t* mask, float scale, bool accumulate) {
  launch.ForEach(dy.count(), shared::DropoutOp{dy, dx, mask, scale, accumulate});
}

void Copy(ConstTensor x, Tensor y, bool accumulate) {
  launch.ForEach(x.count(), shared::CopyOp{x, y, accumulate});
}

void Zero(Tensor y) {
  if (y.dense()) {
    RB_CUDA_CHECK(cudaMemsetAsync(y.data, 0, sizeof(float) * y.count(), Stream()));
    return;
  }
  launch.ForEach(y.count(), shared::ZeroOp{y});
}

void ScaleBiasForward(ConstTensor x, Tensor y, const float* scale, const float* bias) {
  launch.ForEach(x.count(), shared::ScaleBiasOp{x, y, scale, bias, false});
}

void ScaleBiasBackward(ConstTensor x, ConstTensor dy, const float* scale, Tensor dx,
                       bool accumulate, float* dscale, float* dbias) {
  shared::ScaleBiasBackward(launch, x, dy, scale, dx, accumulate, dscale, dbias);
}

void EltwiseForward(cpu::EltwiseOp op, const ConstTensor* inputs, const float* coefficients,
                    int count, Tensor y) {
  shared::Eltwise(launch, op, inputs, coefficients, count, -1, {}, {}, y, false);
}

void EltwiseBackward(cpu::EltwiseOp op, const ConstTensor* inputs, const float* coefficients,
                     int count, int index, ConstTensor y, ConstTensor dy, Tensor dx,
                     bool accumulate) {
  shared::Eltwise(launch, op, inputs, coefficients, count, index, y, dy, dx, accumulate);
}

void CropWindow(ConstTensor big, Tensor small, int row0, int col0, bool accumulate) {
  launch.ForEach(small.count(), shared::CropWindowOp{big, small, row0, col0, accumulate});
}

void PlaceWindow(ConstTensor small, Tensor big, int row0, int col0, bool accumulate) {
  launch.ForEach(big.count(), shared::PlaceWindowOp{small, big, row0, col0, accumulate});
}

void PermuteFilter(const float* oihw, float* ohwi, int out, int in, int kh, int kw) {
  launch.ForEach(int64_t{out} * in * kh * kw,
                 shared::PermuteFilterOp{oihw, ohwi, in, kh, kw, true, false});
}

void UnpermuteFilter(const float* ohwi, float* oihw, int out, int in, int kh, int kw,
                     bool accumulate) {
  launch.ForEach(int64_t{out} * in * kh * kw,
                 shared::PermuteFilterOp{ohwi, oihw, in, kh, kw, false, accumulate});
}

void ToHalf(const float* from, uint16_t* to, int64_t count, bool bf16) {
  launch.ForEach(count, shared::ToHalfOp{from, to, bf16});
}

void FromHalf(const uint16_t* from, float* to, int64_t count, bool bf16, bool accumulate) {
  launch.ForEach(count, shared::FromHalfOp{from, to, bf16, accumulate});
}

}  // namespace rb::kernels::cuda
