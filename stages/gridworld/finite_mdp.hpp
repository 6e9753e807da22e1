// General finite Markov decision processes (Sutton & Barto ch. 3-4), small enough to hold every
// transition: the textbook examples (4.1, 3.5, 3.8), gridworlds converted for cross-checks, and
// any MDP a user writes as JSON (format in stages/gridworld/README.md and data-samples/mdp/).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rb::gridworld {

struct MdpOutcome {
  int next = 0;
  double probability = 0;
  double reward = 0;
};

struct FiniteMdp {
  std::string name;
  double gamma = 1;
  std::vector<std::string> states;   // names; "0", "1", ... when the file gives a count
  std::vector<std::string> actions;  // names
  std::vector<bool> terminal;        // absorbing with value 0
  // outcomes[state][action]: empty when the action is not available in that state.
  std::vector<std::vector<std::vector<MdpOutcome>>> outcomes;
  // Optional (rows, columns) layout of the states in row-major order, for printing grids.
  int rows = 0, columns = 0;

  FiniteMdp() = default;
  FiniteMdp(int state_count, std::vector<std::string> action_names, double discount);

  int StateCount() const { return static_cast<int>(states.size()); }
  int ActionCount() const { return static_cast<int>(actions.size()); }
  bool Available(int state, int action) const { return !outcomes[state][action].empty(); }
  // Adds an outcome of (state, action).
  void Add(int state, int action, int next, double probability, double reward);
  // Throws kInvalidArgument naming the state, action and value: probabilities outside [0, 1] or
  // NaN, rewards not finite, outcomes of an action not summing to 1, a non-terminal state
  // without actions, gamma outside [0, 1].
  void Validate() const;
};

// A stochastic policy: probabilities[state][action] (rows sum to 1 over available actions).
using StochasticPolicy = std::vector<std::vector<double>>;
// Every available action equally likely.
StochasticPolicy Equiprobable(const FiniteMdp& mdp);

// An MDP from its JSON description; `source` names it in messages. Errors name the key path
// ("transitions[3].outcomes[0].probability") and the value.
FiniteMdp ParseMdp(const nlohmann::json& document, const std::string& source);
FiniteMdp ReadMdp(const std::filesystem::path& path);
// The optional "policy" of a description ("equiprobable" or a list of {state, action,
// probability}); nullopt when absent.
std::optional<StochasticPolicy> ParseMdpPolicy(const nlohmann::json& document, const FiniteMdp& mdp,
                                               const std::string& source);

}  // namespace rb::gridworld
