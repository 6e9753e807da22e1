// rb-gridworld mdp: dynamic programming on a finite MDP described in JSON.
#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/io/files.hpp"
#include "common/io/json_config.hpp"
#include "stages/gridworld/finite_mdp_solvers.hpp"
#include "stages/gridworld/gridworld.hpp"

namespace rb::gridworld {
namespace {

// Row-major rows of the layout, or the flat list without one.
nlohmann::json Arranged(const FiniteMdp& mdp, const nlohmann::json& flat) {
  if (mdp.rows == 0) return flat;
  nlohmann::json rows = nlohmann::json::array();
  for (int r = 0; r < mdp.rows; ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (int c = 0; c < mdp.columns; ++c) row.push_back(flat[r * mdp.columns + c]);
    rows.push_back(row);
  }
  return rows;
}

nlohmann::json ResultJson(const FiniteMdp& mdp, const MdpSolution& solution) {
  nlohmann::json values = nlohmann::json::array(), greedy = nlohmann::json::array();
  nlohmann::json chosen = nlohmann::json::array();
  std::vector<std::vector<int>> ties = GreedyActions(mdp, solution.value);
  for (int s = 0; s < mdp.StateCount(); ++s) {
    values.push_back(solution.value[s]);
    nlohmann::json names = nlohmann::json::array();
    for (int a : ties[s]) names.push_back(mdp.actions[a]);
    greedy.push_back(names);
    chosen.push_back(solution.policy[s] < 0 ? nlohmann::json(nullptr)
                                            : nlohmann::json(mdp.actions[solution.policy[s]]));
  }
  return {{"name", mdp.name},
          {"states", mdp.states},
          {"gamma", mdp.gamma},
          {"iterations", solution.iterations},
          {"sweeps", solution.sweeps},
          {"last_change", solution.last_change},
          {"converged", solution.converged},
          {"values", Arranged(mdp, values)},
          {"policy", Arranged(mdp, chosen)},
          {"greedy_actions", Arranged(mdp, greedy)}};
}

nlohmann::json RunMdp(const Params& params, cli::StageOutputs& outputs, RunContext&) {
  std::filesystem::path path = params.GetPath("mdp");
  nlohmann::json document = io::LoadJsonFile(path);
  FiniteMdp mdp = ParseMdp(document, path.string());
  std::optional<StochasticPolicy> given = ParseMdpPolicy(document, mdp, path.string());
  MdpSolveOptions options;
  options.sweep = ParseSweep(params.GetString("sweep"));
  options.tolerance = params.GetFloat("tolerance");
  options.max_sweeps = params.GetInt("max_sweeps");
  options.fixed_sweeps = params.GetInt("sweeps");
  const std::string solver = params.GetString("solver");
  RB_CHECK_ARG(options.fixed_sweeps == 0 || solver == "evaluate",
               "--sweeps (a fixed number of sweeps) applies to --solver evaluate only");
  MdpSolution solution;
  if (solver == "evaluate") {
    RB_CHECK_ARG(given.has_value(),
                 "--solver evaluate needs a \"policy\" in '{}' (e.g. \"equiprobable\")",
                 path.string());
    solution = EvaluatePolicy(mdp, *given, options);
  } else if (solver == "policy") {
    solution = PolicyIteration(mdp, given.value_or(Equiprobable(mdp)), options);
  } else {
    solution = ValueIteration(mdp, options);
  }
  if (!solution.converged) {
    LogWarning("{} stopped after {} sweeps without reaching the tolerance {} (last change {})",
               solver, solution.sweeps, options.tolerance, solution.last_change);
  }
  nlohmann::json result = ResultJson(mdp, solution);
  result["solver"] = solver;
  result["sweep"] = params.GetString("sweep");
  io::WriteFileAtomic(outputs.Path("out"), result.dump(1) + "\n");
  LogInfo("'{}': {} {} sweeps, {} iterations, last change {:.3g}", mdp.name, solver,
          solution.sweeps, solution.iterations, solution.last_change);
  return {{"name", mdp.name},
          {"solver", solver},
          {"sweeps", solution.sweeps},
          {"iterations", solution.iterations},
          {"converged", solution.converged}};
}

}  // namespace

cli::StageDescriptor MdpCommand() {
  cli::StageDescriptor stage;
  stage.name = "mdp";
  stage.summary = "Value iteration, policy iteration or policy evaluation of a JSON finite MDP.";
  stage.description =
      "Reads a finite MDP (states, actions, transitions with probabilities and rewards, "
      "terminal states, gamma, optionally a policy and a grid layout) and writes the state "
      "values, a policy and every greedy action within 1e-9 of the best, as JSON (rows of the "
      "layout when the file gives one). --solver evaluate with --sweeps k gives the k-th sweep "
      "of iterative policy evaluation, as in Sutton & Barto's Figure 4.1.";
  ParamSpecs& p = stage.params;
  p.Input("mdp", "MDP description (JSON, see README)").Required();
  p.Choice("solver", "what to compute", {"value", "policy", "evaluate"}, "value");
  p.Choice("sweep", "sweeps in state order: in place or synchronous (two arrays)",
           {"inplace", "sync"}, "inplace");
  p.Float("tolerance", "stop when a sweep changes no value by this much", 1e-10).Range(1e-15, 1e6);
  p.Int("max_sweeps", "most sweeps of one evaluation or of value iteration", 1000000)
      .Range(1, 1e12);
  p.Int("sweeps", "evaluate: exactly this many sweeps (0: to the tolerance)", 0).Range(0, 1e12);
  p.Output("out", "result JSON").Required();
  stage.run = RunMdp;
  return stage;
}

}  // namespace rb::gridworld
