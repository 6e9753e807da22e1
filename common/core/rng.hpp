// Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3", SC 2011) from Random123. A value is a pure function of (seed, stream, index), so
// results do not depend on thread count, scheduling or device: the same seed gives the same
// bytes everywhere.
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>

#include "common/core/host_device.hpp"

namespace rb {

// Random words at an index of a (seed, stream) sequence; stateless and cheap to copy.
class Philox {
 public:
  RB_HOST_DEVICE Philox(uint64_t seed, uint64_t stream) {
    key_ = {{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)}};
    stream_lo_ = static_cast<uint32_t>(stream);
    stream_hi_ = static_cast<uint32_t>(stream >> 32);
  }

  // Four independent 32-bit words for block `block`.
  RB_HOST_DEVICE r123::Philox4x32::ctr_type Block(uint64_t block) const {
    r123::Philox4x32::ctr_type counter = {
        {static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32), stream_lo_, stream_hi_}};
    return r123::Philox4x32()(counter, key_);
  }

  // Uniform in [0, 1) from word 0 of block `index` (24 bits, exact in float).
  RB_HOST_DEVICE float Uniform(uint64_t index) const { return ToUnit(Block(index)[0]); }

  // Standard normal for `index` (Box-Muller on words 0 and 1).
  RB_HOST_DEVICE float Normal(uint64_t index) const {
    auto words = Block(index);
    float u1 = 1.0f - ToUnit(words[0]);  // (0, 1]: log stays finite
    float u2 = ToUnit(words[1]);
    return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853071795865f * u2);
  }

  RB_HOST_DEVICE static float ToUnit(uint32_t word) {
    return static_cast<float>(word >> 8) * (1.0f / 16777216.0f);
  }

 private:
  r123::Philox4x32::key_type key_;
  uint32_t stream_lo_;
  uint32_t stream_hi_;
};

// Sequential draws along one Philox stream, for decisions taken one after another by a single
// owner (placing objects in a scene, shuffling a list).
class RandomStream {
 public:
  RandomStream(uint64_t seed, uint64_t stream) : philox_(seed, stream) {}

  uint32_t NextWord() {
    if (used_ == 4) {
      words_ = philox_.Block(block_++);
      used_ = 0;
    }
    return words_[used_++];
  }
  // [0, 1) with 53 random bits.
  double Uniform() {
    uint64_t high = NextWord() >> 5, low = NextWord() >> 6;
    return static_cast<double>(high * 67108864u + low) * (1.0 / 9007199254740992.0);
  }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Integer in [lo, hi], both inclusive.
  int64_t UniformInt(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Uniform() * static_cast<double>(hi - lo + 1));
  }
  bool Bernoulli(double p) { return Uniform() < p; }
  double Normal() {
    double u1 = 1.0 - Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  Philox philox_;
  uint64_t block_ = 0;
  r123::Philox4x32::ctr_type words_{};
  int used_ = 4;
};

}  // namespace rb
