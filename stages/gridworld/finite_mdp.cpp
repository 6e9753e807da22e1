#include "stages/gridworld/finite_mdp.hpp"

#include <algorithm>
#include <cmath>

#include "common/core/check.hpp"
#include "common/io/json_config.hpp"

namespace rb::gridworld {
namespace {

constexpr double kSumTolerance = 1e-9;

// A state or action given by index or by name; `path` names the key in messages.
int Lookup(const nlohmann::json& ref, const std::vector<std::string>& names, const char* what,
           const std::string& path, const std::string& source) {
  if (ref.is_number_integer()) {
    int64_t i = ref.get<int64_t>();
    RB_CHECK_ARG(i >= 0 && i < static_cast<int64_t>(names.size()),
                 "'{}' = {} in '{}' is not a {} (0..{})", path, i, source, what, names.size() - 1);
    return static_cast<int>(i);
  }
  RB_CHECK_ARG(ref.is_string(), "'{}' in '{}' must be a {} index or name", path, source, what);
  auto it = std::find(names.begin(), names.end(), ref.get<std::string>());
  RB_CHECK_ARG(it != names.end(), "'{}' = \"{}\" in '{}' is no {}", path, ref.get<std::string>(),
               source, what);
  return static_cast<int>(it - names.begin());
}

std::vector<std::string> StateNames(const nlohmann::json& states, const std::string& source) {
  std::vector<std::string> names;
  if (states.is_number_integer()) {
    int64_t n = states.get<int64_t>();
    RB_CHECK_ARG(n >= 1 && n <= 10'000'000, "'states' = {} in '{}' must be 1..1e7", n, source);
    for (int64_t i = 0; i < n; ++i) names.push_back(std::to_string(i));
    return names;
  }
  RB_CHECK_ARG(states.is_array() && !states.empty(),
               "'states' in '{}' must be a count or a list of names", source);
  for (const nlohmann::json& s : states) {
    RB_CHECK_ARG(s.is_string(), "'states' in '{}' must hold names (strings)", source);
    names.push_back(s.get<std::string>());
  }
  return names;
}

double Probability(io::ConfigReader& reader, const char* key) {
  double p = reader.Require<double>(key);
  RB_CHECK_ARG(p >= 0 && p <= 1, "'{}' = {} in '{}' is outside [0, 1]", reader.PathOf(key), p,
               reader.source());
  return p;
}

void ParseTransition(io::ConfigReader& t, FiniteMdp& mdp) {
  int state = Lookup(t.Raw("state"), mdp.states, "state", t.PathOf("state"), t.source());
  int action = Lookup(t.Raw("action"), mdp.actions, "action", t.PathOf("action"), t.source());
  RB_CHECK_ARG(!mdp.Available(state, action), "'{}' repeats state \"{}\", action \"{}\" in '{}'",
               t.PathOf("state"), mdp.states[state], mdp.actions[action], t.source());
  if (!t.Has("outcomes")) {
    int next = Lookup(t.Raw("next"), mdp.states, "state", t.PathOf("next"), t.source());
    mdp.Add(state, action, next, 1.0, t.Get<double>("reward", 0.0));
    return;
  }
  for (io::ConfigReader& o : t.Objects("outcomes")) {
    int next = Lookup(o.Raw("next"), mdp.states, "state", o.PathOf("next"), o.source());
    mdp.Add(state, action, next, Probability(o, "probability"), o.Get<double>("reward", 0.0));
  }
}

}  // namespace

FiniteMdp::FiniteMdp(int state_count, std::vector<std::string> action_names, double discount)
    : gamma(discount), actions(std::move(action_names)) {
  for (int i = 0; i < state_count; ++i) states.push_back(std::to_string(i));
  terminal.assign(state_count, false);
  outcomes.assign(state_count, std::vector<std::vector<MdpOutcome>>(actions.size()));
}

void FiniteMdp::Add(int state, int action, int next, double probability, double reward) {
  RB_CHECK_ARG(state >= 0 && state < StateCount() && next >= 0 && next < StateCount(),
               "transition {} -> {} names a state outside 0..{}", state, next, StateCount() - 1);
  RB_CHECK_ARG(action >= 0 && action < ActionCount(), "action {} is outside 0..{}", action,
               ActionCount() - 1);
  outcomes[state][action].push_back({next, probability, reward});
}

void FiniteMdp::Validate() const {
  RB_CHECK_ARG(gamma >= 0 && gamma <= 1, "gamma {} of MDP '{}' is outside [0, 1]", gamma, name);
  for (int s = 0; s < StateCount(); ++s) {
    if (terminal[s]) continue;
    bool any = false;
    for (int a = 0; a < ActionCount(); ++a) {
      double sum = 0;
      for (const MdpOutcome& o : outcomes[s][a]) {
        RB_CHECK_ARG(o.probability >= 0 && o.probability <= 1,
                     "probability {} of state \"{}\", action \"{}\" -> \"{}\" is outside [0, 1]",
                     o.probability, states[s], actions[a], states[o.next]);
        RB_CHECK_ARG(std::isfinite(o.reward),
                     "reward {} of state \"{}\", action \"{}\" is not "
                     "finite",
                     o.reward, states[s], actions[a]);
        sum += o.probability;
      }
      any |= Available(s, a);
      RB_CHECK_ARG(!Available(s, a) || std::abs(sum - 1) <= kSumTolerance,
                   "probabilities of state \"{}\", action \"{}\" sum to {}, not 1", states[s],
                   actions[a], sum);
    }
    RB_CHECK_ARG(any, "state \"{}\" is not terminal and has no actions", states[s]);
  }
}

StochasticPolicy Equiprobable(const FiniteMdp& mdp) {
  StochasticPolicy pi(mdp.StateCount(), std::vector<double>(mdp.ActionCount(), 0.0));
  for (int s = 0; s < mdp.StateCount(); ++s) {
    int n = 0;
    for (int a = 0; a < mdp.ActionCount(); ++a) n += mdp.Available(s, a);
    for (int a = 0; a < mdp.ActionCount(); ++a) pi[s][a] = mdp.Available(s, a) ? 1.0 / n : 0.0;
  }
  return pi;
}

FiniteMdp ParseMdp(const nlohmann::json& document, const std::string& source) {
  io::ConfigReader reader(document, source);
  reader.CheckSchemaVersion(1);
  std::vector<std::string> states = StateNames(reader.Raw("states"), source);
  auto actions = reader.Require<std::vector<std::string>>("actions");
  RB_CHECK_ARG(!actions.empty(), "'actions' in '{}' is empty", source);
  FiniteMdp mdp(static_cast<int>(states.size()), actions, reader.Require<double>("gamma"));
  mdp.states = states;
  mdp.name = reader.Get<std::string>("name", source);
  RB_CHECK_ARG(mdp.gamma >= 0 && mdp.gamma <= 1, "'gamma' = {} in '{}' is outside [0, 1]",
               mdp.gamma, source);
  if (reader.Has("layout")) {
    auto layout = reader.Require<std::vector<int>>("layout");
    RB_CHECK_ARG(
        layout.size() == 2 && static_cast<int64_t>(layout[0]) * layout[1] == mdp.StateCount(),
        "'layout' in '{}' must be [rows, columns] covering the {} states", source,
        mdp.StateCount());
    mdp.rows = layout[0];
    mdp.columns = layout[1];
  }
  if (reader.Has("terminal")) {
    const nlohmann::json& terminal = reader.Raw("terminal");
    RB_CHECK_ARG(terminal.is_array(), "'terminal' in '{}' must be a list of states", source);
    for (size_t i = 0; i < terminal.size(); ++i) {
      mdp.terminal[Lookup(terminal[i], mdp.states, "state", fmt::format("terminal[{}]", i),
                          source)] = true;
    }
  }
  for (io::ConfigReader& t : reader.Objects("transitions")) ParseTransition(t, mdp);
  if (reader.Has("policy")) reader.Raw("policy");  // read by ParseMdpPolicy
  reader.Finish();
  WithContext(fmt::format("in '{}'", source), [&] { mdp.Validate(); });
  return mdp;
}

FiniteMdp ReadMdp(const std::filesystem::path& path) {
  return ParseMdp(io::LoadJsonFile(path), path.string());
}

std::optional<StochasticPolicy> ParseMdpPolicy(const nlohmann::json& document, const FiniteMdp& mdp,
                                               const std::string& source) {
  if (!document.contains("policy")) return std::nullopt;
  const nlohmann::json& policy = document["policy"];
  if (policy.is_string() && policy.get<std::string>() == "equiprobable") return Equiprobable(mdp);
  RB_CHECK_ARG(policy.is_array(),
               "'policy' in '{}' must be \"equiprobable\" or a list of {{state, action, "
               "probability}}",
               source);
  StochasticPolicy pi(mdp.StateCount(), std::vector<double>(mdp.ActionCount(), 0.0));
  for (size_t i = 0; i < policy.size(); ++i) {
    std::string path = fmt::format("policy[{}]", i);
    RB_CHECK_ARG(policy[i].is_object() && policy[i].contains("state") &&
                     policy[i].contains("action") && policy[i].size() <= 3,
                 "'{}' in '{}' must be {{state, action, probability}}", path, source);
    int s = Lookup(policy[i]["state"], mdp.states, "state", path + ".state", source);
    int a = Lookup(policy[i]["action"], mdp.actions, "action", path + ".action", source);
    double p = policy[i].value("probability", 1.0);
    RB_CHECK_ARG(p >= 0 && p <= 1, "'{}.probability' = {} in '{}' is outside [0, 1]", path, p,
                 source);
    RB_CHECK_ARG(mdp.Available(s, a),
                 "'{}' in '{}': action \"{}\" is not available in state "
                 "\"{}\"",
                 path, source, mdp.actions[a], mdp.states[s]);
    pi[s][a] = p;
  }
  for (int s = 0; s < mdp.StateCount(); ++s) {
    if (mdp.terminal[s]) continue;
    double sum = 0;
    for (double p : pi[s]) sum += p;
    RB_CHECK_ARG(std::abs(sum - 1) <= kSumTolerance,
                 "'policy' in '{}' gives state \"{}\" probabilities summing to {}, not 1", source,
                 mdp.states[s], sum);
  }
  return pi;
}

}  // namespace rb::gridworld
