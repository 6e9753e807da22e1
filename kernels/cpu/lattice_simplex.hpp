// Private to the permutohedral lattice build: the enclosing simplex of a point (Adams et al.
// 2010: elevate onto the hyperplane, round to the nearest remainder-0 point, rank the residuals,
// step through the simplex's vertices).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "kernels/cpu/lattice_keys.hpp"

namespace rb::kernels::cpu::lattice {

// Lattice coordinates are int16: remainder-0 points stay this far inside the range so that the
// simplex offsets (< d + 1) and blur steps (< d + 1) cannot wrap.
constexpr int kCoordinateLimit = 32767 - 2 * 17;

template <int D>
struct SimplexTables {
  // (D + 1) sqrt(2/3) makes the splat-blur-slice variance match the features' unit standard
  // deviation; 1 / sqrt((i + 1)(i + 2)) are the diagonal terms of the elevation matrix E.
  std::array<float, D> scale;
  // One step back along each axis (AxisSteps): from simplex vertex k to vertex k + 1.
  std::array<uint64_t, (D + 1) * KeyLayout<D>::kWords> back = AxisSteps<D>(false);
  SimplexTables() {
    for (int i = 0; i < D; ++i) {
      scale[i] =
          static_cast<float>((D + 1) * std::sqrt(2.0 / 3.0) / std::sqrt((i + 1.0) * (i + 2)));
    }
  }
};

// The enclosing simplex of one point (D features): per vertex k the key (KeyLayout) in
// keys[k * kWords], the barycentric weight, and the axis links[k] along which one step forward
// leads from vertex (k + 1) mod (D + 1) to vertex k (consecutive vertices are lattice
// neighbours, so a simplex reveals D + 1 blur neighbours without a lookup). Returns false when a
// feature is not finite or a coordinate would leave the int16 range. (Computing a batch of points
// with the points innermost vectorises, but measured slower: the ranks and keys need per-point
// scatters.)
template <int D>
bool EnclosingSimplex(const float* feature, const SimplexTables<D>& tables, uint64_t* keys,
                      float* weights, uint8_t* links) {
  constexpr int K = D + 1;
  constexpr int W = KeyLayout<D>::kWords;
  bool ok = true;
  // Elevate onto the hyperplane sum(x) = 0 of R^(D+1) (the matrix E, applied in O(D)).
  std::array<float, K> elevated;
  float sum_so_far = 0;
  for (int i = D; i > 0; --i) {
    ok &= std::isfinite(feature[i - 1]);
    const float cf = feature[i - 1] * tables.scale[i - 1];
    elevated[i] = sum_so_far - i * cf;
    sum_so_far += cf;
  }
  elevated[0] = sum_so_far;
  // Nearest remainder-0 coordinates, then ranks of the residuals (0 = largest).
  std::array<int, K> rem0;
  std::array<int, K> rank;
  std::array<float, K> residual;
  int coordinate_sum = 0;
  constexpr float kLimit = kCoordinateLimit - 2 * K;
  for (int i = 0; i < K; ++i) ok &= std::abs(elevated[i]) <= kLimit;  // false for NaN too
  for (int i = 0; i < K; ++i) {
    // A flagged point becomes the origin (on the hyperplane, so the steps below stay in range,
    // and the int conversion defined); the nearer multiple of K without a branch (ties go down,
    // as in densecrf).
    const float e = ok ? elevated[i] : 0.0f;
    const float scaled = e * (1.0f / K);
    const int truncated = static_cast<int>(scaled);  // floor without a libm call:
    const int below = truncated - static_cast<int>(scaled < static_cast<float>(truncated));
    const float down = static_cast<float>(below * K);
    const int quotient = below + static_cast<int>(down + K - e < e - down);
    rem0[i] = quotient * K;
    residual[i] = e - static_cast<float>(rem0[i]);
    coordinate_sum += quotient;
  }
  // Ranks by counting, without branches (the comparisons are coin flips, and mispredicted
  // branches cost more than the K^2 compares); ties go to the lower index.
  for (int i = 0; i < K; ++i) {
    int r = 0;
    for (int j = 0; j < K; ++j) {
      r += (residual[j] > residual[i]) | ((residual[j] == residual[i]) & (j < i));
    }
    rank[i] = r;
  }
  // Off the hyperplane by coordinate_sum steps: move the coordinates with the smallest (or
  // largest) residuals by one lattice spacing, which makes them the largest (smallest).
  for (int i = 0; i < K; ++i) {
    const int down = (coordinate_sum > 0) & (rank[i] >= K - coordinate_sum);
    const int up = (coordinate_sum < 0) & (rank[i] < -coordinate_sum);
    rem0[i] += K * (up - down);
    rank[i] += coordinate_sum + K * (up - down);
  }
  std::array<float, K + 1> bary{};
  std::array<int, K> axis_of_rank;
  for (int i = 0; i < K; ++i) {
    const float delta = (elevated[i] - rem0[i]) * (1.0f / K);
    bary[D - rank[i]] += delta;
    bary[K - rank[i]] -= delta;
    axis_of_rank[rank[i]] = i;
  }
  bary[0] += 1.0f + bary[K];
  // Vertex 0 is rem0; vertex k + 1 is vertex k plus one in every coordinate but the one ranked
  // D - k, which loses D: one step back along that axis. Lanes are assembled in registers
  // (storing int16 lanes and reading the words back would stall store forwarding).
  std::array<uint64_t, W> word{};
  for (int i = 0; i < D; ++i) {
    word[i / 4] |= static_cast<uint64_t>(static_cast<uint16_t>(rem0[i])) << (16 * (i % 4));
  }
  for (int k = 0; k < K; ++k) {
    weights[k] = bary[k];
    links[k] = static_cast<uint8_t>(axis_of_rank[D - k]);
    for (int w = 0; w < W; ++w) keys[k * W + w] = word[w];
    if (k == D) break;
    const uint64_t* step = &tables.back[axis_of_rank[D - k] * W];
    for (int w = 0; w < W; ++w) word[w] = KeyLayout<D>::AddLanes(word[w], step[w]);
  }
  return ok;
}

}  // namespace rb::kernels::cpu::lattice
