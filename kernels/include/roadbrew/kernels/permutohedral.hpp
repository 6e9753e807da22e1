// Gaussian filtering in a d-dimensional feature space with the permutohedral lattice (Adams,
// Baek and Davis, "Fast high-dimensional filtering using the permutohedral lattice",
// Eurographics 2010): values are splatted onto the vertices of the simplices enclosing the
// points, blurred along the d + 1 lattice axes and sliced back. Cost is linear in the number of
// points, so a dense CRF's message passing (every pixel against every pixel) costs a few passes
// over the image instead of N^2.
//
// The lattice of one point set is built once and then filters any number of value sets (a dense
// CRF filters the same image every mean-field iteration). CPU only: a GPU path would need its own
// hash-table kernels (shared notes networks.md 3.3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "roadbrew/kernels/large_buffer.hpp"

namespace rb::kernels::cpu {

class PermutohedralLattice {
 public:
  // Largest feature dimension: x, y and up to 14 image bands.
  static constexpr int kMaxDims = 16;

  // `features`: `points` x `dims` floats, point-major, each coordinate already divided by the
  // kernel's standard deviation along it. Throws kInvalidArgument when dims is outside
  // [1, kMaxDims], points * (dims + 1) reaches 2^32, a feature is not finite, or features lie
  // so far from the origin that lattice coordinates leave 16 bits (beyond about
  // 40000 / (dims + 1) standard deviations; a 1300-pixel tile with sxy 3 reaches 433).
  //
  // Deterministic: vertex numbering, and therefore every filtered value, depends only on the
  // features, never on the thread count. Vertices are numbered in the order the points first
  // touch them, so points that are close in memory use vertices close in memory.
  PermutohedralLattice(const float* features, int64_t points, int dims);

  PermutohedralLattice(PermutohedralLattice&&) noexcept = default;
  PermutohedralLattice& operator=(PermutohedralLattice&&) noexcept = default;

  // out[i][c] = sum_j w(i, j) in[j][c] for c < channels, where w(i, j) approximates
  // s * exp(-|f_i - f_j|^2 / 2) with one constant s (j = i included; normalise by filtering
  // ones). On points spread like image pixels the normalised filter matches the exact one to
  // a few hundredths of the values' range (test/kernels/permutohedral_test.cpp states the bound).
  // `in` and `out` are points x channels floats, point-major; they may be the same array.
  // Uses the lattice's scratch memory: one Filter at a time per lattice (its passes run in
  // parallel inside).
  void Filter(const float* in, float* out, int channels) const;

  int64_t points() const { return points_; }
  int dims() const { return dims_; }
  // Lattice vertices touched by the points (at most points * (dims + 1)).
  int64_t vertices() const { return vertices_; }
  // Bytes held by the lattice's tables.
  size_t MemoryBytes() const;

 private:
  template <int kDims>
  void Build(const float* features);
  template <int kDims>
  void FilterFixed(const float* in, float* out, int channels) const;

  int64_t points_ = 0;
  int dims_ = 0;
  int64_t vertices_ = 0;
  // Per point and simplex vertex k (points x (dims + 1)): the vertex id and barycentric weight.
  LargeVector<uint32_t> vertex_;
  LargeVector<float> weight_;
  // Blur neighbours, axis-major: neighbours_[(axis * vertices + v) * 2 + {0, 1}] is the vertex
  // one step forward and one step back along the axis, or `vertices` (a zero row) when absent.
  LargeVector<uint32_t> neighbours_;
  mutable LargeVector<float> scratch_;  // Filter's value arrays
};

// The explicit O(points^2 * dims) filter the lattice approximates, the reference in tests:
// out[i][c] = sum_j exp(-|f_i - f_j|^2 / 2) in[j][c]. Same layouts as the lattice's Filter;
// `in` and `out` must not overlap.
void GaussianFilterExact(const float* features, int64_t points, int dims, const float* in,
                         float* out, int channels);

}  // namespace rb::kernels::cpu
