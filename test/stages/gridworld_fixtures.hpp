// Worlds for the rb-gridworld tests: uniform fields, a small road-like map, and the grid as a
// FiniteMdp (the general solver is the oracle of the grid solvers).
#pragma once

#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "common/core/rng.hpp"
#include "stages/gridworld/finite_mdp.hpp"
#include "stages/gridworld/grid_solvers.hpp"

namespace rb::gridworld::fixtures {

// A road-like probability field, (height, width) row-major: a noisy background in [0.01, 0.2],
// four roads of p 0.9-0.99 (a cross, a diagonal, a ring) with a gap in one of them.
inline std::vector<float> RoadField(int width, int height, uint64_t seed) {
  RandomStream random(seed, 7);
  cv::Mat field(height, width, CV_32F);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) field.at<float>(y, x) = random.Uniform(0.01, 0.2);
  }
  cv::Mat roads(height, width, CV_32F, cv::Scalar(0));
  cv::line(roads, {0, height / 3}, {width - 1, height / 3}, 0.97, 3);
  cv::line(roads, {width / 2, 0}, {width / 2, height - 1}, 0.95, 2);
  cv::line(roads, {0, height - 1}, {width - 1, height / 5}, 0.9, 2);
  cv::circle(roads, {width / 4, 2 * height / 3}, height / 6, 0.99, 2);
  cv::line(roads, {width / 2 - 3, height / 2}, {width / 2 + 3, height / 2 + 4}, 0.0, 4);  // gap
  cv::max(field, roads, field);
  cv::rectangle(field, {width / 2 - 2, height / 2 - 2}, {width / 2 + 2, height / 2 + 2}, 0.03,
                cv::FILLED);
  return {field.begin<float>(), field.end<float>()};
}

inline std::vector<double> ToDouble(const std::vector<float>& v) { return {v.begin(), v.end()}; }

// The gridworld as a FiniteMdp: one state per grid state, goals terminal; entering a goal earns
// gamma * goal_reward on top of the step reward, since a terminal's value is 0.
inline FiniteMdp AsFiniteMdp(const GridWorld& world) {
  std::vector<std::string> actions;
  for (uint8_t code : world.codes) actions.push_back(DirectionName(code));
  FiniteMdp mdp(static_cast<int>(world.kind.size()), actions, world.spec.gamma);
  const double r = world.spec.step_reward;
  for (size_t s = 0; s < world.kind.size(); ++s) {
    if (world.kind[s] == CellKind::kGoal) mdp.terminal[s] = true;
    if (world.kind[s] != CellKind::kOpen && world.kind[s] != CellKind::kUnknown) {
      mdp.terminal[s] = true;  // obstacles and the frame: never entered, value irrelevant
      continue;
    }
    for (int a = 0; a < world.ActionCount(); ++a) {
      Outcomes out = world.Transitions(s, a);
      for (int k = 0; k < out.count; ++k) {
        size_t t = out.moves[k].next;
        double bonus =
            world.kind[t] == CellKind::kGoal ? world.spec.gamma * world.spec.goal_reward : 0.0;
        mdp.Add(static_cast<int>(s), a, static_cast<int>(t), out.moves[k].probability, r + bonus);
      }
      if (out.stay > 0) mdp.Add(static_cast<int>(s), a, static_cast<int>(s), out.stay, r);
    }
  }
  mdp.Validate();
  return mdp;
}

// The solution's values on the padded grid (goals at goal_reward, obstacles 0), so that
// detail::ActionValue can score moves with them.
inline std::vector<double> Padded(const GridWorld& world, const GridSolution& solution) {
  std::vector<double> v(world.kind.size(), 0.0);
  for (int row = 0; row < world.height; ++row) {
    for (int column = 0; column < world.width; ++column) {
      double x = solution.value[static_cast<size_t>(row) * world.width + column];
      if (!std::isnan(x)) v[world.Padded(column, row)] = x;
    }
  }
  return v;
}

inline double MaxDifference(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) != std::isnan(b[i])) return INFINITY;
    if (!std::isnan(a[i])) m = std::max(m, std::abs(a[i] - b[i]));
  }
  return m;
}

}  // namespace rb::gridworld::fixtures
