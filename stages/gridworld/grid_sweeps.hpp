// In-place (Gauss-Seidel) sweeps of the gridworld, shared by value iteration and by policy
// evaluation. Each update solves the state's own "stay" term exactly (Puterman 1994, 6.3.3):
//   V(s) <- (r + gamma sum_k p_k V(n_k)) / (1 - gamma p_stay),
// which has the same fixed point as the textbook update and contracts at least as fast. Updates
// use the newest values of the neighbours, so values travel along a route in one sweep when the
// sweep runs the route's way; alternating sweep orders cover every direction.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/cpu/parallel.hpp"
#include "stages/gridworld/grid_world.hpp"

namespace rb::gridworld {

class InPlaceSweeper {
 public:
  virtual ~InPlaceSweeper() = default;
  // One sweep over the grid in the order picked by `index` (0, 1, 2, ...), updating `v` (padded)
  // where `active` is 1; returns the largest change of a value.
  virtual double Sweep(std::vector<double>& v, const std::vector<uint8_t>& active,
                       int64_t index) = 0;
};

// 4 actions, succeed-or-stay, maximising over actions: a sweep runs the rows top to bottom (even
// index) or bottom to top (odd), and scans each row left to right and then back, so every state
// is updated twice and horizontal runs of any length settle within one sweep. Entering t is
// worth A(t) V(t) + B(t), with A, B precomputed per cell.
std::unique_ptr<InPlaceSweeper> MakeRowScanSweeper(const GridWorld& world);

// Any model. Maximises over the actions, or, with `policy` (padded, one action index per state,
// kept by the caller while the sweeper lives), evaluates that policy. Sweeps cycle through the
// four raster orders.
std::unique_ptr<InPlaceSweeper> MakeGeneralSweeper(const GridWorld& world,
                                                   const std::vector<uint8_t>* policy);

// Padded: 1 for the states whose values are updated (every state but the goals).
std::vector<uint8_t> ActiveStates(const GridWorld& world);

// One synchronous sweep: next[s] = update(s) where `active` is 1, v[s] elsewhere; returns the
// largest change. Rows in parallel (per-row maxima, so the result is the same for any threads).
template <class Update>
double SyncSweep(const GridWorld& world, const std::vector<uint8_t>& active,
                 const std::vector<double>& v, std::vector<double>& next, Update&& update) {
  std::vector<double> change(world.height, 0.0);
  kernels::cpu::ParallelRanges(world.height, world.RowGrain(), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      double m = 0;
      for (int column = 0; column < world.width; ++column) {
        size_t s = world.Padded(column, static_cast<int>(row));
        double z = active[s] ? update(s) : v[s];
        next[s] = z;
        m = std::max(m, std::abs(z - v[s]));
      }
      change[row] = m;
    }
  });
  return *std::max_element(change.begin(), change.end());
}

// One synchronous sweep evaluating `policy` with the textbook update (no stay elimination);
// writes `next`, returns the largest change. Rows in parallel.
double SyncEvaluationSweep(const GridWorld& world, const std::vector<uint8_t>& policy,
                           const std::vector<uint8_t>& active, const std::vector<double>& v,
                           std::vector<double>& next);

}  // namespace rb::gridworld
