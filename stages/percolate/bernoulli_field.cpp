#include "stages/percolate/bernoulli_field.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "common/core/check.hpp"
#include "common/core/rng.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace rb::percolate {
namespace {

// Philox4x32 constants (Salmon et al. 2011): round multipliers and Weyl key increments.
constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

struct Group {
  uint64_t seed = 0;
  uint64_t index = 0;              // the realization: Philox's stream
  uint64_t first_block = 0;        // b of lane 0
  const uint16_t* high = nullptr;  // 128 16-bit thresholds
  const uint32_t* full = nullptr;  // 128 full thresholds T
};

// U < T for a pixel whose high half H equals T >> 15 (or 65535 when T = 2^31): the low 15 bits
// decide, from the second block of the pixel's lane.
bool ResolveTie(const Group& group, int m, uint32_t high_half) {
  uint64_t block = (group.first_block + static_cast<uint64_t>((m % 32) / 2)) | (uint64_t{1} << 63);
  uint32_t word = Philox(group.seed, group.index).Block(block)[m / 32];
  uint32_t low = (word >> (16 * (m % 2))) & 0x7FFFu;
  return (high_half << 15 | low) < group.full[m];
}

// Plain lanes, for machines without AVX-512 (the compiler vectorises what it can).
void GroupGeneric(const Group& group, uint64_t* out) {
  uint32_t c0[16], c1[16], c2[16], c3[16];
  for (int j = 0; j < 16; ++j) {
    uint64_t block = group.first_block + static_cast<uint64_t>(j);
    c0[j] = static_cast<uint32_t>(block);
    c1[j] = static_cast<uint32_t>(block >> 32);
    c2[j] = static_cast<uint32_t>(group.index);
    c3[j] = static_cast<uint32_t>(group.index >> 32);
  }
  uint32_t k0 = static_cast<uint32_t>(group.seed), k1 = static_cast<uint32_t>(group.seed >> 32);
  for (int round = 0; round < 10; ++round) {
    for (int j = 0; j < 16; ++j) {
      uint64_t p0 = static_cast<uint64_t>(kM0) * c0[j];
      uint64_t p1 = static_cast<uint64_t>(kM1) * c2[j];
      uint32_t next0 = static_cast<uint32_t>(p1 >> 32) ^ c1[j] ^ k0;
      uint32_t next2 = static_cast<uint32_t>(p0 >> 32) ^ c3[j] ^ k1;
      c1[j] = static_cast<uint32_t>(p1);
      c3[j] = static_cast<uint32_t>(p0);
      c0[j] = next0;
      c2[j] = next2;
    }
    k0 += kW0;
    k1 += kW1;
  }
  const uint32_t* words[4] = {c0, c1, c2, c3};
  out[0] = out[1] = 0;
  for (int m = 0; m < 128; ++m) {
    uint32_t half = (words[m / 32][(m % 32) / 2] >> (16 * (m % 2))) & 0xFFFFu;
    bool occupied = half < group.high[m] || (half == group.high[m] && ResolveTie(group, m, half));
    out[m / 64] |= static_cast<uint64_t>(occupied) << (m % 64);
  }
}

#if defined(__x86_64__)
// (hi, lo) of the 32x32-bit products of all 16 lanes: vpmuludq multiplies the even lanes, so the
// odd lanes are shifted down for a second product and the halves blended back.
__attribute__((target("avx512f"))) inline void MulHiLo(__m512i a, __m512i m, __m512i& hi,
                                                       __m512i& lo) {
  __m512i even = _mm512_maskz_mul_epu32(0xFF, a, m);
  __m512i odd = _mm512_maskz_mul_epu32(0xFF, _mm512_maskz_srli_epi64(0xFF, a, 32), m);
  hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_maskz_srli_epi64(0xFF, even, 32), odd);
  lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_maskz_slli_epi64(0xFF, odd, 32));
}

// N groups side by side: a Philox round is a chain of dependent multiplies, so interleaving two
// independent chains keeps the multiplier busy while the other waits.
template <int N>
__attribute__((target("avx512f,avx512bw"))) inline void GroupsAvx512(const Group* groups,
                                                                     uint64_t* out) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i m0 = _mm512_set1_epi32(static_cast<int>(kM0));
  const __m512i m1 = _mm512_set1_epi32(static_cast<int>(kM1));
  __m512i c0[N], c1[N], c2[N], c3[N];
  for (int n = 0; n < N; ++n) {
    // Groups start at multiples of 16, so the low counter word never carries into the high one.
    uint64_t first = groups[n].first_block;
    c0[n] = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(first)), lane);
    c1[n] = _mm512_set1_epi32(static_cast<int>(first >> 32));
    c2[n] = _mm512_set1_epi32(static_cast<int>(groups[n].index));
    c3[n] = _mm512_set1_epi32(static_cast<int>(groups[n].index >> 32));
  }
  uint64_t seed = groups[0].seed;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    __m512i key0 = _mm512_set1_epi32(static_cast<int>(k0));
    __m512i key1 = _mm512_set1_epi32(static_cast<int>(k1));
    for (int n = 0; n < N; ++n) {
      __m512i hi0, lo0, hi1, lo1;
      MulHiLo(c0[n], m0, hi0, lo0);
      MulHiLo(c2[n], m1, hi1, lo1);
      c0[n] = _mm512_ternarylogic_epi32(hi1, c1[n], key0, 0x96);  // three-way xor
      c2[n] = _mm512_ternarylogic_epi32(hi0, c3[n], key1, 0x96);
      c1[n] = lo1;
      c3[n] = lo0;
    }
    k0 += kW0;
    k1 += kW1;
  }
  for (int n = 0; n < N; ++n) {
    // A word vector read as 32 16-bit lanes has lane 2j + h = half h of block j's word: pixel
    // 32k + 2j + h of the group, so one unsigned 16-bit comparison decides 32 pixels.
    const __m512i words[4] = {c0[n], c1[n], c2[n], c3[n]};
    uint32_t below[4];
    for (int k = 0; k < 4; ++k) {
      __m512i high = _mm512_loadu_si512(groups[n].high + 32 * k);
      below[k] = _mm512_cmplt_epu16_mask(words[k], high);
      uint32_t tied = _mm512_cmpeq_epi16_mask(words[k], high);
      for (; tied != 0; tied &= tied - 1) [[unlikely]] {
          int m = 32 * k + std::countr_zero(tied);
          if (ResolveTie(groups[n], m, groups[n].high[m])) below[k] |= uint32_t{1} << (m % 32);
        }
    }
    out[2 * n] = below[0] | static_cast<uint64_t>(below[1]) << 32;
    out[2 * n + 1] = below[2] | static_cast<uint64_t>(below[3]) << 32;
  }
}

__attribute__((target("avx512f,avx512bw"))) void RowAvx512(const Group* groups, int count,
                                                           uint64_t* out) {
  int g = 0;
  for (; g + 2 <= count; g += 2) GroupsAvx512<2>(groups + g, out + 2 * g);
  if (g < count) GroupsAvx512<1>(groups + g, out + 2 * g);
}
#endif

void RowGeneric(const Group* groups, int count, uint64_t* out) {
  for (int g = 0; g < count; ++g) GroupGeneric(groups[g], out + 2 * g);
}

// The groups of one row: out gets 2 words per group.
using RowFn = void (*)(const Group* groups, int count, uint64_t* out);

RowFn ChooseRowFn() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) return RowAvx512;
#endif
  return RowGeneric;
}

RowFn g_row = ChooseRowFn();

}  // namespace

void UsePortableSampler(bool portable) { g_row = portable ? RowGeneric : ChooseRowFn(); }

uint32_t Threshold31(double p) {
  return static_cast<uint32_t>(std::lround(std::clamp(p, 0.0, 1.0) * 2147483648.0));
}

uint32_t PixelUniform31(uint64_t seed, uint64_t index, int width, int column, int row) {
  uint64_t groups = (static_cast<uint64_t>(width) + 127) / 128;
  int m = column % 128;
  uint64_t block = 16 * (static_cast<uint64_t>(row) * groups + column / 128) + (m % 32) / 2;
  Philox philox(seed, index);
  int shift = 16 * (m % 2);
  uint32_t high = (philox.Block(block)[m / 32] >> shift) & 0xFFFFu;
  uint32_t low = (philox.Block(block | (uint64_t{1} << 63))[m / 32] >> shift) & 0x7FFFu;
  return high << 15 | low;
}

void PixelUniforms31(uint64_t seed, uint64_t index, int width, int height,
                     std::vector<uint32_t>& out) {
  out.resize(static_cast<size_t>(width) * height);
  uint64_t groups = (static_cast<uint64_t>(width) + 127) / 128;
  Philox philox(seed, index);
  for (int row = 0; row < height; ++row) {
    for (uint64_t g = 0; g < groups; ++g) {
      uint64_t first = 16 * (static_cast<uint64_t>(row) * groups + g);
      for (int j = 0; j < 16; ++j) {
        auto high = philox.Block(first + j);
        auto low = philox.Block((first + j) | (uint64_t{1} << 63));
        for (int k = 0; k < 4; ++k) {
          for (int h = 0; h < 2; ++h) {
            int64_t column = static_cast<int64_t>(128 * g) + 32 * k + 2 * j + h;
            if (column >= width) continue;
            uint32_t u = ((high[k] >> (16 * h)) & 0xFFFFu) << 15 | ((low[k] >> (16 * h)) & 0x7FFFu);
            out[static_cast<size_t>(row) * width + column] = u;
          }
        }
      }
    }
  }
}

void BitImage::Resize(int w, int h) {
  width = w;
  height = h;
  words_per_row = (w + 63) / 64;
  words.assign(static_cast<size_t>(h) * words_per_row, 0);
}

int64_t BitImage::Count() const {
  int64_t total = 0;
  for (uint64_t w : words) total += std::popcount(w);
  return total;
}

BitImage BitImage::FromMask(std::span<const uint8_t> mask, int width, int height) {
  RB_CHECK_EQ(mask.size(), static_cast<size_t>(width) * height);
  BitImage image;
  image.Resize(width, height);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      if (mask[static_cast<size_t>(r) * width + c] != 0) image.Set(c, r);
    }
  }
  return image;
}

BitImage ThresholdMask(const geo::ProbabilityMap& map, double threshold) {
  BitImage image;
  image.Resize(map.width, map.height);
  for (int r = 0; r < map.height; ++r) {
    for (int c = 0; c < map.width; ++c) {
      size_t i = map.Index(c, r);
      if (!map.IsNodata(i) && map.p[i] >= threshold) image.Set(c, r);
    }
  }
  return image;
}

void BernoulliField::Init(int width, int height) {
  RB_CHECK_ARG(width > 0 && height > 0, "lattice must not be empty, got {}x{}", width, height);
  width_ = width;
  height_ = height;
  stride_ = (width + 127) / 128 * 128;
  thresholds_.assign(static_cast<size_t>(height) * stride_, 0);
}

void BernoulliField::DeriveHighHalves() {
  high_.resize(thresholds_.size());
  for (size_t i = 0; i < thresholds_.size(); ++i) {
    high_[i] = static_cast<uint16_t>(std::min<uint32_t>(thresholds_[i] >> 15, 0xFFFFu));
  }
}

BernoulliField::BernoulliField(const geo::ProbabilityMap& map, uint64_t seed, double scale)
    : seed_(seed) {
  RB_CHECK_ARG(scale >= 0 && std::isfinite(scale), "probability scale must be >= 0, got {}", scale);
  Init(map.width, map.height);
  for (int r = 0; r < height_; ++r) {
    for (int c = 0; c < width_; ++c) {
      double p = static_cast<double>(map.ValueOrZero(map.Index(c, r))) * scale;
      thresholds_[static_cast<size_t>(r) * stride_ + c] = Threshold31(p);
    }
  }
  DeriveHighHalves();
}

BernoulliField::BernoulliField(int width, int height, double p, uint64_t seed) : seed_(seed) {
  RB_CHECK_ARG(p >= 0 && p <= 1, "site probability {} is outside [0, 1]", p);
  Init(width, height);
  for (int r = 0; r < height_; ++r) {
    std::fill_n(thresholds_.begin() + static_cast<ptrdiff_t>(r) * stride_, width_, Threshold31(p));
  }
  DeriveHighHalves();
}

void BernoulliField::Sample(uint64_t index, BitImage& out) const {
  if (out.width != width_ || out.height != height_) out.Resize(width_, height_);
  int groups = stride_ / 128;
  std::vector<Group> row_groups(static_cast<size_t>(groups));
  std::vector<uint64_t> words(2 * static_cast<size_t>(groups));
  for (int row = 0; row < height_; ++row) {
    size_t row_offset = static_cast<size_t>(row) * stride_;
    for (int g = 0; g < groups; ++g) {
      row_groups[g] = {.seed = seed_,
                       .index = index,
                       .first_block = 16 * (static_cast<uint64_t>(row) * groups + g),
                       .high = high_.data() + row_offset + 128 * g,
                       .full = thresholds_.data() + row_offset + 128 * g};
    }
    g_row(row_groups.data(), groups, words.data());
    // A row of an odd number of words leaves the last group's second word out: its pixels are
    // padding (thresholds 0, never occupied).
    std::copy_n(words.begin(), out.words_per_row, out.Row(row));
  }
}

}  // namespace rb::percolate
