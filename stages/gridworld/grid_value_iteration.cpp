// Value iteration on the gridworld: synchronous (Jacobi) or in-place (Gauss-Seidel) sweeps, each
// with a specialised kernel for the baseline's model (4 actions, succeed-or-stay) and a general
// one for 8 actions and slips.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "kernels/cpu/parallel.hpp"
#include "stages/gridworld/grid_solvers.hpp"
#include "stages/gridworld/grid_sweeps.hpp"

namespace rb::gridworld {
namespace {

using Clock = std::chrono::steady_clock;

// Whether the specialised kernels apply: 4 actions, no slips (no corner rule without diagonals).
bool FastModel(const GridWorld& world, const SolveOptions& options) {
  return !options.general_kernels && world.spec.actions == 4 && world.spec.SucceedOrStay();
}

// One synchronous sweep of the textbook operator for 4 actions, succeed-or-stay:
//   V'(s) = r + gamma (V(s) + max_a T(t_a) (V(t_a) - V(s))).
// Rows in parallel; returns max |V' - V|.
double SyncSweepFast(const GridWorld& world, const std::vector<uint8_t>& active,
                     const std::vector<double>& v, std::vector<double>& next) {
  const double r = world.spec.step_reward, gamma = world.spec.gamma;
  const std::ptrdiff_t up = -world.stride, down = world.stride;
  std::vector<double> change(world.height, 0.0);
  kernels::cpu::ParallelRanges(world.height, world.RowGrain(), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const size_t base = world.Padded(0, static_cast<int>(row));
      const double* t = world.traversability.data() + base;
      const double* x = v.data() + base;
      const uint8_t* on = active.data() + base;
      double* y = next.data() + base;
      double m = 0;
      // Plain selects on locals (no std::max references) so the loop vectorises.
#pragma omp simd reduction(max : m)
      for (int c = 0; c < world.width; ++c) {
        const double xc = x[c];
        double q1 = t[c + up] * (x[c + up] - xc), q2 = t[c + down] * (x[c + down] - xc);
        double q3 = t[c - 1] * (x[c - 1] - xc), q4 = t[c + 1] * (x[c + 1] - xc);
        double b1 = q1 > q2 ? q1 : q2, b2 = q3 > q4 ? q3 : q4;
        double best = b1 > b2 ? b1 : b2;
        double z = on[c] ? r + gamma * (xc + best) : xc;
        y[c] = z;
        double d = z > xc ? z - xc : xc - z;
        m = m > d ? m : d;
      }
      change[row] = m;
    }
  });
  return *std::max_element(change.begin(), change.end());
}

// One synchronous sweep of the textbook operator, any model.
double SyncSweepGeneral(const GridWorld& world, const std::vector<uint8_t>& active,
                        const std::vector<double>& v, std::vector<double>& next) {
  std::vector<double> change(world.height, 0.0);
  kernels::cpu::ParallelRanges(world.height, world.RowGrain(), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      double m = 0;
      for (int column = 0; column < world.width; ++column) {
        size_t s = world.Padded(column, static_cast<int>(row));
        double z = v[s];
        if (active[s]) {
          z = detail::ActionValue(world, v, s, 0);
          for (int a = 1; a < world.ActionCount(); ++a) {
            z = std::max(z, detail::ActionValue(world, v, s, a));
          }
        }
        next[s] = z;
        m = std::max(m, std::abs(z - v[s]));
      }
      change[row] = m;
    }
  });
  return *std::max_element(change.begin(), change.end());
}

}  // namespace

GridSolution ValueIteration(const GridWorld& world, const SolveOptions& options) {
  auto start = Clock::now();
  GridSolution solution;
  std::vector<double> v = detail::StartValues(world, options, &solution.warm_start_reset);
  std::vector<uint8_t> active = ActiveStates(world);
  const bool fast = FastModel(world, options);
  std::vector<double> next;
  std::unique_ptr<InPlaceSweeper> sweeper;
  if (options.sweep == Sweep::kSync) {
    next = v;
    solution.solver = "value iteration (sync)";
  } else {
    sweeper = fast ? MakeRowScanSweeper(world) : MakeGeneralSweeper(world, nullptr);
    solution.solver = "value iteration (in-place)";
  }
  double change = 0;
  while (solution.sweeps < options.max_iterations) {
    ++solution.sweeps;
    if (options.sweep == Sweep::kSync) {
      change =
          fast ? SyncSweepFast(world, active, v, next) : SyncSweepGeneral(world, active, v, next);
      v.swap(next);
    } else {
      change = sweeper->Sweep(v, active, solution.sweeps - 1);
    }
    if (change < options.tolerance) {
      solution.converged = true;
      break;
    }
  }
  solution.iterations = solution.sweeps;
  solution.last_change = change;
  detail::Finish(world, v, solution);
  solution.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return solution;
}

}  // namespace rb::gridworld
