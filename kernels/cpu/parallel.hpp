// Deterministic parallel loops for the CPU kernels: work is cut into pieces whose boundaries
// depend only on the problem size, never on the number of threads, so reductions combine the
// same partial sums in the same order whatever --threads is.
//
// The loops run on OpenMP's thread pool, the one oneDNN's primitives use: a net alternates
// between convolutions and elementwise kernels thousands of times per step, and one pool hands
// over between them at once, where two pools (OpenMP and TBB) would have each one's idle
// threads spin against the other's working ones.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>

namespace rb::kernels::cpu {

// Runs piece(k) for k in [0, pieces) on the pool (inline when already inside a parallel region
// or when there is one piece). The first exception thrown by a piece is rethrown afterwards.
template <class Piece>
void ParallelPieces(int64_t pieces, Piece&& piece) {
  if (pieces <= 0) return;
  if (pieces == 1 || omp_in_parallel()) {
    for (int64_t k = 0; k < pieces; ++k) piece(k);
    return;
  }
  std::exception_ptr error;
  std::mutex error_mutex;
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < pieces; ++k) {
    try {
      piece(k);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

// Calls body(begin, end) on disjoint ranges of about `grain` items covering [0, count).
template <class Body>
void ParallelRanges(int64_t count, int64_t grain, Body&& body) {
  if (count <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  ParallelPieces((count + grain - 1) / grain,
                 [&](int64_t k) { body(k * grain, std::min(count, (k + 1) * grain)); });
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

// Runs body(chunk, begin, end) for every chunk in parallel; callers keep one partial result
// per chunk and combine them in chunk order.
template <class Body>
void ParallelChunks(int64_t items, const Chunks& chunks, Body&& body) {
  ParallelPieces(chunks.count, [&](int64_t k) {
    body(k, k * chunks.size, std::min(items, (k + 1) * chunks.size));
  });
}

}  // namespace rb::kernels::cpu
