// Per-element arithmetic shared by the CPU kernels and the CUDA kernels.
#pragma once

#include <cstdint>

#include "common/core/host_device.hpp"
#include "common/core/rng.hpp"

namespace rb::kernels::ops {

RB_HOST_DEVICE float Relu(float x, float slope) { return x > 0.0f ? x : slope * x; }
RB_HOST_DEVICE float ReluGrad(float y, float dy, float slope) { return y > 0.0f ? dy : slope * dy; }

// Dropout decides with 16 random bits per element, so one Philox block serves eight elements:
// an element is kept when its bits are >= the threshold round(p * 65536).
RB_HOST_DEVICE uint32_t DropoutThreshold(float p) {
  return static_cast<uint32_t>(p * 65536.0f + 0.5f);
}
// 1 / (1 - the probability actually used), so kept elements keep the expectation exact.
RB_HOST_DEVICE float DropoutScale(float p) {
  uint32_t threshold = DropoutThreshold(p);
  return threshold >= 65536u ? 0.0f : 65536.0f / static_cast<float>(65536u - threshold);
}
// Whether element `index` is kept, given `block` = philox.Block(index >> 3): its 16-bit part
// number index & 7.
RB_HOST_DEVICE bool DropoutKeep(const r123::Philox4x32::ctr_type& block, uint64_t index,
                                uint32_t threshold) {
  uint32_t word = block[static_cast<int>((index >> 1) & 3)];
  uint32_t bits = (index & 1) ? word >> 16 : word & 0xFFFFu;
  return bits >= threshold;
}

}  // namespace rb::kernels::ops
