// Filtering with a built permutohedral lattice (splat, blur, slice) and the explicit Gaussian
// filter it approximates. Every stage writes each output value from one thread in a fixed order,
// so results are the same bytes whatever the thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include "common/core/check.hpp"
#include "kernels/cpu/task_parallel.hpp"
#include "roadbrew/kernels/permutohedral.hpp"

namespace rb::kernels::cpu {
namespace {

constexpr int64_t kGrain = 8192;

// Chunks of a splat: one per 256k points, at most 8 (a function of the size only, so results do
// not depend on the thread count).
int64_t SplatChunks(int64_t points) {
  return std::clamp<int64_t>((points + 262143) / 262144, 1, 8);
}

// Channel count known at compile time for the common cases (a 2-label CRF filters 1 channel).
template <int kChannels>
struct ChannelCount {
  explicit ChannelCount(int) {}
  static constexpr int value() { return kChannels; }
};
template <>
struct ChannelCount<0> {
  explicit ChannelCount(int channels) : n(channels) {}
  int value() const { return n; }
  int n;
};

// Values of vertex v are a[v * C .. v * C + C); row `vertices` is a zero row that stands for
// absent neighbours.
template <int D, int kChannels>
struct Passes {
  static constexpr int K = D + 1;
  ChannelCount<kChannels> channels;
  int64_t points;
  int64_t vertices;
  const uint32_t* vertex;
  const float* weight;
  const uint32_t* neighbours;

  // A scatter over fixed chunks of points, each into its own accumulator, summed in chunk order:
  // parallel without atomics, and the same sums whatever the thread count.
  // `partial`: room for (SplatChunks(points) - 1) * (vertices + 1) * C values.
  void Splat(const float* in, float* a, float* partial) const {
    const int C = channels.value();
    const int64_t chunks = SplatChunks(points);
    const int64_t chunk_points = (points + chunks - 1) / chunks;
    const int64_t row = (vertices + 1) * C;
    TaskPieces(chunks, [&](int64_t chunk) {
      float* acc = chunk == 0 ? a : &partial[(chunk - 1) * row];
      std::fill(acc, acc + row, 0.0f);
      const int64_t end = std::min(points, (chunk + 1) * chunk_points);
      for (int64_t p = chunk * chunk_points; p < end; ++p) {
        const float* src = in + p * C;
        for (int k = 0; k < K; ++k) {
          const float w = weight[p * K + k];
          float* dst = acc + static_cast<int64_t>(vertex[p * K + k]) * C;
          for (int c = 0; c < C; ++c) dst[c] += w * src[c];
        }
      }
    });
    if (chunks == 1) return;
    TaskRanges(vertices * C, kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t chunk = 1; chunk < chunks; ++chunk) {
        const float* acc = &partial[(chunk - 1) * row];
        for (int64_t i = begin; i < end; ++i) a[i] += acc[i];
      }
    });
  }

  // b = a blurred with [1/2 1 1/2] along `axis` (densecrf's kernel; its scale cancels in any
  // normalised use).
  void Blur(int axis, const float* a, float* b) const {
    const int C = channels.value();
    const uint32_t* pairs = neighbours + axis * vertices * 2;
    TaskRanges(vertices, kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t v = begin; v < end; ++v) {
        const float* forward = a + static_cast<int64_t>(pairs[v * 2]) * C;
        const float* back = a + static_cast<int64_t>(pairs[v * 2 + 1]) * C;
        for (int c = 0; c < C; ++c) b[v * C + c] = a[v * C + c] + 0.5f * (forward[c] + back[c]);
      }
    });
  }

  void Slice(const float* a, float* out) const {
    const int C = channels.value();
    // densecrf v2's constant 1 / (1 + 2^-D), kept so unnormalised values are on its scale; any
    // normalised use cancels it.
    const float alpha = 1.0f / (1.0f + std::ldexp(1.0f, -D));
    TaskRanges(points, kGrain, [&](int64_t begin, int64_t end) {
      float acc[kChannels > 0 ? kChannels : 1];
      for (int64_t p = begin; p < end; ++p) {
        float* dst = out + p * C;
        if constexpr (kChannels > 0) {
          for (int c = 0; c < C; ++c) acc[c] = 0;
          for (int k = 0; k < K; ++k) {
            const float w = weight[p * K + k];
            const float* src = a + static_cast<int64_t>(vertex[p * K + k]) * C;
            for (int c = 0; c < C; ++c) acc[c] += w * src[c];
          }
          for (int c = 0; c < C; ++c) dst[c] = alpha * acc[c];
        } else {
          for (int c = 0; c < C; ++c) {
            float sum = 0;
            for (int k = 0; k < K; ++k) {
              sum += weight[p * K + k] * a[static_cast<int64_t>(vertex[p * K + k]) * C + c];
            }
            dst[c] = alpha * sum;
          }
        }
      }
    });
  }
};

}  // namespace

template <int D>
void PermutohedralLattice::FilterFixed(const float* in, float* out, int channels) const {
  auto run = [&](auto passes) {
    // Two value arrays and the splat's partial sums, kept between calls: a CRF filters the same
    // lattice every iteration, and fresh pages would be faulted in and zeroed each time.
    const int64_t row = (vertices_ + 1) * channels;
    const size_t needed = static_cast<size_t>(row) * (SplatChunks(points_) + 1);
    if (scratch_.size() < needed) scratch_.resize(needed);
    float* a = scratch_.data();
    float* b = a + row;
    passes.Splat(in, a, b + row);
    // Row `vertices` of both arrays stands for absent neighbours: zero.
    std::fill(b + row - channels, b + row, 0.0f);
    for (int axis = 0; axis <= D; ++axis) {
      passes.Blur(axis, a, b);
      std::swap(a, b);
    }
    passes.Slice(a, out);
  };
  auto make = [&]<int kChannels>() {
    return Passes<D, kChannels>{ChannelCount<kChannels>(channels),
                                points_,
                                vertices_,
                                vertex_.data(),
                                weight_.data(),
                                neighbours_.data()};
  };
  if (channels == 1) {
    run(make.template operator()<1>());
  } else if (channels == 2) {
    run(make.template operator()<2>());
  } else {
    run(make.template operator()<0>());
  }
}

void PermutohedralLattice::Filter(const float* in, float* out, int channels) const {
  RB_CHECK_ARG(channels >= 1, "lattice filter needs at least one channel, got {}", channels);
  if (points_ == 0) return;
  switch (dims_) {
#define RB_LATTICE_FILTER(D)           \
  case D:                              \
    FilterFixed<D>(in, out, channels); \
    break;
    RB_LATTICE_FILTER(1)
    RB_LATTICE_FILTER(2)
    RB_LATTICE_FILTER(3)
    RB_LATTICE_FILTER(4)
    RB_LATTICE_FILTER(5)
    RB_LATTICE_FILTER(6)
    RB_LATTICE_FILTER(7)
    RB_LATTICE_FILTER(8)
    RB_LATTICE_FILTER(9)
    RB_LATTICE_FILTER(10)
    RB_LATTICE_FILTER(11)
    RB_LATTICE_FILTER(12)
    RB_LATTICE_FILTER(13)
    RB_LATTICE_FILTER(14)
    RB_LATTICE_FILTER(15)
    RB_LATTICE_FILTER(16)
#undef RB_LATTICE_FILTER
  }
}

void GaussianFilterExact(const float* features, int64_t points, int dims, const float* in,
                         float* out, int channels) {
  TaskRanges(points, 64, [&](int64_t begin, int64_t end) {
    std::vector<double> acc(channels);
    for (int64_t i = begin; i < end; ++i) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t j = 0; j < points; ++j) {
        double d2 = 0;
        for (int k = 0; k < dims; ++k) {
          const double d = features[i * dims + k] - features[j * dims + k];
          d2 += d * d;
        }
        const double w = std::exp(-0.5 * d2);
        for (int c = 0; c < channels; ++c) acc[c] += w * in[j * channels + c];
      }
      for (int c = 0; c < channels; ++c) out[i * channels + c] = static_cast<float>(acc[c]);
    }
  });
}

}  // namespace rb::kernels::cpu
