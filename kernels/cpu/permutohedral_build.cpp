// Building the permutohedral lattice of a point set: each point's enclosing simplex and
// barycentric weights (computed in parallel), the hash table that numbers the simplex vertices
// (filled sequentially in point order, so numbering never depends on the thread count), the
// blur neighbours.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>

#include "common/core/check.hpp"
#include "kernels/cpu/lattice_keys.hpp"
#include "kernels/cpu/lattice_simplex.hpp"
#include "kernels/cpu/task_parallel.hpp"
#include "roadbrew/kernels/permutohedral.hpp"

namespace rb::kernels::cpu {
namespace {

using lattice::AxisSteps;
using lattice::EnclosingSimplex;
using lattice::HashFilter;
using lattice::kAbsent;
using lattice::kCoordinateLimit;
using lattice::KeyLayout;
using lattice::KeyTable;
using lattice::SimplexTables;

// Lookups issued before the first of them is needed, so their cache misses overlap.
constexpr int kPrefetchDistance = 16;

// Blur neighbours: one step forward along axis j adds d + 1 to coordinate j and -1 to the others.
// `known` (vertex-major, id + 1 or 0) holds the forward neighbours the simplices revealed; the
// rest are looked up in a four-stage pipeline over vertices so that about kPrefetchDistance
// lookups are in flight: hash the keys and prefetch their filter words; screen them and prefetch
// the table slots; find each candidate and prefetch its key; resolve. Backward neighbours are
// the inverse map.
template <int D>
LargeVector<uint32_t> FindNeighbours(const KeyTable<D>& table, const LargeVector<uint32_t>& known) {
  constexpr int K = D + 1;
  constexpr int W = KeyLayout<D>::kWords;
  constexpr int kAhead = (kPrefetchDistance + K - 1) / K;
  constexpr int kRing = 3 * kAhead + 1;
  const int64_t vertices = table.size();
  const uint32_t absent = table.size();
  LargeVector<uint32_t> neighbours(static_cast<size_t>(K) * vertices * 2, absent);
  const std::array<uint64_t, K* W> step = AxisSteps<D>(true);
  struct Batch {
    std::array<uint64_t, K * W> keys;
    std::array<uint32_t, K> hashes;
    std::array<bool, K> maybe;  // unknown and possibly present
    std::array<typename KeyTable<D>::Candidate, K> candidates;
  };
  const HashFilter filter(table.hashes());
  TaskRanges(vertices, 8192, [&](int64_t begin, int64_t end) {
    std::array<Batch, kRing> ring;
    auto hash = [&](int64_t v) {
      Batch& b = ring[v % kRing];
      const uint64_t* key = table.key(static_cast<uint32_t>(v));
      for (int axis = 0; axis < K; ++axis) {
        b.maybe[axis] = known[v * K + axis] == 0;
        if (!b.maybe[axis]) continue;
        for (int w = 0; w < W; ++w) {
          b.keys[axis * W + w] = KeyLayout<D>::AddLanes(key[w], step[axis * W + w]);
        }
        b.hashes[axis] = KeyLayout<D>::Hash(&b.keys[axis * W]);
        filter.Prefetch(b.hashes[axis]);
      }
    };
    auto screen = [&](int64_t v) {
      Batch& b = ring[v % kRing];
      for (int axis = 0; axis < K; ++axis) {
        if (!b.maybe[axis]) continue;
        b.maybe[axis] = filter.MayContain(b.hashes[axis]);
        if (b.maybe[axis]) table.Prefetch(b.hashes[axis]);
      }
    };
    auto find = [&](int64_t v) {
      Batch& b = ring[v % kRing];
      for (int axis = 0; axis < K; ++axis) {
        if (!b.maybe[axis]) continue;
        b.candidates[axis] = table.FirstCandidate(b.hashes[axis]);
        if (b.candidates[axis].id != kAbsent) __builtin_prefetch(table.key(b.candidates[axis].id));
      }
    };
    for (int64_t v = begin; v < end + 3 * kAhead; ++v) {
      if (v < end) hash(v);
      if (v - kAhead >= begin && v - kAhead < end) screen(v - kAhead);
      if (v - 2 * kAhead >= begin && v - 2 * kAhead < end) find(v - 2 * kAhead);
      const int64_t u = v - 3 * kAhead;
      if (u < begin) continue;
      const Batch& b = ring[u % kRing];
      for (int axis = 0; axis < K; ++axis) {
        uint32_t id = known[u * K + axis] - 1;  // kAbsent when unknown
        if (b.maybe[axis])
          id = table.Resolve(&b.keys[axis * W], b.hashes[axis], b.candidates[axis]);
        if (id != kAbsent) neighbours[(axis * vertices + u) * 2] = id;
      }
    }
  });
  // next is injective, so every backward entry is written at most once.
  TaskRanges(vertices, 8192, [&](int64_t begin, int64_t end) {
    for (int axis = 0; axis < K; ++axis) {
      uint32_t* row = &neighbours[static_cast<size_t>(axis) * vertices * 2];
      for (int64_t v = begin; v < end; ++v) {
        if (row[v * 2] != absent) row[row[v * 2] * size_t{2} + 1] = static_cast<uint32_t>(v);
      }
    }
  });
  return neighbours;
}

}  // namespace

// Simplices of the points in blocks: computed in parallel, then their vertices numbered in point
// order (sequential, so the numbering never depends on the thread count).
template <int D>
void PermutohedralLattice::Build(const float* features) {
  constexpr int K = D + 1;
  constexpr int W = KeyLayout<D>::kWords;
  const SimplexTables<D> tables;
  const int64_t entries = points_ * K;
  vertex_.resize(entries);
  weight_.resize(entries);
  KeyTable<D> table(points_, entries);
  constexpr int64_t kBlock = 16384;
  LargeVector<uint64_t> keys(kBlock * K * W);
  LargeVector<uint32_t> hashes(kBlock * K);
  LargeVector<uint8_t> links(kBlock * K);
  LargeVector<uint32_t> known;  // forward neighbours the simplices reveal (FindNeighbours)
  for (int64_t start = 0; start < points_; start += kBlock) {
    const int64_t count = std::min(kBlock, points_ - start);
    std::atomic<int64_t> first_bad{points_};
    TaskRanges(count, 2048, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const int64_t point = start + p;
        if (EnclosingSimplex<D>(features + point * D, tables, &keys[p * K * W], &weight_[point * K],
                                &links[p * K])) {
          for (int k = 0; k < K; ++k) {
            hashes[p * K + k] = KeyLayout<D>::Hash(&keys[(p * K + k) * W]);
          }
          continue;
        }
        int64_t seen = first_bad.load();
        while (point < seen && !first_bad.compare_exchange_weak(seen, point)) {
        }
      }
    });
    if (const int64_t bad = first_bad.load(); bad < points_) {
      Throw(ErrorCode::kInvalidArgument,
            "lattice feature of point {} is not finite or lies beyond about {:.0f} standard "
            "deviations from the origin",
            bad, kCoordinateLimit / ((D + 1) * std::sqrt(2.0 / 3.0)));
    }
    const int64_t block_entries = count * K;
    for (int64_t p = 0; p < count; ++p) {
      uint32_t* ids = &vertex_[(start + p) * K];
      for (int k = 0; k < K; ++k) {
        const int64_t e = p * K + k;
        // Two stages ahead: the slot, then the key a hit will compare.
        if (e + 2 * kPrefetchDistance < block_entries) {
          table.Prefetch(hashes[e + 2 * kPrefetchDistance]);
        }
        if (e + kPrefetchDistance < block_entries) table.PrefetchKey(hashes[e + kPrefetchDistance]);
        ids[k] = table.Insert(&keys[e * W], hashes[e]);
      }
      if (known.size() < static_cast<size_t>(table.size()) * K) {
        known.resize(static_cast<size_t>(table.size()) * K, 0);
      }
      for (int k = 0; k < K; ++k) {
        known[static_cast<size_t>(ids[(k + 1) % K]) * K + links[p * K + k]] = ids[k] + 1;
      }
    }
  }
  vertices_ = table.size();
  neighbours_ = FindNeighbours(table, known);
}

PermutohedralLattice::PermutohedralLattice(const float* features, int64_t points, int dims)
    : points_(points), dims_(dims) {
  RB_CHECK_ARG(dims >= 1 && dims <= kMaxDims, "lattice dimension {} is outside [1, {}]", dims,
               kMaxDims);
  RB_CHECK_ARG(points >= 0 && points * (dims + 1) < int64_t{kAbsent},
               "{} points of dimension {} exceed the lattice's 2^32 simplex entries", points, dims);
  if (points == 0) return;
  switch (dims) {
#define RB_LATTICE_BUILD(D) \
  case D:                   \
    Build<D>(features);     \
    break;
    RB_LATTICE_BUILD(1)
    RB_LATTICE_BUILD(2)
    RB_LATTICE_BUILD(3)
    RB_LATTICE_BUILD(4)
    RB_LATTICE_BUILD(5)
    RB_LATTICE_BUILD(6)
    RB_LATTICE_BUILD(7)
    RB_LATTICE_BUILD(8)
    RB_LATTICE_BUILD(9)
    RB_LATTICE_BUILD(10)
    RB_LATTICE_BUILD(11)
    RB_LATTICE_BUILD(12)
    RB_LATTICE_BUILD(13)
    RB_LATTICE_BUILD(14)
    RB_LATTICE_BUILD(15)
    RB_LATTICE_BUILD(16)
#undef RB_LATTICE_BUILD
  }
}

size_t PermutohedralLattice::MemoryBytes() const {
  return 4 * (vertex_.size() + weight_.size() + neighbours_.size() + scratch_.size());
}

}  // namespace rb::kernels::cpu
