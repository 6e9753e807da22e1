// What every gridworld solver shares: starting values, the textbook action value, and the common
// ending (unreachable states, greedy policy, Bellman residual).
#include <cmath>
#include <limits>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"
#include "stages/gridworld/grid_solvers.hpp"

namespace rb::gridworld {
namespace detail {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Greedy code and Bellman residual of one state; ties go to the first action in code order.
uint8_t Greedy(const GridWorld& world, const std::vector<double>& v, size_t s, double& residual) {
  int best = 0;
  double best_q = ActionValue(world, v, s, 0);
  for (int a = 1; a < world.ActionCount(); ++a) {
    double q = ActionValue(world, v, s, a);
    if (q > best_q) best = a, best_q = q;
  }
  residual = std::abs(best_q - v[s]);
  return world.codes[best];
}

}  // namespace

std::vector<double> StartValues(const GridWorld& world, const SolveOptions& options,
                                int64_t* reset) {
  std::vector<double> v(world.kind.size(), 0.0);  // obstacles keep 0: finite, never weighted
  const std::vector<double>& initial = options.initial;
  const double floor = options.zero_start ? 0.0 : world.spec.Floor();
  if (!initial.empty()) {
    RB_CHECK_ARG(initial.size() == static_cast<size_t>(world.width) * world.height,
                 "starting values hold {} cells, the grid has {}x{}", initial.size(), world.width,
                 world.height);
  }
  for (int row = 0; row < world.height; ++row) {
    for (int column = 0; column < world.width; ++column) {
      size_t s = world.Padded(column, row);
      if (!world.IsState(s)) continue;
      v[s] = floor;
      if (world.kind[s] == CellKind::kGoal) {
        v[s] = world.spec.goal_reward;
      } else if (!initial.empty()) {
        double x = initial[static_cast<size_t>(row) * world.width + column];
        RB_CHECK_ARG(std::isfinite(x) || world.kind[s] == CellKind::kUnknown,
                     "starting value {} at cell (col {}, row {}) is not finite", x, column, row);
        if (std::isfinite(x)) v[s] = x;
      }
    }
  }
  if (!initial.empty()) {
    int64_t n = RepairWarmStart(world, v);
    if (reset) *reset = n;
  }
  return v;
}

double ActionValue(const GridWorld& world, const std::vector<double>& v, size_t s, int a) {
  const double r = world.spec.step_reward, gamma = world.spec.gamma;
  if (world.spec.SucceedOrStay()) {  // the baseline's arithmetic: V(s) + p (V(t) - V(s))
    size_t t = s + world.offsets[a];
    double p = world.Enterable(s, a) ? world.traversability[t] : 0.0;
    return r + gamma * (v[s] + p * (v[t] - v[s]));
  }
  Outcomes out = world.Transitions(s, a);
  double expected = out.stay * v[s];
  for (int k = 0; k < out.count; ++k) expected += out.moves[k].probability * v[out.moves[k].next];
  return r + gamma * expected;
}

void Finish(const GridWorld& world, std::vector<double>& padded, GridSolution& solution,
            const std::vector<uint8_t>* policy) {
  const double stuck = world.spec.step_reward / (1 - world.spec.gamma);
  std::vector<uint8_t> reachable = ReachableCells(world);
  for (size_t s = 0; s < padded.size(); ++s) {
    if (world.IsState(s) && !reachable[s]) padded[s] = stuck;
  }
  const size_t cells = static_cast<size_t>(world.width) * world.height;
  solution.value.assign(cells, kNaN);
  solution.policy.assign(cells, kNodataCode);
  std::vector<double> residuals(world.height, 0.0);
  std::vector<int64_t> unreachable(world.height, 0);
  kernels::cpu::ParallelRanges(world.height, world.RowGrain(), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      for (int column = 0; column < world.width; ++column) {
        size_t s = world.Padded(column, static_cast<int>(row));
        size_t k = static_cast<size_t>(row) * world.width + column;
        CellKind kind = world.kind[s];
        if (kind == CellKind::kObstacle) continue;
        double r = 0;
        uint8_t code = kGoalCode;
        if (kind != CellKind::kGoal)
          code = reachable[s] ? Greedy(world, padded, s, r) : kNoRouteCode;
        if (policy && code != kGoalCode && code != kNoRouteCode) code = world.codes[(*policy)[s]];
        unreachable[row] += code == kNoRouteCode;
        residuals[row] = std::max(residuals[row], r);
        if (kind == CellKind::kUnknown) continue;  // a state, but written as nodata
        solution.value[k] = padded[s];
        solution.policy[k] = code;
      }
    }
  });
  solution.bellman_residual = 0;
  solution.unreachable = 0;
  for (int row = 0; row < world.height; ++row) {
    solution.bellman_residual = std::max(solution.bellman_residual, residuals[row]);
    solution.unreachable += unreachable[row];
  }
  solution.error_bound = solution.bellman_residual / (1 - world.spec.gamma);
}

}  // namespace detail

Sweep ParseSweep(const std::string& name) {
  if (name == "sync") return Sweep::kSync;
  if (name == "inplace") return Sweep::kInPlace;
  Throw(ErrorCode::kInvalidArgument, "sweep must be 'sync' or 'inplace', got '{}'", name);
}

GridSolution Solve(const GridWorld& world, const std::string& solver, const SolveOptions& options) {
  bool exact_applies = world.spec.SucceedOrStay() &&
                       world.spec.goal_reward >= world.spec.step_reward / (1 - world.spec.gamma);
  if (solver == "exact" || (solver == "auto" && exact_applies)) return SolveExact(world);
  if (solver == "value" || solver == "auto") return ValueIteration(world, options);
  if (solver == "policy") return PolicyIteration(world, options);
  Throw(ErrorCode::kInvalidArgument, "solver must be value, policy, exact or auto, got '{}'",
        solver);
}

}  // namespace rb::gridworld
