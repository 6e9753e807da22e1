#include "stages/gridworld/finite_mdp_solvers.hpp"

#include <algorithm>
#include <cmath>

#include "common/core/check.hpp"

namespace rb::gridworld {
namespace {

// Repeats sweeps of `update` (the new value of state s read from v) until the change falls
// below the tolerance, or `fixed` sweeps when fixed > 0.
template <class Update>
void Sweeps(const FiniteMdp& mdp, const MdpSolveOptions& options, double tolerance, int64_t fixed,
            std::vector<double>& v, MdpSolution& out, Update&& update) {
  std::vector<double> next = v;
  const int64_t limit = fixed > 0 ? fixed : options.max_sweeps;
  bool converged = fixed > 0;
  for (int64_t k = 0; k < limit; ++k) {
    double change = 0;
    std::vector<double>& target = options.sweep == Sweep::kSync ? next : v;
    for (int s = 0; s < mdp.StateCount(); ++s) {
      double x = mdp.terminal[s] ? 0.0 : update(v, s);
      change = std::max(change, std::abs(x - v[s]));
      target[s] = x;
    }
    if (options.sweep == Sweep::kSync) v.swap(next);
    ++out.sweeps;
    out.last_change = change;
    if (fixed == 0 && change < tolerance) {
      converged = true;
      break;
    }
  }
  out.converged = converged;
}

double PolicyValue(const FiniteMdp& mdp, const StochasticPolicy& policy,
                   const std::vector<double>& v, int s) {
  double x = 0;
  for (int a = 0; a < mdp.ActionCount(); ++a) {
    if (policy[s][a] > 0) x += policy[s][a] * ActionValue(mdp, v, s, a);
  }
  return x;
}

double BestValue(const FiniteMdp& mdp, const std::vector<double>& v, int s) {
  double best = -INFINITY;
  for (int a = 0; a < mdp.ActionCount(); ++a) {
    if (mdp.Available(s, a)) best = std::max(best, ActionValue(mdp, v, s, a));
  }
  return best;
}

std::vector<int> FirstGreedy(const FiniteMdp& mdp, const std::vector<double>& v) {
  std::vector<int> policy(mdp.StateCount(), -1);
  std::vector<std::vector<int>> best = GreedyActions(mdp, v, 0.0);
  for (int s = 0; s < mdp.StateCount(); ++s) {
    if (!best[s].empty()) policy[s] = best[s].front();
  }
  return policy;
}

// Per state, the policy's most likely action (the first on ties); -1 for terminals.
std::vector<int> MostLikely(const FiniteMdp& mdp, const StochasticPolicy& policy) {
  std::vector<int> out(mdp.StateCount(), -1);
  for (int s = 0; s < mdp.StateCount(); ++s) {
    if (mdp.terminal[s]) continue;
    out[s] =
        static_cast<int>(std::max_element(policy[s].begin(), policy[s].end()) - policy[s].begin());
  }
  return out;
}

void CheckStart(const FiniteMdp& mdp, const std::vector<double>& v) {
  RB_CHECK_ARG(static_cast<int>(v.size()) == mdp.StateCount(),
               "starting values hold {} states, the MDP has {}", v.size(), mdp.StateCount());
}

}  // namespace

double ActionValue(const FiniteMdp& mdp, const std::vector<double>& v, int state, int action) {
  double q = 0;
  for (const MdpOutcome& o : mdp.outcomes[state][action]) {
    q += o.probability * (o.reward + mdp.gamma * v[o.next]);
  }
  return q;
}

std::vector<std::vector<int>> GreedyActions(const FiniteMdp& mdp, const std::vector<double>& v,
                                            double tie) {
  std::vector<std::vector<int>> out(mdp.StateCount());
  for (int s = 0; s < mdp.StateCount(); ++s) {
    if (mdp.terminal[s]) continue;
    double best = BestValue(mdp, v, s);
    for (int a = 0; a < mdp.ActionCount(); ++a) {
      if (mdp.Available(s, a) && ActionValue(mdp, v, s, a) >= best - tie) out[s].push_back(a);
    }
  }
  return out;
}

MdpSolution EvaluatePolicy(const FiniteMdp& mdp, const StochasticPolicy& policy,
                           const MdpSolveOptions& options, std::vector<double> initial) {
  RB_CHECK_ARG(static_cast<int>(policy.size()) == mdp.StateCount(),
               "the policy covers {} states, the MDP has {}", policy.size(), mdp.StateCount());
  MdpSolution out;
  out.value = initial.empty() ? std::vector<double>(mdp.StateCount(), 0.0) : std::move(initial);
  CheckStart(mdp, out.value);
  Sweeps(mdp, options, options.tolerance, options.fixed_sweeps, out.value, out,
         [&](const std::vector<double>& v, int s) { return PolicyValue(mdp, policy, v, s); });
  out.iterations = out.sweeps;
  out.policy = MostLikely(mdp, policy);
  return out;
}

MdpSolution ValueIteration(const FiniteMdp& mdp, const MdpSolveOptions& options) {
  MdpSolution out;
  out.value.assign(mdp.StateCount(), 0.0);
  Sweeps(mdp, options, options.tolerance, 0, out.value, out,
         [&](const std::vector<double>& v, int s) { return BestValue(mdp, v, s); });
  out.iterations = out.sweeps;
  out.policy = FirstGreedy(mdp, out.value);
  return out;
}

MdpSolution PolicyIteration(const FiniteMdp& mdp, const StochasticPolicy& initial,
                            const MdpSolveOptions& options) {
  StochasticPolicy policy = initial;
  const double eval_tolerance =
      mdp.gamma < 1 ? options.tolerance * (1 - mdp.gamma) : options.tolerance;
  const double margin = 2 * options.tolerance;
  MdpSolution out;
  std::vector<double> v(mdp.StateCount(), 0.0);
  bool evaluated = false;
  while (out.iterations < options.max_improvements) {
    ++out.iterations;
    MdpSolution step =
        EvaluatePolicy(mdp, policy, {options.sweep, eval_tolerance, options.max_sweeps, 0, 0}, v);
    v = step.value;
    out.sweeps += step.sweeps;
    out.last_change = step.last_change;
    evaluated = step.converged;
    int changed = 0;
    for (int s = 0; s < mdp.StateCount(); ++s) {
      if (mdp.terminal[s]) continue;
      double current = PolicyValue(mdp, policy, v, s);
      int best = -1;
      double best_q = current + margin;
      for (int a = 0; a < mdp.ActionCount(); ++a) {
        double q = mdp.Available(s, a) ? ActionValue(mdp, v, s, a) : -INFINITY;
        if (q > best_q) best = a, best_q = q;
      }
      if (best < 0) continue;
      std::fill(policy[s].begin(), policy[s].end(), 0.0);
      policy[s][best] = 1;
      ++changed;
    }
    if (changed == 0) {
      out.converged = evaluated;
      break;
    }
  }
  out.value = v;
  out.policy = MostLikely(mdp, policy);
  return out;
}

}  // namespace rb::gridworld
