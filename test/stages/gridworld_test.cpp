// rb-gridworld's pixel MDP: closed forms, obstacles, the three solvers against each other and
// against the general finite-MDP solver, warm starts, cells, bad goals and thread counts.
#include <catch2/catch.hpp>

#include <cmath>
#include <queue>

#include "roadbrew/kernels/threads.hpp"
#include "stages/gridworld/finite_mdp_solvers.hpp"
#include "stages/gridworld/grid_sync_sweeps.hpp"
#include "test/stages/gridworld_fixtures.hpp"
#include "test/support/test_support.hpp"

namespace rb::gridworld {
namespace {

using fixtures::MaxDifference;

GridWorld Uniform(int width, int height, double p, geo::PixelPoint goal, WorldSpec spec = {}) {
  std::vector<double> t(static_cast<size_t>(width) * height, p);
  return WorldFromCells(t, width, height, std::vector{goal}, spec);
}

// Value iteration (both sweeps), policy iteration (in-place evaluation, and synchronous
// evaluation unless `fast`: each of its evaluations takes ~log(tolerance) / log(gamma) sweeps) and
// the exact solver where it applies.
std::vector<GridSolution> AllSolvers(const GridWorld& world, double tolerance, bool fast = false) {
  std::vector<GridSolution> out;
  for (Sweep sweep : {Sweep::kSync, Sweep::kInPlace}) {
    SolveOptions options{.sweep = sweep, .tolerance = tolerance};
    out.push_back(ValueIteration(world, options));
    if (!fast || sweep == Sweep::kInPlace) out.push_back(PolicyIteration(world, options));
  }
  if (world.spec.SucceedOrStay()) out.push_back(SolveExact(world));
  return out;
}

TEST_CASE("Uniform traversability gives the closed form for every solver", "[gridworld]") {
  // Notes 2.5: V(d) = -(1 - rho^d) / (1 - gamma), rho = p gamma / (1 - (1 - p) gamma).
  const double p = 0.7, gamma = 0.99;
  const geo::PixelPoint goal{12, 9};
  GridWorld world = Uniform(31, 25, p, goal);
  const double rho = p * gamma / (1 - (1 - p) * gamma);
  for (const GridSolution& s : AllSolvers(world, 1e-7)) {
    INFO(s.solver);
    CHECK(s.converged);
    double worst = 0;
    for (int row = 0; row < 25; ++row) {
      for (int column = 0; column < 31; ++column) {
        int d = std::abs(column - goal.column) + std::abs(row - goal.row);
        double expected = -(1 - std::pow(rho, d)) / (1 - gamma);
        worst = std::max(worst, std::abs(s.value[row * 31 + column] - expected));
        uint8_t code = s.policy[row * 31 + column];
        if (d == 0) {
          CHECK(code == kGoalCode);
          continue;
        }
        Step step = StepOf(code);  // every move shortens the Manhattan distance
        CHECK(std::abs(column + step.dx - goal.column) + std::abs(row + step.dy - goal.row) ==
              d - 1);
      }
    }
    CHECK(worst <= s.error_bound + 1e-12);
    CHECK(worst < 1e-4);
  }
}

TEST_CASE("Eight certain moves count Chebyshev steps", "[gridworld]") {
  WorldSpec spec{.actions = 8, .gamma = 0.95};
  GridWorld world = Uniform(15, 11, 1.0, {3, 7}, spec);
  for (const GridSolution& s : AllSolvers(world, 1e-9)) {
    INFO(s.solver);
    for (int row = 0; row < 11; ++row) {
      for (int column = 0; column < 15; ++column) {
        int d = std::max(std::abs(column - 3), std::abs(row - 7));
        CHECK(s.value[row * 15 + column] == Approx(-(1 - std::pow(0.95, d)) / 0.05).margin(1e-6));
      }
    }
  }
}

// Breadth-first steps to `goal` through cells with t > 0 (4 neighbours), -1 when unreachable.
std::vector<int> Steps(const std::vector<double>& t, int width, int height, geo::PixelPoint goal) {
  std::vector<int> d(t.size(), -1);
  std::queue<int> queue;
  d[goal.row * width + goal.column] = 0;
  queue.push(goal.row * width + goal.column);
  while (!queue.empty()) {
    int i = queue.front();
    queue.pop();
    int x = i % width, y = i / width;
    for (auto [dx, dy] : {std::pair{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
      int xx = x + dx, yy = y + dy, j = yy * width + xx;
      if (xx < 0 || yy < 0 || xx >= width || yy >= height || d[j] >= 0 || !(t[j] > 0)) continue;
      d[j] = d[i] + 1;
      queue.push(j);
    }
  }
  return d;
}

TEST_CASE("Obstacles force detours and enclosed cells have no route", "[gridworld]") {
  const int w = 20, h = 15;
  std::vector<double> t(w * h, 1.0);
  for (int row = 0; row < 13; ++row) t[row * w + 10] = NAN;  // a wall with a gap at the bottom
  for (int x = 1; x <= 3; ++x) t[1 * w + x] = t[3 * w + x] = NAN;  // a walled pocket at (2, 2)
  t[2 * w + 1] = t[2 * w + 3] = NAN;
  const geo::PixelPoint goal{15, 2};
  WorldSpec spec{.gamma = 0.9};
  GridWorld world = WorldFromCells(t, w, h, std::vector{goal}, spec);
  std::vector<int> steps = Steps(t, w, h, goal);
  REQUIRE(steps[0] == 15 - 0 + 2 + 2 * (13 - 2));  // around the wall's end
  for (const GridSolution& s : AllSolvers(world, 1e-10)) {
    INFO(s.solver);
    CHECK(s.unreachable == 1);
    for (int i = 0; i < w * h; ++i) {
      if (std::isnan(t[i])) {
        CHECK(std::isnan(s.value[i]));
        CHECK(s.policy[i] == kNodataCode);
      } else if (steps[i] < 0) {
        CHECK(s.value[i] == -1 / (1 - 0.9));
        CHECK(s.policy[i] == kNoRouteCode);
      } else {
        CHECK(s.value[i] == Approx(-(1 - std::pow(0.9, steps[i])) / 0.1).margin(1e-8));
      }
    }
  }
}

TEST_CASE("A diagonal move cannot squeeze between two obstacles", "[gridworld]") {
  std::vector<double> t = {1, NAN, 1, NAN, 1, 1, 1, 1, 1};  // 3x3, obstacles beside (0, 0)
  GridWorld world = WorldFromCells(t, 3, 3, std::vector{geo::PixelPoint{2, 2}}, {.actions = 8});
  GridSolution s = SolveExact(world);
  CHECK(s.policy[0] == kNoRouteCode);
  CHECK(s.value[4] == Approx(-1));  // (1, 1) steps SE onto the goal
  CHECK(s.policy[4] == 4);
}

void CheckAgreement(int w, int h, bool fast) {
  std::vector<double> t = fixtures::ToDouble(fixtures::RoadField(w, h, 3));
  GridWorld world = WorldFromCells(t, w, h, std::vector{geo::PixelPoint{w / 2, h / 3}}, {});
  GridSolution exact = SolveExact(world);
  CHECK(exact.bellman_residual < 1e-12);
  std::vector<double> v = fixtures::Padded(world, exact);
  for (const GridSolution& s : AllSolvers(world, 1e-6, fast)) {
    INFO(s.solver);
    CHECK(s.converged);
    CHECK(MaxDifference(s.value, exact.value) <= s.error_bound + 1e-9);
    CHECK(MaxDifference(s.value, exact.value) < 1e-3);
    // Each chosen move is optimal under the exact values (ties may fall either way).
    for (int row = 0; row < h; ++row) {
      for (int column = 0; column < w; ++column) {
        size_t s_padded = world.Padded(column, row);
        uint8_t code = s.policy[row * w + column];
        if (code == kGoalCode) continue;
        int a = static_cast<int>(std::find(world.codes.begin(), world.codes.end(), code) -
                                 world.codes.begin());
        REQUIRE(a < world.ActionCount());
        CHECK(detail::ActionValue(world, v, s_padded, a) >= v[s_padded] - 1e-3);
      }
    }
  }
}

TEST_CASE("The exact policy heads for the goal where the values round to the floor",
          "[gridworld]") {
  // A corridor of doubtful cells: each step west keeps rho = 0.832 of the gap above -100, which
  // falls under the rounding of -100 after about 200 cells. The values there are all the same
  // double, so a greedy look at them sees ties; the solver's own record of the move that set
  // each value still points every cell west.
  const int w = 400;
  GridWorld world = Uniform(w, 1, 0.05, {0, 0});
  GridSolution s = SolveExact(world);
  CHECK(s.value[w - 1] == s.value[w - 100]);  // the same double: V says nothing out there
  CHECK(s.value[1] > s.value[w - 1]);
  for (int column = 1; column < w; ++column) {
    INFO("column " << column);
    CHECK(s.policy[column] == 7);  // W
  }
}

TEST_CASE("All three solvers agree on a road-like map", "[gridworld]") {
  CheckAgreement(120, 90, true);
  CheckAgreement(40, 30, false);  // policy iteration with synchronous evaluation too
}

TEST_CASE("Specialised kernels equal the general ones", "[gridworld]") {
  const int w = 64, h = 48;
  std::vector<double> t = fixtures::ToDouble(fixtures::RoadField(w, h, 5));
  GridWorld world = WorldFromCells(t, w, h, std::vector{geo::PixelPoint{10, 16}}, {});
  for (Sweep sweep : {Sweep::kSync, Sweep::kInPlace}) {
    SolveOptions fast{.sweep = sweep, .tolerance = 1e-10};
    SolveOptions general = fast;
    general.general_kernels = true;
    GridSolution a = ValueIteration(world, fast), b = ValueIteration(world, general);
    CHECK(a.converged);
    CHECK(b.converged);
    CHECK(MaxDifference(a.value, b.value) < 1e-8);
  }
}

TEST_CASE("Fused synchronous sweeps equal sweeps one at a time", "[gridworld]") {
  // Tall enough for three strips of a 13-sweep pass; obstacles and two goals inside.
  const int w = 150, h = 400;
  std::vector<double> t = fixtures::ToDouble(fixtures::RoadField(w, h, 3));
  for (int row = 100; row < 140; ++row) t[row * w + 40] = std::nan("");
  GridWorld world = WorldFromCells(t, w, h, std::vector{geo::PixelPoint{10, 16}, {120, 390}}, {});
  std::vector<double> mask = UpdateMask(world);
  std::vector<double> start(world.kind.size());
  RandomStream random(4, 1);
  for (size_t s = 0; s < start.size(); ++s) start[s] = mask[s] != 0 ? random.Uniform(-100, 0) : 0;
  for (int depth : {1, 2, 5, 13}) {
    std::vector<double> one = start, next(start.size()), step_changes;
    for (int l = 0; l < depth; ++l) {
      double change = 0;
      FusedSyncSweeps(world, mask, one, next, std::span<double>(&change, 1));
      step_changes.push_back(change);
      one.swap(next);
    }
    for (int threads : {1, 2, 3}) {
      INFO("depth " << depth << " threads " << threads);
      kernels::SetThreads(threads);
      std::vector<double> fused(start.size()), changes(depth);
      FusedSyncSweeps(world, mask, start, fused, changes);
      CHECK(fused == one);  // bit for bit, frame included
      CHECK(changes == step_changes);
    }
  }
  kernels::SetThreads(0);
  // Value iteration stops at the first sweep under the tolerance even inside a fused pass.
  std::vector<double> v(world.kind.size(), 0.0), next(v.size());
  int64_t sweeps = 0;
  for (double change = 1; change >= 1e-4; ++sweeps) {
    FusedSyncSweeps(world, mask, v, next, std::span<double>(&change, 1));
    v.swap(next);
  }
  GridSolution fused = ValueIteration(world, {.sweep = Sweep::kSync, .zero_start = true});
  CHECK(fused.sweeps == sweeps);
  REQUIRE(sweeps % FusedSweepDepth(world.stride) != 0);
  std::vector<double> expected;
  for (size_t s = 0; s < v.size(); ++s) {
    if (world.kind[s] != CellKind::kObstacle) expected.push_back(v[s]);
  }
  std::vector<double> got;
  for (size_t i = 0; i < fused.value.size(); ++i) {
    if (!std::isnan(fused.value[i])) got.push_back(fused.value[i]);
  }
  CHECK(got == expected);
}

TEST_CASE("Slips and eight moves match the general finite MDP solver", "[gridworld]") {
  std::vector<double> t = fixtures::ToDouble(fixtures::RoadField(9, 7, 11));
  t[3 * 9 + 4] = t[3 * 9 + 5] = NAN;
  WorldSpec spec{.actions = 8, .slip = 0.4, .step_reward = -0.5, .goal_reward = 5, .gamma = 0.9};
  GridWorld world = WorldFromCells(t, 9, 7, std::vector{geo::PixelPoint{7, 1}}, spec);
  FiniteMdp mdp = fixtures::AsFiniteMdp(world);
  MdpSolution oracle = ValueIteration(mdp, {.tolerance = 1e-13});
  std::vector<double> expected(9 * 7);
  for (int row = 0; row < 7; ++row) {
    for (int column = 0; column < 9; ++column) {
      size_t s = world.Padded(column, row);
      expected[row * 9 + column] = world.kind[s] == CellKind::kObstacle ? NAN
                                   : world.kind[s] == CellKind::kGoal   ? 5.0
                                                                        : oracle.value[s];
    }
  }
  for (const GridSolution& s : AllSolvers(world, 1e-11)) {
    INFO(s.solver);
    CHECK(MaxDifference(s.value, expected) < 1e-8);
  }
  CHECK(test::ErrorText(ErrorCode::kInvalidArgument, [&] {
          SolveExact(world);
        }).find("slip 0, got 0.4") != std::string::npos);
}

TEST_CASE("Policy iteration ends on a field of ties", "[gridworld]") {
  // Uniform certain moves: almost every state has two equally good moves.
  GridWorld world = Uniform(41, 41, 1.0, {20, 20}, {.gamma = 0.97});
  for (Sweep sweep : {Sweep::kSync, Sweep::kInPlace}) {
    GridSolution s = PolicyIteration(world, {.sweep = sweep, .tolerance = 1e-9});
    CHECK(s.converged);
    CHECK(s.iterations <= 3);
    CHECK(MaxDifference(s.value, SolveExact(world).value) < 1e-7);
  }
}

TEST_CASE("Warm starts reach the same values with less work", "[gridworld]") {
  const int w = 100, h = 80;
  std::vector<double> before = fixtures::ToDouble(fixtures::RoadField(w, h, 21));
  std::vector<double> closed = before, opened = before;
  for (int x = 80; x < 90; ++x) {
    for (int y = h / 3 - 3; y <= h / 3 + 3; ++y) closed[y * w + x] = 0.02;  // a road closed
  }
  for (int y = 5; y < h - 5; ++y) opened[y * w + 80] = 0.98;  // a road opened
  geo::PixelPoint goal{w / 2, h / 3};
  GridSolution old = SolveExact(WorldFromCells(before, w, h, std::vector{goal}, {}));
  std::vector<float> rounded(old.value.begin(), old.value.end());  // as a float32 raster holds it
  for (const auto* t : {&closed, &opened}) {
    INFO((t == &closed ? "closed" : "opened"));
    GridWorld world = WorldFromCells(*t, w, h, std::vector{goal}, {});
    GridSolution exact = SolveExact(world);
    for (Sweep sweep : {Sweep::kSync, Sweep::kInPlace}) {
      SolveOptions cold{.sweep = sweep, .tolerance = 1e-6};
      SolveOptions warm = cold;
      warm.initial.assign(rounded.begin(), rounded.end());
      GridSolution a = ValueIteration(world, cold), b = ValueIteration(world, warm);
      CHECK(MaxDifference(b.value, exact.value) <= b.error_bound + 1e-9);
      // In-place sweeps already settle in a handful from the floor; synchronous ones need as
      // many sweeps as the largest change takes to shrink by gamma per sweep.
      CHECK(b.sweeps <= a.sweeps);
      if (sweep == Sweep::kSync) {
        warm.initial = old.value;  // unrounded doubles
        CHECK(ValueIteration(world, warm).sweeps < a.sweeps);
      }
      // Closing a road resets the states whose routes used it; opening one only raises values,
      // so rounded old values need no reset at all.
      if (t == &closed) {
        CHECK(b.warm_start_reset > 0);
        CHECK(b.warm_start_reset < w * h / 2);
      } else {
        CHECK(b.warm_start_reset == 0);
      }
    }
    SolveOptions cold{.tolerance = 1e-6};
    SolveOptions warm = cold;
    warm.initial.assign(rounded.begin(), rounded.end());
    GridSolution c = PolicyIteration(world, cold), d = PolicyIteration(world, warm);
    CHECK(MaxDifference(d.value, exact.value) < 1e-3);
    CHECK(d.iterations < c.iterations);
  }
}

TEST_CASE("Cells average their pixels and keep obstacles and nodata apart", "[gridworld]") {
  // 7x5 pixels in cells of 3: a 3x2 grid whose last column and row are partial.
  std::vector<float> p(35, 0.5f);
  p[0] = 1.0f;                                     // cell (0, 0)
  for (int y = 0; y < 3; ++y) p[y * 7 + 3] = NAN;  // a third of cell (1, 0) nodata
  for (int y = 3; y < 5; ++y) p[y * 7 + 6] = NAN;  // all of cell (2, 1) nodata
  geo::ProbabilityMap map = geo::MakeProbabilityMap(p, 7, 5, true, "cells");
  std::vector<uint8_t> obstacles(35, 0);
  for (int y = 3; y < 5; ++y) {
    for (int x = 0; x < 3; ++x) obstacles[y * 7 + x] = 1;  // all of cell (0, 1)
  }
  obstacles[3 * 7 + 3] = 1;  // one pixel of cell (1, 1)
  GridWorld world = BuildWorld(map, obstacles, std::vector{geo::PixelPoint{6, 0}}, {.cell = 3});
  REQUIRE(world.width == 3);
  REQUIRE(world.height == 2);
  CHECK(world.traversability[world.Padded(0, 0)] == Approx((1.0 + 8 * 0.5) / 9));
  CHECK(world.traversability[world.Padded(1, 0)] == Approx(6 * 0.5 / 9));
  CHECK(world.kind[world.Padded(2, 0)] == CellKind::kGoal);  // pixel (6, 0) lies in cell (2, 0)
  CHECK(world.traversability[world.Padded(2, 0)] == Approx(0.5));
  CHECK(world.kind[world.Padded(0, 1)] == CellKind::kObstacle);
  CHECK(world.traversability[world.Padded(1, 1)] == Approx(5 * 0.5 / 6));
  CHECK(world.kind[world.Padded(2, 1)] == CellKind::kUnknown);
  GridSolution s = SolveExact(world);
  CHECK(std::isnan(s.value[1 * 3 + 2]));  // unknown cells are written as nodata
  CHECK(s.policy[1 * 3 + 0] == kNodataCode);
}

TEST_CASE("Goals and models that cannot work are refused by name", "[gridworld]") {
  std::vector<double> t = {0.5, NAN, 0.0, 0.5};
  auto goal_error = [&](geo::PixelPoint g) {
    return test::ErrorText(ErrorCode::kInvalidArgument,
                           [&] { WorldFromCells(t, 2, 2, std::vector{g}, {}); });
  };
  CHECK(goal_error({1, 0}) == "goal 1 = (col 1, row 0) lies on an obstacle");
  CHECK(goal_error({0, 1}) ==
        "goal 1 = (col 0, row 1) has traversability 0 (road probability 0 or nodata): it can "
        "never be entered");
  CHECK(goal_error({2, 0}) == "goal 1 = cell (col 2, row 0) is outside the 2x2 grid");
  std::vector<double> ok = {0.5, 0.5, 0.5, 0.5};
  auto spec_error = [&](WorldSpec spec) {
    return test::ErrorText(ErrorCode::kInvalidArgument, [&] {
      WorldFromCells(ok, 2, 2, std::vector{geo::PixelPoint{0, 0}}, spec);
    });
  };
  CHECK(spec_error({.gamma = 1.0}) == "gamma 1 is outside (0, 1)");
  CHECK(spec_error({.slip = -0.1}) == "slip -0.1 is outside [0, 1]");
  GridWorld world = WorldFromCells(ok, 2, 2, std::vector{geo::PixelPoint{0, 0}},
                                   {.step_reward = -1, .goal_reward = -200, .gamma = 0.99});
  CHECK(test::ErrorText(ErrorCode::kInvalidArgument, [&] {
          SolveExact(world);
        }).find("goal reward -200 < step reward / (1 - gamma)") != std::string::npos);
  // Value iteration still solves it: staying away from the goal forever is worth -100.
  GridSolution s = ValueIteration(world, {.tolerance = 1e-9});
  CHECK(s.value[3] == Approx(-100).margin(1e-5));
}

TEST_CASE("Solutions do not depend on the thread count", "[gridworld]") {
  // Large enough for several row pieces; a few sweeps and improvements suffice to compare.
  const int w = 400, h = 400;
  std::vector<double> t = fixtures::ToDouble(fixtures::RoadField(w, h, 8));
  GridWorld world = WorldFromCells(t, w, h, std::vector{geo::PixelPoint{w / 2, h / 3}}, {});
  REQUIRE(world.RowGrain() * 2 < h);
  SolveOptions sync{.sweep = Sweep::kSync, .max_iterations = 40};
  SolveOptions policy{.max_iterations = 3};
  SolveOptions warm{.sweep = Sweep::kSync, .max_iterations = 5};
  std::vector<GridSolution> runs;
  for (int threads : {1, 2, 3}) {
    kernels::SetThreads(threads);
    runs.push_back(ValueIteration(world, sync));
    runs.push_back(PolicyIteration(world, policy));
    warm.initial = runs[0].value;
    warm.initial[(h / 2) * w + w / 2] += 5;  // an unsupported value, to be reset
    runs.push_back(ValueIteration(world, warm));
  }
  for (size_t i = 3; i < runs.size(); ++i) {
    CHECK(runs[i].value == runs[i % 3].value);  // bit for bit
    CHECK(runs[i].policy == runs[i % 3].policy);
    CHECK(runs[i].sweeps == runs[i % 3].sweeps);
    CHECK(runs[i].bellman_residual == runs[i % 3].bellman_residual);
    CHECK(runs[i].warm_start_reset == runs[i % 3].warm_start_reset);
  }
  CHECK(runs[2].warm_start_reset > 0);
}

}  // namespace
}  // namespace rb::gridworld
