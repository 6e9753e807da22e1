// Realizations of a road-probability map: every pixel an independent Bernoulli variable with its
// probability, drawn from a counter-based generator so that realization t depends only on
// (seed, t), never on the thread count, the order of work or the machine.
//
// Definition (the contract tests and other back-ends reproduce). Rows are cut into groups of 128
// pixels, G = ceil(width / 128) per row. Pixel (column c, row r) of realization t, with
// m = c % 128, block b = 16 * (r * G + c / 128) + (m % 32) / 2, word k = m / 32 and half
// h = m % 2 (0: bits 0-15, 1: bits 16-31), draws the 31-bit uniform
//     U = H * 2^15 + L,  H = half h of word k of rb::Philox(seed, t).Block(b),
//                        L = the low 15 bits of half h of word k of Block(b + 2^63),
// and is occupied iff U < T = round(p * 2^31) (Philox4x32-10, common/core/rng.hpp). So p = 1 is
// always occupied, p = 0 and nodata never, and p is resolved to 2^-31. L is only computed when
// H = T >> 15 (once in 65536 pixels): the sampler compares 16-bit halves, 32 pixels per vector.
// 16 blocks side by side in SIMD lanes yield 128 consecutive pixels of one row.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/geo/probability_map.hpp"

namespace rb::percolate {

// A binary image packed 64 pixels per word, rows padded to whole words (padding bits are 0).
struct BitImage {
  int width = 0;
  int height = 0;
  int words_per_row = 0;
  std::vector<uint64_t> words;  // (height, words_per_row); bit b of word k = column 64k + b

  void Resize(int w, int h);
  const uint64_t* Row(int row) const { return words.data() + size_t(row) * words_per_row; }
  uint64_t* Row(int row) { return words.data() + size_t(row) * words_per_row; }
  bool Get(int column, int row) const { return (Row(row)[column >> 6] >> (column & 63)) & 1u; }
  void Set(int column, int row) { Row(row)[column >> 6] |= uint64_t{1} << (column & 63); }
  int64_t Count() const;
  // From a byte mask (non-zero = occupied), (height, width) row-major.
  static BitImage FromMask(std::span<const uint8_t> mask, int width, int height);
};

// The deterministic mask of a map: pixels with p >= threshold (nodata never).
BitImage ThresholdMask(const geo::ProbabilityMap& map, double threshold);

class BernoulliField {
 public:
  // `scale` multiplies every probability (products above 1 count as 1): the map "scaled by a
  // factor". Precondition (checked): scale >= 0 and finite.
  BernoulliField(const geo::ProbabilityMap& map, uint64_t seed, double scale = 1.0);
  // A uniform lattice: every site has probability p in [0, 1].
  BernoulliField(int width, int height, double p, uint64_t seed);

  int width() const { return width_; }
  int height() const { return height_; }
  uint64_t seed() const { return seed_; }
  // T(c, r) = round(p * 2^31) of the pixel.
  uint32_t Threshold(int column, int row) const {
    return thresholds_[static_cast<size_t>(row) * stride_ + column];
  }

  // Realization `index` into `out` (resized as needed). Thread-safe: const, no shared state.
  void Sample(uint64_t index, BitImage& out) const;

 private:
  void Init(int width, int height);
  void DeriveHighHalves();

  int width_ = 0;
  int height_ = 0;
  int stride_ = 0;  // thresholds per row: whole 128-pixel groups, padding 0 (never occupied)
  uint64_t seed_ = 0;
  std::vector<uint32_t> thresholds_;  // T, (height, stride)
  std::vector<uint16_t> high_;  // min(T >> 15, 65535): the 16-bit comparison, (height, stride)
};

// The 31-bit uniform U that decides pixel (column, row) of realization `index`, computed one
// pixel at a time from the definition: the reference the vectorised sampler is tested against.
uint32_t PixelUniform31(uint64_t seed, uint64_t index, int width, int column, int row);

// PixelUniform31 of every pixel of a width x height raster, row-major, into `out` (resized).
void PixelUniforms31(uint64_t seed, uint64_t index, int width, int height,
                     std::vector<uint32_t>& out);

// Tests: sample with the portable code even where AVX-512 is available (false: the fastest the
// machine has). Not thread-safe; the two give the same bits.
void UsePortableSampler(bool portable);

// round(p * 2^31) as the sampler uses it (p clamped to [0, 1]).
uint32_t Threshold31(double p);

}  // namespace rb::percolate
