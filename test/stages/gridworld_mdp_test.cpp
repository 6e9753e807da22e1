// The finite-MDP solver on Sutton & Barto's gridworlds (values from the notes, section 2,
// recomputed there exactly) and the JSON description's checks.
#include <catch2/catch.hpp>

#include <cmath>

#include "stages/gridworld/finite_mdp_solvers.hpp"
#include "test/support/test_support.hpp"

namespace rb::gridworld {
namespace {

const std::vector<std::string> kMoves = {"up", "down", "left", "right"};
const int kDr[] = {-1, 1, 0, 0}, kDc[] = {0, 0, -1, 1};

// Example 4.1: 4x4, corners terminal, -1 per move, gamma 1.
FiniteMdp Example41() {
  FiniteMdp mdp(16, kMoves, 1.0);
  mdp.terminal[0] = mdp.terminal[15] = true;
  for (int s = 1; s < 15; ++s) {
    for (int a = 0; a < 4; ++a) {
      int r = s / 4 + kDr[a], c = s % 4 + kDc[a];
      bool inside = r >= 0 && r < 4 && c >= 0 && c < 4;
      mdp.Add(s, a, inside ? r * 4 + c : s, 1.0, -1);
    }
  }
  return mdp;
}

// Examples 3.5 and 3.8: 5x5, A (0,1) -> A' (4,1) +10, B (0,3) -> B' (2,3) +5, off-grid -1.
FiniteMdp Example35() {
  FiniteMdp mdp(25, kMoves, 0.9);
  for (int s = 0; s < 25; ++s) {
    for (int a = 0; a < 4; ++a) {
      if (s == 1) {
        mdp.Add(s, a, 21, 1.0, 10);
      } else if (s == 3) {
        mdp.Add(s, a, 13, 1.0, 5);
      } else {
        int r = s / 5 + kDr[a], c = s % 5 + kDc[a];
        bool inside = r >= 0 && r < 5 && c >= 0 && c < 5;
        mdp.Add(s, a, inside ? r * 5 + c : s, 1.0, inside ? 0 : -1);
      }
    }
  }
  return mdp;
}

void CheckTable(const std::vector<double>& v, const std::vector<double>& expected, double margin) {
  REQUIRE(v.size() == expected.size());
  for (size_t i = 0; i < v.size(); ++i) {
    INFO("state " << i);
    CHECK(v[i] == Approx(expected[i]).margin(margin));
  }
}

TEST_CASE("Example 4.1 sweeps k = 1 2 3 10 and the limit match Figure 4.1", "[gridworld][mdp]") {
  FiniteMdp mdp = Example41();
  StochasticPolicy random = Equiprobable(mdp);
  auto sweeps = [&](int k) {
    return EvaluatePolicy(mdp, random, {.sweep = Sweep::kSync, .fixed_sweeps = k}).value;
  };
  CheckTable(sweeps(1), {0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0}, 1e-12);
  CheckTable(sweeps(2), {0, -1.75, -2, -2, -1.75, -2, -2, -2, -2, -2, -2, -1.75, -2, -2, -1.75, 0},
             1e-12);
  CheckTable(sweeps(3),
             {0, -2.4375, -2.9375, -3, -2.4375, -2.875, -3, -2.9375, -2.9375, -3, -2.875, -2.4375,
              -3, -2.9375, -2.4375, 0},
             1e-12);
  std::vector<double> k10 = sweeps(10);
  CHECK(k10[1] == Approx(-6.13796997).margin(1e-8));
  CHECK(k10[2] == Approx(-8.35235596).margin(1e-8));
  CHECK(k10[3] == Approx(-8.96731567).margin(1e-8));
  CHECK(k10[5] == Approx(-7.73739624).margin(1e-8));
  CHECK(k10[6] == Approx(-8.42782593).margin(1e-8));
  const std::vector<double> limit = {0,   -14, -20, -22, -14, -18, -20, -20,
                                     -20, -20, -18, -14, -22, -20, -14, 0};
  for (Sweep sweep : {Sweep::kSync, Sweep::kInPlace}) {
    MdpSolution s = EvaluatePolicy(mdp, random, {.sweep = sweep, .tolerance = 1e-12});
    CHECK(s.converged);
    CheckTable(s.value, limit, 1e-9);
  }
  // In place needs fewer sweeps than two arrays (the book's remark in 4.1).
  CHECK(EvaluatePolicy(mdp, random, {.sweep = Sweep::kInPlace}).sweeps <
        EvaluatePolicy(mdp, random, {.sweep = Sweep::kSync}).sweeps);
  // The greedy policy of v_pi lists the ties of Figure 4.1's last panel.
  std::vector<std::vector<int>> greedy =
      GreedyActions(mdp, EvaluatePolicy(mdp, random, {.tolerance = 1e-13}).value);
  const std::vector<std::vector<int>> expected = {{},     {2}, {2}, {1, 2}, {0},    {0, 2},
                                                  {1, 2}, {1}, {0}, {0, 3}, {1, 3}, {1},
                                                  {0, 3}, {3}, {3}, {}};
  CHECK(greedy == expected);
  // Optimal: minus the number of steps to the nearer corner, by both iterations.
  std::vector<double> steps(16);
  for (int s = 0; s < 16; ++s) {
    int r = s / 4, c = s % 4;
    steps[s] = -std::min(r + c, 6 - r - c);
  }
  CheckTable(ValueIteration(mdp, {}).value, steps, 1e-9);
  MdpSolution pi = PolicyIteration(mdp, random, {});
  CHECK(pi.converged);
  CheckTable(pi.value, steps, 1e-9);
}

TEST_CASE("Example 3.5 random policy and Example 3.8 optimum match Figures 3.2 and 3.5",
          "[gridworld][mdp]") {
  FiniteMdp mdp = Example35();
  const std::vector<double> v_random = {3.308996,  8.789292,  4.427619,  5.322368,  1.492179,
                                        1.521588,  2.992318,  2.250140,  1.907572,  0.547403,
                                        0.050822,  0.738171,  0.673113,  0.358186,  -0.403141,
                                        -0.973592, -0.435495, -0.354882, -0.585605, -1.183075,
                                        -1.857701, -1.345231, -1.229267, -1.422918, -1.975179};
  const std::vector<double> v_star = {21.977485, 24.419428, 21.977485, 19.419428, 17.477485,
                                      19.779737, 21.977485, 19.779737, 17.801763, 16.021587,
                                      17.801763, 19.779737, 17.801763, 16.021587, 14.419428,
                                      16.021587, 17.801763, 16.021587, 14.419428, 12.977485,
                                      14.419428, 16.021587, 14.419428, 12.977485, 11.679737};
  for (Sweep sweep : {Sweep::kSync, Sweep::kInPlace}) {
    MdpSolveOptions options{.sweep = sweep};
    CheckTable(EvaluatePolicy(mdp, Equiprobable(mdp), options).value, v_random, 1e-6);
    CheckTable(ValueIteration(mdp, options).value, v_star, 1e-6);
    CheckTable(PolicyIteration(mdp, Equiprobable(mdp), options).value, v_star, 1e-6);
  }
  MdpSolution best = ValueIteration(mdp, {.sweep = Sweep::kSync, .tolerance = 1e-13});
  CHECK(best.value[1] == Approx(10 / (1 - std::pow(0.9, 5))).epsilon(1e-12));  // A's 5-step loop
  CHECK(best.value[3] == Approx(best.value[1] - 5).epsilon(1e-12));
  // Figure 3.5's optimal actions with their ties (U D L R = 0 1 2 3).
  const std::vector<std::vector<int>> ties = {
      {3},    {0, 1, 2, 3}, {2},    {0, 1, 2, 3}, {2},     // row 0
      {0, 3}, {0},          {0, 2}, {2},          {2},     // row 1
      {0, 3}, {0},          {0, 2}, {0, 2},       {0, 2},  // rows 2-4 repeat
      {0, 3}, {0},          {0, 2}, {0, 2},       {0, 2},  //
      {0, 3}, {0},          {0, 2}, {0, 2},       {0, 2}};
  CHECK(GreedyActions(mdp, best.value) == ties);
}

TEST_CASE("Policy iteration stops on ties and on improper policies", "[gridworld][mdp]") {
  // Two routes of equal value to the terminal: the current action is kept on a tie.
  FiniteMdp tie(3, {"left", "right"}, 1.0);
  tie.terminal[2] = true;
  tie.Add(0, 0, 2, 1.0, -1);
  tie.Add(0, 1, 1, 1.0, 0);
  tie.Add(1, 0, 2, 1.0, -1);
  tie.Add(1, 1, 2, 1.0, -1);
  MdpSolution s = PolicyIteration(tie, Equiprobable(tie), {});
  CHECK(s.converged);
  CHECK(s.iterations <= 2);
  CHECK(s.value[0] == Approx(-1));
  // A state that can only loop, at -1 per step with gamma 1, has no finite value: the sweep
  // limit ends value iteration, which says it did not converge.
  FiniteMdp loop(1, {"stay"}, 1.0);
  loop.Add(0, 0, 0, 1.0, -1);
  MdpSolution d = ValueIteration(loop, {.max_sweeps = 50});
  CHECK_FALSE(d.converged);
  CHECK(d.value[0] == Approx(-50));
}

TEST_CASE("MDP descriptions are checked and errors name the key and value", "[gridworld][mdp]") {
  auto parse = [](const std::string& text) {
    return test::ErrorText(ErrorCode::kInvalidArgument,
                           [&] { ParseMdp(nlohmann::json::parse(text), "m.json"); });
  };
  const std::string head =
      R"({"schema_version": 1, "gamma": 0.9, "states": ["a", "b"], "actions": ["go"], )";
  CHECK(parse(head + R"("transitions": [{"state": "a", "action": "go", "outcomes": [
        {"next": "b", "probability": 1.5}]}, {"state": "b", "action": "go", "next": "a"}]})") ==
        "'transitions[0].outcomes[0].probability' = 1.5 in 'm.json' is outside [0, 1]");
  CHECK(parse(head + R"("transitions": [{"state": "a", "action": "go", "outcomes": [
        {"next": "b", "probability": 0.5}]}, {"state": "b", "action": "go", "next": "a"}]})") ==
        "probabilities of state \"a\", action \"go\" sum to 0.5, not 1, in 'm.json'");
  CHECK(parse(head + R"("transitions": [{"state": "a", "action": "go", "next": "c"}]})") ==
        "'transitions[0].next' = \"c\" in 'm.json' is no state");
  CHECK(parse(head + R"("transitions": [{"state": "a", "action": "go", "next": "b"}]})") ==
        "state \"b\" is not terminal and has no actions, in 'm.json'");
  CHECK(parse(head + R"("transitions": [], "discount": 0.9})").find("discount") !=
        std::string::npos);
  FiniteMdp bad(1, {"go"}, 0.5);
  bad.Add(0, 0, 0, NAN, 0);
  CHECK(test::ErrorText(ErrorCode::kInvalidArgument, [&] { bad.Validate(); }) ==
        "probability nan of state \"0\", action \"go\" -> \"0\" is outside [0, 1]");
}

TEST_CASE("The JSON samples are the book's examples", "[gridworld][mdp]") {
  FiniteMdp e41 = ReadMdp(test::DataSample("mdp/sutton_barto_4_1.json"));
  FiniteMdp e35 = ReadMdp(test::DataSample("mdp/sutton_barto_3_5.json"));
  for (auto [file, code] : {std::pair{&e41, Example41()}, {&e35, Example35()}}) {
    REQUIRE(file->StateCount() == code.StateCount());
    CHECK(file->gamma == code.gamma);
    CHECK(file->terminal == code.terminal);
    for (int s = 0; s < code.StateCount(); ++s) {
      for (int a = 0; a < 4; ++a) {
        REQUIRE(file->outcomes[s][a].size() == code.outcomes[s][a].size());
        for (size_t k = 0; k < code.outcomes[s][a].size(); ++k) {
          CHECK(file->outcomes[s][a][k].next == code.outcomes[s][a][k].next);
          CHECK(file->outcomes[s][a][k].reward == code.outcomes[s][a][k].reward);
        }
      }
    }
  }
}

}  // namespace
}  // namespace rb::gridworld
