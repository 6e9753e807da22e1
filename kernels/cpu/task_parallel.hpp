// Parallel loops on TBB's work-stealing pool, for kernels made of many short passes (the
// permutohedral lattice, mean-field updates). Same contract as parallel.hpp: pieces and ranges
// are fixed by the problem size alone, and each writes its own outputs, so results never depend
// on the thread count.
//
// Why not the OpenMP pool of parallel.hpp: its static schedule hands each thread a fixed share
// and its threads spin at every barrier, so on a machine shared with other work a descheduled
// thread stalls the whole pass while its partner burns CPU (measured on 2 busy cores: a
// 1300 x 1300 CRF took 3x longer on 2 threads than on 1). TBB's idle workers steal the
// remaining pieces and then sleep. The thread count is the run's (RunContext's global_control).
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <algorithm>
#include <cstdint>

namespace rb::kernels::cpu {

// Runs piece(k) for k in [0, pieces), inline when there is one piece. Exceptions propagate.
template <class Piece>
void TaskPieces(int64_t pieces, Piece&& piece) {
  if (pieces <= 0) return;
  if (pieces == 1) {
    piece(0);
    return;
  }
  tbb::parallel_for(
      tbb::blocked_range<int64_t>(0, pieces, 1),
      [&](const tbb::blocked_range<int64_t>& r) {
        for (int64_t k = r.begin(); k < r.end(); ++k) piece(k);
      },
      tbb::simple_partitioner());
}

// Calls body(begin, end) on disjoint ranges of `grain` items (the last one shorter) covering
// [0, count).
template <class Body>
void TaskRanges(int64_t count, int64_t grain, Body&& body) {
  if (count <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  TaskPieces((count + grain - 1) / grain,
             [&](int64_t k) { body(k * grain, std::min(count, (k + 1) * grain)); });
}

}  // namespace rb::kernels::cpu
