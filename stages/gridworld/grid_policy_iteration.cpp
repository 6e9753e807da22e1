// Policy iteration on the gridworld (Sutton & Barto 4.3) with a terminating improvement rule.
//
// Evaluation is iterative, so values carry an error e <= gamma * tol_eval / (1 - gamma); with
// tol_eval = tolerance * (1 - gamma), e <= gamma * tolerance. Comparing two action values then
// errs by at most 2 gamma e < 2 * tolerance, so an action replaced only when another is better by
// more than 2 * tolerance is a true improvement: the policy never returns to an earlier one and
// the loop ends, however the ties fall.
#include <chrono>
#include <cmath>
#include <limits>

#include "kernels/cpu/parallel.hpp"
#include "stages/gridworld/grid_solvers.hpp"
#include "stages/gridworld/grid_sweeps.hpp"

namespace rb::gridworld {
namespace {

using Clock = std::chrono::steady_clock;

// The action pointing most nearly at the nearest goal (straight-line), first in code order on
// ties: on open ground it is already optimal, so improvements only have to fix the detours.
std::vector<uint8_t> HeadForGoal(const GridWorld& world) {
  std::vector<uint8_t> policy(world.kind.size(), 0);
  for (int row = 0; row < world.height; ++row) {
    for (int column = 0; column < world.width; ++column) {
      size_t s = world.Padded(column, row);
      double gx = 0, gy = 0, nearest = std::numeric_limits<double>::infinity();
      for (size_t g : world.goals) {
        double dx = static_cast<double>(g % world.stride) - (column + 1);
        double dy = static_cast<double>(g / world.stride) - (row + 1);
        if (dx * dx + dy * dy < nearest) nearest = dx * dx + dy * dy, gx = dx, gy = dy;
      }
      double best = -std::numeric_limits<double>::infinity();
      for (int a = 0; a < world.ActionCount(); ++a) {
        Step step = StepOf(world.codes[a]);
        double dot = (step.dx * gx + step.dy * gy) / std::hypot(step.dx, step.dy);
        if (dot > best) best = dot, policy[s] = static_cast<uint8_t>(a);
      }
    }
  }
  return policy;
}

// Replaces actions beaten by more than `margin`; returns how many changed.
int64_t Improve(const GridWorld& world, const std::vector<double>& v,
                const std::vector<uint8_t>& active, double margin, std::vector<uint8_t>& policy) {
  std::vector<int64_t> changed(world.height, 0);
  kernels::cpu::ParallelRanges(world.height, world.RowGrain(), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      for (int column = 0; column < world.width; ++column) {
        size_t s = world.Padded(column, static_cast<int>(row));
        if (!active[s]) continue;
        double current = detail::ActionValue(world, v, s, policy[s]);
        int best = policy[s];
        double best_q = current + margin;
        for (int a = 0; a < world.ActionCount(); ++a) {
          double q = detail::ActionValue(world, v, s, a);
          if (q > best_q) best = a, best_q = q;
        }
        changed[row] += best != policy[s];
        policy[s] = static_cast<uint8_t>(best);
      }
    }
  });
  int64_t total = 0;
  for (int64_t n : changed) total += n;
  return total;
}

}  // namespace

GridSolution PolicyIteration(const GridWorld& world, const SolveOptions& options) {
  auto start = Clock::now();
  GridSolution solution;
  solution.solver = options.sweep == Sweep::kSync ? "policy iteration (sync evaluation)"
                                                  : "policy iteration (in-place evaluation)";
  std::vector<double> v = detail::StartValues(world, options, &solution.warm_start_reset);
  std::vector<uint8_t> active = ActiveStates(world);
  // Warm starts keep the start's greedy moves where they beat heading for the goal; states reset
  // to the floor (all moves alike) head for the goal.
  std::vector<uint8_t> policy = HeadForGoal(world);
  const double margin = 2 * options.tolerance;
  if (!options.initial.empty()) Improve(world, v, active, margin, policy);
  const double eval_tolerance = options.tolerance * (1 - world.spec.gamma);
  std::unique_ptr<InPlaceSweeper> sweeper = MakeGeneralSweeper(world, &policy);
  std::vector<double> next = v;
  bool evaluated = true;
  while (solution.iterations < options.max_iterations) {
    ++solution.iterations;
    double change = 0;
    int64_t sweeps = 0;
    do {
      if (options.sweep == Sweep::kSync) {
        change = SyncEvaluationSweep(world, policy, active, v, next);
        v.swap(next);
      } else {
        change = sweeper->Sweep(v, active, sweeps);
      }
      ++sweeps;
    } while (change >= eval_tolerance && sweeps < options.max_iterations);
    solution.sweeps += sweeps;
    solution.last_change = change;
    evaluated = change < eval_tolerance;
    if (Improve(world, v, active, margin, policy) == 0) {
      solution.converged = evaluated;
      break;
    }
  }
  detail::Finish(world, v, solution, &policy);
  solution.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return solution;
}

}  // namespace rb::gridworld
