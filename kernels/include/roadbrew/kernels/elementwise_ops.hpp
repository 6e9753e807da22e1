// Per-element arithmetic shared by the CPU kernels and the CUDA kernels.
#pragma once

#include <cstdint>

#include "common/core/host_device.hpp"
#include "common/core/rng.hpp"

namespace rb::kernels::ops {

RB_HOST_DEVICE float Relu(float x, float slope) { return x > 0.0f ? x : slope * x; }
RB_HOST_DEVICE float ReluGrad(float y, float dy, float slope) { return y > 0.0f ? dy : slope * dy; }

// Whether element `index` survives dropout with probability p of being dropped (one Philox
// block serves four consecutive elements).
RB_HOST_DEVICE bool DropoutKeep(const Philox& philox, uint64_t index, float p) {
  return Philox::ToUnit(philox.Block(index >> 2)[static_cast<int>(index & 3)]) >= p;
}

}  // namespace rb::kernels::ops
