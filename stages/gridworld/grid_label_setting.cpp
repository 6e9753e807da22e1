// The exact one-pass solver of the succeed-or-stay gridworld (Knuth 1977, "A generalization of
// Dijkstra's algorithm"; the notes' section 2.5 and ../shared/peers/gridworld_dijkstra_check.py).
//
// With a single successor t per action, the Bellman equation solved for V(s) reads
// V(s) = max_t f_t(V(t)), f_t(v) = (r + gamma T(t) v) / (1 - gamma (1 - T(t))). Each f_t is
// increasing and f_t(v) <= v for v >= r / (1 - gamma), so, as in Dijkstra's algorithm with the
// order reversed, the unsettled state of highest tentative value is final: states settle in
// decreasing value, each once, from the goals outwards. Every predecessor of t receives the same
// candidate f_t(V(t)), computed once per settled t, and the move that gave a state its value is
// its optimal action.
#include <chrono>
#include <queue>
#include <utility>

#include "common/core/check.hpp"
#include "stages/gridworld/grid_solvers.hpp"
#include "stages/gridworld/grid_sweeps.hpp"

namespace rb::gridworld {

GridSolution SolveExact(const GridWorld& world) {
  const WorldSpec& spec = world.spec;
  RB_CHECK_ARG(spec.SucceedOrStay(),
               "the exact solver needs moves that succeed or stay (slip 0, got {}); use value or "
               "policy iteration",
               spec.slip);
  const double stuck = spec.step_reward / (1 - spec.gamma);
  RB_CHECK_ARG(spec.goal_reward >= stuck,
               "the exact solver needs a goal worth at least wandering forever: goal reward {} < "
               "step reward / (1 - gamma) = {}; use value or policy iteration",
               spec.goal_reward, stuck);
  auto start = std::chrono::steady_clock::now();
  GridSolution solution;
  solution.solver = "exact (label-setting)";
  // The solver works on the gap u = V - stuck >= 0, the value above wandering forever, where
  // f_t(stuck + u) = stuck + rho_t u with rho_t = gamma T / (1 - gamma (1 - T)): far from the goal
  // u shrinks below the rounding of V itself (about 1e-14 of |stuck|) long before it underflows,
  // so the order of the states, and with it the policy, stays exact where V rounds to `stuck`.
  std::vector<double> gap(world.kind.size(), 0.0);
  for (size_t g : world.goals) gap[g] = spec.goal_reward - stuck;
  // Per state, the action of its final improvement: the optimal move, handed to Finish.
  std::vector<uint8_t> action(world.kind.size(), 0);
  std::vector<uint8_t> open = ActiveStates(world);  // cleared when settled
  // Max-heap on (gap, index): ties settle the higher index first, the same on every run.
  std::priority_queue<std::pair<double, size_t>> heap;
  for (size_t g : world.goals) heap.push({gap[g], g});
  while (!heap.empty()) {
    auto [u, t] = heap.top();
    heap.pop();
    if (u != gap[t] || (world.kind[t] != CellKind::kGoal && !open[t])) continue;  // stale
    open[t] = 0;
    const double p = world.traversability[t];
    if (p <= 0) continue;  // nobody can enter t
    const double candidate = spec.gamma * p / (1 - spec.gamma * (1 - p)) * u;
    for (int a = 0; a < world.ActionCount(); ++a) {
      size_t s = t - world.offsets[a];  // s moves into t with action a
      if (!open[s] || candidate <= gap[s] || !world.Enterable(s, a)) continue;
      gap[s] = candidate;
      action[s] = static_cast<uint8_t>(a);
      heap.push({candidate, s});
    }
  }
  std::vector<double> v(world.kind.size(), 0.0);
  for (size_t s = 0; s < v.size(); ++s) {
    if (world.IsState(s))
      v[s] = world.kind[s] == CellKind::kGoal ? spec.goal_reward : stuck + gap[s];
  }
  solution.iterations = 1;
  solution.converged = true;
  detail::Finish(world, v, solution, &action);
  solution.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return solution;
}

}  // namespace rb::gridworld
