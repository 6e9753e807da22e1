// Dynamic programming on a FiniteMdp, as in Sutton & Barto chapter 4: iterative policy
// evaluation, value iteration and policy iteration, with synchronous (two-array, as in Figure
// 4.1) or in-place (one array, the book's boxed algorithms) sweeps in state order. Terminal
// states keep value 0. Undiscounted MDPs (gamma = 1) converge when every policy met reaches a
// terminal state; otherwise the sweep limit ends the run and `converged` is false.
#pragma once

#include <cstdint>
#include <vector>

#include "stages/gridworld/finite_mdp.hpp"
#include "stages/gridworld/sweep.hpp"

namespace rb::gridworld {

struct MdpSolveOptions {
  Sweep sweep = Sweep::kInPlace;
  // Stop when a sweep changes no value by this much. Policy iteration evaluates to
  // tolerance * (1 - gamma) (tolerance itself when gamma = 1) and replaces an action only when
  // another is better by more than 2 * tolerance, which ends the loop on ties.
  double tolerance = 1e-10;
  int64_t max_sweeps = 1'000'000;  // per evaluation, or of value iteration
  int64_t fixed_sweeps = 0;        // EvaluatePolicy: exactly this many sweeps when > 0
  int64_t max_improvements = 10'000;
};

struct MdpSolution {
  std::vector<double> value;  // per state
  std::vector<int> policy;    // per state: an optimal (or the evaluated) action; -1 for terminals
  int64_t iterations = 0;     // value-iteration sweeps or policy improvements
  int64_t sweeps = 0;         // all sweeps
  double last_change = 0;     // of the last sweep
  bool converged = false;
};

// v_pi of a stochastic policy, from `initial` (zeros when empty).
MdpSolution EvaluatePolicy(const FiniteMdp& mdp, const StochasticPolicy& policy,
                           const MdpSolveOptions& options, std::vector<double> initial = {});
MdpSolution ValueIteration(const FiniteMdp& mdp, const MdpSolveOptions& options);
// Starts from `initial` (e.g. Equiprobable(mdp)); the result's policy is deterministic.
MdpSolution PolicyIteration(const FiniteMdp& mdp, const StochasticPolicy& initial,
                            const MdpSolveOptions& options);

// sum_s' p(s'|s,a) [r + gamma v(s')].
double ActionValue(const FiniteMdp& mdp, const std::vector<double>& v, int state, int action);
// Per state, the available actions whose value is within `tie` of the best (empty for
// terminals), in action order: the book's figures list such ties.
std::vector<std::vector<int>> GreedyActions(const FiniteMdp& mdp, const std::vector<double>& v,
                                            double tie = 1e-9);

}  // namespace rb::gridworld
