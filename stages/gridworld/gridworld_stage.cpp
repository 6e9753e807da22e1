// rb-gridworld map: parameters and Run function of the pixel gridworld.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "roadbrew/kernels/threads.hpp"
#include "stages/gridworld/gridworld.hpp"
#include "stages/gridworld/gridworld_io.hpp"

namespace rb::gridworld {
namespace {

WorldSpec SpecFrom(const Params& params) {
  WorldSpec spec;
  spec.cell = static_cast<int>(params.GetInt("cell"));
  spec.actions = std::stoi(params.GetString("actions"));
  spec.slip = params.GetFloat("slip");
  spec.step_reward = params.GetFloat("step_reward");
  spec.goal_reward = params.GetFloat("goal_reward");
  spec.gamma = params.GetFloat("gamma");
  return spec;
}

nlohmann::json GoalsJson(const geo::ProbabilityMap& map, const std::vector<geo::PixelPoint>& goals,
                         int cell) {
  std::vector<geo::Point2> lon_lat = geo::PixelCentresLonLat(map, goals);
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < goals.size(); ++i) {
    nlohmann::json g = {{"pixel", {goals[i].column, goals[i].row}},
                        {"cell", {goals[i].column / cell, goals[i].row / cell}}};
    if (!lon_lat.empty()) g["lonlat"] = {lon_lat[i].x, lon_lat[i].y};
    out.push_back(g);
  }
  return out;
}

nlohmann::json SolutionJson(const GridSolution& s, const GridWorld& world) {
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t n = 0;
  for (double v : s.value) {
    if (std::isnan(v)) continue;
    lo = std::min(lo, v), hi = std::max(hi, v), sum += v, ++n;
  }
  nlohmann::json counts = nlohmann::json::object();
  std::vector<int64_t> histogram(256, 0);
  for (uint8_t code : s.policy) ++histogram[code];
  counts["goal"] = histogram[kGoalCode];
  for (uint8_t code : world.codes) counts[DirectionName(code)] = histogram[code];
  counts["no_route"] = histogram[kNoRouteCode];
  counts["nodata"] = histogram[kNodataCode];
  return {{"solver", s.solver},
          {"iterations", s.iterations},
          {"sweeps", s.sweeps},
          {"last_change", s.last_change},
          {"bellman_residual", s.bellman_residual},
          {"error_bound", s.error_bound},
          {"converged", s.converged},
          {"seconds", s.seconds},
          {"unreachable", s.unreachable},
          {"warm_start_reset", s.warm_start_reset},
          {"value", {{"min", n ? lo : NAN}, {"max", n ? hi : NAN}, {"mean", n ? sum / n : NAN}}},
          {"policy_counts", counts}};
}

struct Problem {
  geo::ProbabilityMap map;
  std::vector<geo::PixelPoint> goals;
  GridWorld world;
  SolveOptions options;
};

Problem ReadProblem(const Params& params) {
  Problem p;
  p.map = geo::ReadProbabilityMap(params.GetPath("prob"), static_cast<int>(params.GetInt("band")));
  p.goals = geo::LocatePoints(p.map, geo::PairUp(params.GetFloatList("goal"), "--goal"),
                              geo::ParsePointUnits(params.GetString("points")), "goal ");
  std::vector<uint8_t> obstacles;
  if (params.Has("obstacles")) obstacles = ReadObstacleMask(params.GetPath("obstacles"), p.map);
  auto build = [&] { return BuildWorld(p.map, obstacles, p.goals, SpecFrom(params)); };
  p.world = params.Has("obstacles")
                ? WithContext("obstacles '" + params.GetString("obstacles") + "'", build)
                : build();
  p.options.sweep = ParseSweep(params.GetString("sweep"));
  p.options.tolerance = params.GetFloat("tolerance");
  p.options.max_iterations = params.GetInt("max_iterations");
  p.options.zero_start = params.GetString("init") == "zero";
  if (params.Has("init_values")) {
    p.options.initial = ReadCellValues(params.GetPath("init_values"), p.world);
  }
  return p;
}

void WriteRasters(const Params& params, cli::StageOutputs& outputs, const Problem& p,
                  const GridSolution& solution) {
  geo::GeoReference georef = CellGeoReference(p.map, p.world.spec.cell);
  if (outputs.Has("values")) {
    WriteValues(outputs.Path("values"), solution, p.world, georef,
                params.GetString("value_type") == "float64");
  }
  if (outputs.Has("policy")) WritePolicy(outputs.Path("policy"), solution, p.world, georef);
  if (outputs.Has("quiver")) {
    geo::RgbImage background =
        params.Has("image")
            ? geo::ReadDisplayImage(params.GetPath("image"), p.map.width, p.map.height)
            : geo::ProbabilityDisplay(p.map);
    WriteQuiver(outputs.Path("quiver"), background, p.world, solution, p.goals,
                static_cast<int>(params.GetInt("quiver_spacing")));
  }
}

nlohmann::json Summary(const Params& params, const Problem& p, const GridSolution& solution) {
  const WorldSpec& spec = p.world.spec;
  nlohmann::json summary = SolutionJson(solution, p.world);
  summary["grid"] = {{"width", p.world.width},
                     {"height", p.world.height},
                     {"cell", spec.cell},
                     {"actions", spec.actions},
                     {"map", {p.map.width, p.map.height}}};
  summary["model"] = {{"slip", spec.slip},
                      {"step_reward", spec.step_reward},
                      {"goal_reward", spec.goal_reward},
                      {"gamma", spec.gamma}};
  summary["goals"] = GoalsJson(p.map, p.goals, spec.cell);
  summary["tolerance"] = p.options.tolerance;
  // The exact solver settles every state once from the goals: it has no use for old values.
  const bool warm = params.Has("init_values") && solution.solver.rfind("exact", 0) != 0;
  if (params.Has("init_values") && !warm) {
    LogInfo("the exact solver needs no starting values: --init-values not used");
  }
  summary["warm_start"] = warm ? nlohmann::json(params.GetString("init_values")) : nullptr;
  return summary;
}

nlohmann::json RunMap(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  RB_CHECK_ARG(outputs.Has("values") || outputs.Has("policy") || outputs.Has("quiver") ||
                   outputs.Has("summary"),
               "nothing to write: give --values, --policy, --quiver or --summary");
  kernels::SetThreads(context.threads());
  Problem p = ReadProblem(params);
  context.CheckCancelled();
  GridSolution solution = Solve(p.world, params.GetString("solver"), p.options);
  if (!solution.converged) {
    LogWarning("{} stopped after {} iterations without reaching the tolerance {} (last change {})",
               solution.solver, solution.iterations, p.options.tolerance, solution.last_change);
  }
  WriteRasters(params, outputs, p, solution);
  nlohmann::json summary = Summary(params, p, solution);
  std::string text = summary.dump(1) + "\n";
  if (outputs.Has("summary")) io::WriteFileAtomic(outputs.Path("summary"), text);
  std::fputs(text.c_str(), stdout);  // machine-readable, like the file
  std::fflush(stdout);
  LogInfo("{}: {} iterations, {} sweeps, Bellman residual {:.3g}, {:.3f} s, {} cells without route",
          solution.solver, solution.iterations, solution.sweeps, solution.bellman_residual,
          solution.seconds, solution.unreachable);
  return summary;
}

}  // namespace

cli::StageDescriptor MapCommand() {
  cli::StageDescriptor stage;
  stage.name = "map";
  stage.summary = "Values and a policy towards goals on a road-probability map.";
  stage.description =
      "States are cells of --cell pixels; a move (4 or 8 actions) into a cell succeeds with the "
      "cell's mean road probability, else stays (or, with --slip, slides sideways); every move "
      "earns --step-reward, the goals are absorbing with value --goal-reward, gamma discounts. "
      "Obstacle cells (--obstacles, e.g. buildings) cannot be entered. Solvers: exact "
      "(one-pass label setting, succeed-or-stay only), value iteration and policy iteration "
      "(sync or in-place sweeps), auto = exact where it applies. Outputs: values and policy "
      "codes (0 goal, 1-8 = N NE E SE S SW W NW, 9 no route, 255 nodata) as GeoTIFF or NPY, a "
      "quiver PNG and a JSON summary.";
  ParamSpecs& p = stage.params;
  p.Input("prob", "road-probability raster (rb-infer output) or 2-D NPY").Required();
  p.Int("band", "band of --prob", 1).Range(1, 1e6);
  p.FloatList("goal", "goal point(s): x,y[,x,y...]", {}).Required();
  p.Choice("points", "units of --goal", {"pixel", "lonlat"}, "pixel");
  p.Input("obstacles", "raster or NPY on the map's grid, non-zero = obstacle");
  p.Input("image", "image drawn under the quiver (default: the probabilities)");
  p.Int("cell", "cell size in pixels (the seed used 30)", 1).Range(1, 1e6);
  p.Choice("actions", "moves per state", {"4", "8"}, "4");
  p.Float("slip", "fraction of failed moves that slide sideways instead of staying", 0).Range(0, 1);
  p.Float("step_reward", "reward of every move", -1).Range(-1e9, 1e9);
  p.Float("goal_reward", "value of the goal", 0).Range(-1e9, 1e9);
  p.Float("gamma", "discount per move, in (0, 1)", 0.99).Range(1e-9, 1 - 1e-12);
  p.Choice("solver", "auto: exact where it applies, else value iteration",
           {"auto", "exact", "value", "policy"}, "auto");
  p.Choice("sweep", "value iteration and policy evaluation sweeps", {"inplace", "sync"}, "inplace");
  p.Float("tolerance", "stop when a sweep changes no value by this much", 1e-4).Range(1e-15, 1e6);
  p.Int("max_iterations", "most sweeps (value) or improvements (policy)", 100000).Range(1, 1e12);
  p.Choice("init",
           "start of value iteration and the first evaluation: the lowest possible "
           "value (values rise monotonically) or 0 (the textbook's start)",
           {"floor", "zero"}, "floor");
  p.Input("init_values", "warm start: a --values raster of an earlier run on the same grid");
  p.Output("values", "state values (.tif GeoTIFF or .npy)");
  p.Output("policy", "action codes (.tif GeoTIFF or .npy)");
  p.Output("quiver", "PNG of the policy's arrows over the image");
  p.Output("summary",
           "JSON: solver, iterations, residual, error bound, time, counts (also on "
           "stdout)");
  p.Choice("value_type", "sample type of --values", {"float32", "float64"}, "float32");
  p.Int("quiver_spacing", "cells between arrows (0: about 48 across)", 0).Range(0, 1e6);
  stage.run = RunMap;
  return stage;
}

cli::CommandSet GridworldCommands() {
  return {"rb-gridworld",
          "Decisions on uncertain road maps: values and policies of gridworld MDPs.",
          {MapCommand(), MdpCommand()}};
}

}  // namespace rb::gridworld
