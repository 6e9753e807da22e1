#include "stages/gridworld/grid_world.hpp"

#include <algorithm>
#include <cmath>

#include "common/core/check.hpp"

namespace rb::gridworld {
namespace {

constexpr std::array<Step, 8> kSteps = {
    {{0, -1}, {1, -1}, {1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}}};
constexpr std::array<const char*, 8> kNames = {"N", "NE", "E", "SE", "S", "SW", "W", "NW"};

// The code of the direction `turn` eighths of a turn clockwise from `code`.
uint8_t Turn(uint8_t code, int turn) { return static_cast<uint8_t>((code - 1 + turn + 8) % 8 + 1); }

void SetActions(GridWorld& world) {
  for (uint8_t code = 1; code <= 8; code += (world.spec.actions == 4 ? 2 : 1)) {
    Step step = StepOf(code);
    world.codes.push_back(code);
    std::ptrdiff_t dy = static_cast<std::ptrdiff_t>(step.dy) * world.stride;
    world.offsets.push_back(dy + step.dx);
    bool diagonal = step.dx != 0 && step.dy != 0;
    world.corners.push_back({diagonal ? step.dx : 0, diagonal ? dy : 0});
  }
}

GridWorld EmptyWorld(int width, int height, const WorldSpec& spec) {
  CheckSpec(spec);
  GridWorld world;
  world.width = width;
  world.height = height;
  world.stride = width + 2;
  world.spec = spec;
  size_t padded = static_cast<size_t>(height + 2) * world.stride;
  world.traversability.assign(padded, 0.0);
  world.kind.assign(padded, CellKind::kObstacle);
  SetActions(world);
  return world;
}

// Marks the goals, refusing ones no move can ever enter.
void PlaceGoals(GridWorld& world, std::span<const geo::PixelPoint> cells,
                std::span<const geo::PixelPoint> pixels, const std::string& source) {
  RB_CHECK_ARG(!cells.empty(), "give at least one goal");
  for (size_t i = 0; i < cells.size(); ++i) {
    geo::PixelPoint c = cells[i];
    geo::PixelPoint shown = pixels.empty() ? c : pixels[i];
    RB_CHECK_ARG(c.column >= 0 && c.row >= 0 && c.column < world.width && c.row < world.height,
                 "goal {} = cell (col {}, row {}) is outside the {}x{} grid", i + 1, c.column,
                 c.row, world.width, world.height);
    size_t s = world.Padded(c.column, c.row);
    std::string place = fmt::format("goal {} = (col {}, row {}){}", i + 1, shown.column, shown.row,
                                    source.empty() ? "" : " of '" + source + "'");
    if (world.spec.cell > 1) place += fmt::format(" (cell col {}, row {})", c.column, c.row);
    RB_CHECK_ARG(world.kind[s] != CellKind::kObstacle, "{} lies on an obstacle", place);
    RB_CHECK_ARG(world.traversability[s] > 0,
                 "{} has traversability 0 (road probability 0 or nodata): it can never be entered",
                 place);
    world.kind[s] = CellKind::kGoal;
    world.goals.push_back(s);
  }
}

}  // namespace

Step StepOf(uint8_t code) {
  RB_CHECK(code >= 1 && code <= 8);
  return kSteps[code - 1];
}

const char* DirectionName(uint8_t code) {
  RB_CHECK(code >= 1 && code <= 8);
  return kNames[code - 1];
}

double WorldSpec::Floor() const { return std::min(step_reward / (1 - gamma), goal_reward); }

void CheckSpec(const WorldSpec& spec) {
  RB_CHECK_ARG(spec.cell >= 1, "cell size must be >= 1 pixel, got {}", spec.cell);
  RB_CHECK_ARG(spec.actions == 4 || spec.actions == 8, "actions must be 4 or 8, got {}",
               spec.actions);
  RB_CHECK_ARG(spec.slip >= 0 && spec.slip <= 1, "slip {} is outside [0, 1]", spec.slip);
  RB_CHECK_ARG(spec.gamma > 0 && spec.gamma < 1, "gamma {} is outside (0, 1)", spec.gamma);
  RB_CHECK_ARG(std::isfinite(spec.step_reward), "step reward {} is not finite", spec.step_reward);
  RB_CHECK_ARG(std::isfinite(spec.goal_reward), "goal reward {} is not finite", spec.goal_reward);
}

Outcomes GridWorld::Transitions(size_t s, int a) const {
  Outcomes out;
  double main = Enterable(s, a) ? traversability[s + offsets[a]] : 0.0;
  if (main > 0) out.moves[out.count++] = {s + offsets[a], main};
  out.stay = 1 - main;
  if (spec.slip > 0 && main < 1) {
    double slide = (1 - main) * spec.slip / 2;
    for (int turn : {-2, 2}) {
      uint8_t code = Turn(codes[a], turn);
      int side = static_cast<int>(std::find(codes.begin(), codes.end(), code) - codes.begin());
      double p = Enterable(s, side) ? slide * traversability[s + offsets[side]] : 0.0;
      if (p > 0) out.moves[out.count++] = {s + offsets[side], p};
      out.stay -= p;
    }
  }
  return out;
}

GridWorld WorldFromCells(std::span<const double> traversability, int width, int height,
                         std::span<const geo::PixelPoint> goal_cells, const WorldSpec& spec) {
  RB_CHECK_ARG(width > 0 && height > 0, "the grid is empty ({}x{})", width, height);
  RB_CHECK_EQ(traversability.size(), static_cast<size_t>(width) * height);
  GridWorld world = EmptyWorld(width, height, spec);
  for (int row = 0; row < height; ++row) {
    for (int column = 0; column < width; ++column) {
      double t = traversability[static_cast<size_t>(row) * width + column];
      size_t s = world.Padded(column, row);
      if (std::isnan(t)) continue;  // obstacle
      RB_CHECK_ARG(t >= 0 && t <= 1, "traversability {} of cell (col {}, row {}) is outside [0, 1]",
                   t, column, row);
      world.kind[s] = CellKind::kOpen;
      world.traversability[s] = t;
    }
  }
  PlaceGoals(world, goal_cells, {}, "");
  return world;
}

GridWorld BuildWorld(const geo::ProbabilityMap& map, std::span<const uint8_t> obstacles,
                     std::span<const geo::PixelPoint> goals, const WorldSpec& spec) {
  CheckSpec(spec);
  RB_CHECK(obstacles.empty() || obstacles.size() == map.p.size());
  const int c = spec.cell;
  const int width = (map.width + c - 1) / c, height = (map.height + c - 1) / c;
  GridWorld world = EmptyWorld(width, height, spec);
  // Per cell: sum of probabilities, pixels, obstacle pixels, nodata pixels.
  std::vector<double> sum(static_cast<size_t>(width) * height, 0.0);
  std::vector<int64_t> pixels(sum.size(), 0), blocked(sum.size(), 0), unknown(sum.size(), 0);
  for (int row = 0; row < map.height; ++row) {
    for (int column = 0; column < map.width; ++column) {
      size_t i = map.Index(column, row);
      size_t k = static_cast<size_t>(row / c) * width + column / c;
      ++pixels[k];
      if (!obstacles.empty() && obstacles[i]) {
        ++blocked[k];
      } else {
        sum[k] += map.ValueOrZero(i);
        unknown[k] += map.IsNodata(i);
      }
    }
  }
  for (int row = 0; row < height; ++row) {
    for (int column = 0; column < width; ++column) {
      size_t k = static_cast<size_t>(row) * width + column;
      size_t s = world.Padded(column, row);
      if (blocked[k] == pixels[k]) continue;  // an obstacle cell
      world.kind[s] = unknown[k] + blocked[k] == pixels[k] ? CellKind::kUnknown : CellKind::kOpen;
      world.traversability[s] = sum[k] / static_cast<double>(pixels[k]);
    }
  }
  std::vector<geo::PixelPoint> cells;
  for (const geo::PixelPoint& g : goals) cells.push_back({g.column / c, g.row / c});
  PlaceGoals(world, cells, goals, map.source);
  return world;
}

std::vector<uint8_t> ReachableCells(const GridWorld& world) {
  std::vector<uint8_t> reached(world.kind.size(), 0);
  std::vector<size_t> queue(world.goals.begin(), world.goals.end());
  for (size_t g : world.goals) reached[g] = 1;
  for (size_t head = 0; head < queue.size(); ++head) {
    size_t t = queue[head];
    // s reaches t when the action of s pointing at t can succeed: s = t - offset.
    for (int a = 0; a < world.ActionCount(); ++a) {
      size_t s = t - world.offsets[a];
      if (reached[s] || !world.IsState(s) || !world.Enterable(s, a)) continue;
      reached[s] = 1;
      queue.push_back(s);
    }
  }
  return reached;
}

}  // namespace rb::gridworld
