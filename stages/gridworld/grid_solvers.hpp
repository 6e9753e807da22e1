// Solvers of the pixel gridworld (grid_world.hpp):
//   ValueIteration   sync: the textbook synchronous (Jacobi) sweeps, the Python baseline's
//                    algorithm, parallel over rows; in-place: Gauss-Seidel sweeps in
//                    alternating orders (grid_sweeps.hpp), each state's own "stay" term solved
//                    exactly (Puterman 1994, 6.3.3: V(s) = max_a (r + gamma sum_{s' != s}
//                    p V(s')) / (1 - gamma p(s|s,a)), the same fixed point), sequential.
//   PolicyIteration  Sutton & Barto 4.3: evaluate (in-place or synchronous sweeps), improve; an
//                    action is replaced only when another is better by more than a margin
//                    that exceeds the evaluation error, so every change is a true improvement
//                    and the loop terminates (the tie problem of S&B exercise 4.4).
//   SolveExact       the one-pass label-setting solver (Knuth 1977, the generalised Dijkstra)
//                    for the succeed-or-stay model: V(s) = max_t f_t(V(t)) with
//                    f_t(v) = (r + gamma T(t) v) / (1 - gamma (1 - T(t))), increasing and
//                    f_t(v) <= v above the floor, so states settle in decreasing value.
// Every solution ends the same way: states that cannot reach a goal get the value of never
// arriving, step_reward / (1 - gamma), exactly and code kNoRouteCode; the greedy policy is
// extracted with ties going to the first action in code order; and the Bellman residual
// max |T V - V| of the result is measured, which bounds the error:
// max |V - V*| <= residual / (1 - gamma).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stages/gridworld/grid_world.hpp"
#include "stages/gridworld/sweep.hpp"

namespace rb::gridworld {

struct SolveOptions {
  Sweep sweep = Sweep::kInPlace;
  // Value iteration stops when a sweep changes no value by this much (max |V_k+1 - V_k|).
  // Policy iteration evaluates to tolerance * (1 - gamma) and changes an action only when it
  // gains more than 2 * tolerance.
  double tolerance = 1e-4;
  int64_t max_iterations = 100000;  // sweeps (value iteration) or improvements (policy)
  // Starting values (a warm start), (height, width) row-major, NaN allowed off the map; values
  // the map no longer supports are reset first (grid_warm_start.cpp). Empty: the floor, the
  // lowest value any state can have, so iterates rise monotonically, or 0 with zero_start (the
  // textbook's and the Python baseline's start).
  std::vector<double> initial;
  bool zero_start = false;
  // Use the general kernels even where a specialised one applies (tests compare the two).
  bool general_kernels = false;
};

struct GridSolution {
  std::string solver;            // "value iteration (in-place)", ...
  std::vector<double> value;     // (height, width); NaN for obstacles and unknown cells
  std::vector<uint8_t> policy;   // (height, width) action codes
  int64_t iterations = 0;        // sweeps, improvements, or 1 for the exact solver
  int64_t sweeps = 0;            // all sweeps, evaluation sweeps of policy iteration included
  double last_change = 0;        // max |V_k+1 - V_k| of the last sweep (0 for exact)
  double bellman_residual = 0;   // max |T V - V| of the returned values
  double error_bound = 0;        // bellman_residual / (1 - gamma)
  bool converged = false;        // stopped by the tolerance, not by max_iterations
  double seconds = 0;            // solver time, policy extraction included
  int64_t unreachable = 0;       // states that cannot reach a goal
  int64_t warm_start_reset = 0;  // warm-start values dropped as no longer supported
};

GridSolution ValueIteration(const GridWorld& world, const SolveOptions& options);
GridSolution PolicyIteration(const GridWorld& world, const SolveOptions& options);
// Throws kInvalidArgument when the model is not succeed-or-stay (slip > 0) or when the goal is
// worth less than wandering forever (goal_reward < step_reward / (1 - gamma)).
GridSolution SolveExact(const GridWorld& world);

// "value", "policy", "exact" or "auto" (exact where it applies, else in-place value iteration).
GridSolution Solve(const GridWorld& world, const std::string& solver, const SolveOptions& options);

// Helpers shared by the solvers (grid_solution.cpp).
namespace detail {
// Padded values from SolveOptions::initial (or the floor, or 0), goals at goal_reward.
std::vector<double> StartValues(const GridWorld& world, const SolveOptions& options,
                                int64_t* reset = nullptr);
// Resets warm-start values that the map no longer supports (grid_warm_start.cpp); returns how
// many states were reset.
int64_t RepairWarmStart(const GridWorld& world, std::vector<double>& v);
// Q(s, a) of the textbook Bellman operator.
double ActionValue(const GridWorld& world, const std::vector<double>& v, size_t s, int a);
// Floors unreachable states, extracts the greedy policy (or takes `policy`: padded action
// indices), measures the residual and writes the solution's value and policy rasters.
void Finish(const GridWorld& world, std::vector<double>& padded, GridSolution& solution,
            const std::vector<uint8_t>* policy = nullptr);
}  // namespace detail

}  // namespace rb::gridworld
