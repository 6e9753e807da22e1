// The contract between the kernels written once in kernels/shared/ and the two machines that
// run them. A shared kernel is a template over a Launcher L; its per-element work is a functor
// whose operator() is RB_HOST_DEVICE, so the CUDA build runs exactly the arithmetic (and the
// index mapping) that the CPU tests run through HostLauncher. A Launcher provides:
//
//   l.ForEach(count, f)          f(i) for every i in [0, count), in any order, in parallel;
//   l.Sum<K>(rows, cols, f, out) out[col * K + k] = the sum over rows of the terms that
//                                f(row, col, acc) adds to acc[k] (acc: double[K]); `out` is
//                                launcher memory; the order of additions depends only on
//                                rows and cols, so results repeat bit for bit;
//   l.Temp(bytes)                a zeroed scratch Buffer in launcher memory (.data, .bytes);
//   l.ToHost(host, from, bytes), l.FromHost(to, host, bytes): copies between launcher memory
//                                and the host (the host launcher's memory is the host's).
//
// HostLauncher (kernels/cpu/host_launcher.hpp) runs on the OpenMP pool; CudaLauncher
// (kernels/cuda/cuda_launcher.cuh) runs grid-stride kernels and a two-pass block reduction on the
// device's stream. Functors hold plain pointers and tensor views, copied by value to the device.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/core/host_device.hpp"

namespace rb::kernels::shared {

// As std::max (the CPU kernels' choice), NaN handling included.
RB_HOST_DEVICE float Max(float a, float b) { return a < b ? b : a; }
RB_HOST_DEVICE int MinInt(int a, int b) { return a < b ? a : b; }
RB_HOST_DEVICE int MaxInt(int a, int b) { return a > b ? a : b; }
RB_HOST_DEVICE uint32_t FloatBits(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits;
}
RB_HOST_DEVICE float BitsFloat(uint32_t bits) {
  float value;
  memcpy(&value, &bits, sizeof value);
  return value;
}
RB_HOST_DEVICE float NegativeInfinity() { return BitsFloat(0xFF800000u); }
RB_HOST_DEVICE void Store(float& out, float value, bool accumulate) {
  out = accumulate ? out + value : value;
}

}  // namespace rb::kernels::shared
