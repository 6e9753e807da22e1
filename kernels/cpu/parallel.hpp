// Deterministic parallel loops for the CPU kernels: work is cut into chunks whose boundaries
// depend only on the problem size, never on the number of threads, so reductions combine the
// same partial sums in the same order whatever --threads is.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace rb::kernels::cpu {

// Calls body(begin, end) on disjoint ranges covering [0, count).
template <class Body>
void ParallelRanges(int64_t count, int64_t grain, Body&& body) {
  if (count <= 0) return;
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, count, std::max<int64_t>(grain, 1)),
                    [&](const tbb::blocked_range<int64_t>& r) { body(r.begin(), r.end()); });
}

// Fixed chunking for reductions: chunk k covers [k * size, (k + 1) * size).
struct Chunks {
  int64_t count;
  int64_t size;
  static Chunks For(int64_t items, int64_t min_size = 1024) {
    int64_t size = std::max<int64_t>(min_size, (items + 255) / 256);
    return {(items + size - 1) / size, size};
  }
};

// Runs body(chunk, begin, end) for every chunk, in parallel, with simple (deterministic)
// partitioning; callers keep one partial result per chunk and combine them in chunk order.
template <class Body>
void ParallelChunks(int64_t items, const Chunks& chunks, Body&& body) {
  tbb::parallel_for(
      tbb::blocked_range<int64_t>(0, chunks.count, 1),
      [&](const tbb::blocked_range<int64_t>& r) {
        for (int64_t k = r.begin(); k < r.end(); ++k) {
          body(k, k * chunks.size, std::min(items, (k + 1) * chunks.size));
        }
      },
      tbb::simple_partitioner());
}

}  // namespace rb::kernels::cpu
