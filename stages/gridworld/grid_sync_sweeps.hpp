// Synchronous (Jacobi) value-iteration sweeps for the baseline's model (4 actions,
// succeed-or-stay), several sweeps fused into one pass over memory.
//
// One sweep of the textbook operator, V'(s) = r + gamma (V(s) + max_a T(t_a) (V(t_a) - V(s))),
// reads a cell's 4 neighbours and writes one value: ~25 bytes of traffic for ~15 flops, so a
// sweep at a time is bound by memory bandwidth. Row r of sweep l needs only rows r-1..r+1 of
// sweep l-1, so a strip of rows runs `depth` sweeps as a wavefront: each step computes one new
// row of every sweep, keeping three rows per intermediate sweep in a cache-sized ring (temporal
// blocking). Strips overlap by depth - 1 rows on each side and recompute them, so strips run in
// parallel without exchanging anything. Every value is computed by the same expression as a
// sweep at a time, so the result is bit-identical for any depth and any strip cut.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "stages/gridworld/grid_world.hpp"

namespace rb::gridworld {

// Sweeps per pass that keep a strip's rings (3 rows per sweep, `stride` doubles each) and its
// traversability rows within about 1 MB, in [1, 32].
int FusedSweepDepth(int stride);

// Padded: 1.0 for the states whose values are updated (ActiveStates), 0.0 elsewhere. Doubles, so
// the kernel's select works on lanes as wide as the values: with bytes GCC vectorises for 64
// lanes at once and spills registers.
std::vector<double> UpdateMask(const GridWorld& world);

// Runs `changes.size()` (>= 1) synchronous sweeps from `v` (padded) into `out` (padded, same
// size; its frame is copied from v). changes[l] = max |V_{l+1} - V_l| over the states: the
// change of the (l+1)-th sweep. Only states whose `mask` (UpdateMask) is 1 are updated. Strips
// in parallel.
void FusedSyncSweeps(const GridWorld& world, const std::vector<double>& mask,
                     const std::vector<double>& v, std::vector<double>& out,
                     std::span<double> changes);

}  // namespace rb::gridworld
