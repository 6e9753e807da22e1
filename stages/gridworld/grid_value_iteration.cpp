// Value iteration on the gridworld: synchronous (Jacobi) or in-place (Gauss-Seidel) sweeps, each
// with a specialised kernel for the baseline's model (4 actions, succeed-or-stay; the synchronous
// one fuses several sweeps per pass, grid_sync_sweeps.hpp) and a general one for 8 actions and
// slips.
#include <algorithm>
#include <chrono>

#include "stages/gridworld/grid_solvers.hpp"
#include "stages/gridworld/grid_sweeps.hpp"
#include "stages/gridworld/grid_sync_sweeps.hpp"

namespace rb::gridworld {
namespace {

using Clock = std::chrono::steady_clock;

// Whether the specialised kernels apply: 4 actions, no slips (no corner rule without diagonals).
bool FastModel(const GridWorld& world, const SolveOptions& options) {
  return !options.general_kernels && world.spec.actions == 4 && world.spec.SucceedOrStay();
}

// One synchronous sweep of the textbook operator, any model.
double SyncSweepGeneral(const GridWorld& world, const std::vector<uint8_t>& active,
                        const std::vector<double>& v, std::vector<double>& next) {
  return SyncSweep(world, active, v, next, [&](size_t s) {
    double z = detail::ActionValue(world, v, s, 0);
    for (int a = 1; a < world.ActionCount(); ++a) {
      z = std::max(z, detail::ActionValue(world, v, s, a));
    }
    return z;
  });
}

// Synchronous sweeps from v until a sweep changes no value by tolerance or the budget is spent;
// the fast model runs FusedSweepDepth sweeps per pass and, when a pass converges before its last
// sweep, reruns it from its input to stop exactly where sweep-at-a-time would.
double SyncValueIteration(const GridWorld& world, const SolveOptions& options, bool fast,
                          std::vector<double>& v, GridSolution& solution) {
  std::vector<uint8_t> active = fast ? std::vector<uint8_t>{} : ActiveStates(world);
  std::vector<double> mask = fast ? UpdateMask(world) : std::vector<double>{};
  std::vector<double> next = v, changes;
  const int depth = fast ? FusedSweepDepth(world.stride) : 1;
  while (solution.sweeps < options.max_iterations) {
    changes.assign(std::min<int64_t>(depth, options.max_iterations - solution.sweeps), 0.0);
    if (fast) {
      FusedSyncSweeps(world, mask, v, next, changes);
      auto first = std::find_if(changes.begin(), changes.end(),
                                [&](double c) { return c < options.tolerance; });
      if (first != changes.end() && first + 1 != changes.end()) {
        changes.resize(first - changes.begin() + 1);
        FusedSyncSweeps(world, mask, v, next, changes);
      }
    } else {
      changes[0] = SyncSweepGeneral(world, active, v, next);
    }
    solution.sweeps += static_cast<int64_t>(changes.size());
    v.swap(next);
    if (changes.back() < options.tolerance) {
      solution.converged = true;
      break;
    }
  }
  return changes.empty() ? 0.0 : changes.back();
}

}  // namespace

GridSolution ValueIteration(const GridWorld& world, const SolveOptions& options) {
  auto start = Clock::now();
  GridSolution solution;
  std::vector<double> v = detail::StartValues(world, options, &solution.warm_start_reset);
  const bool fast = FastModel(world, options);
  double change = 0;
  if (options.sweep == Sweep::kSync) {
    solution.solver = "value iteration (sync)";
    change = SyncValueIteration(world, options, fast, v, solution);
  } else {
    solution.solver = "value iteration (in-place)";
    std::vector<uint8_t> active = ActiveStates(world);
    std::unique_ptr<InPlaceSweeper> sweeper =
        fast ? MakeRowScanSweeper(world) : MakeGeneralSweeper(world, nullptr);
    while (solution.sweeps < options.max_iterations) {
      change = sweeper->Sweep(v, active, solution.sweeps++);
      if (change < options.tolerance) {
        solution.converged = true;
        break;
      }
    }
  }
  solution.iterations = solution.sweeps;
  solution.last_change = change;
  detail::Finish(world, v, solution);
  solution.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return solution;
}

}  // namespace rb::gridworld
