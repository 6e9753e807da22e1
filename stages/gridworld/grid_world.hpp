// The pixel gridworld: a Markov decision process built from a road-probability map.
//
// States are cells of `cell` x `cell` pixels (1: every pixel a state). From each cell the agent
// tries one of 4 moves (N, E, S, W) or 8 (with the diagonals). A move into cell t succeeds with
// the traversability T(t) of t, the mean road probability of its pixels (nodata and obstacle
// pixels count 0). A failed move stays, or, with probability `slip` of the failure, slides
// sideways (90 degrees left or right, half each) as a second try that succeeds with the
// traversability of that cell and otherwise stays. Moves off the grid or into an obstacle always
// fail; a diagonal move between two obstacle cells (a corner) is blocked too. Every move earns
// `step_reward`; the goal cells are absorbing with value `goal_reward`; future values are
// discounted by gamma per move. Bellman equation, for the default succeed-or-stay model:
//   V(s) = max_a [ step_reward + gamma * (T(t_a) V(t_a) + (1 - T(t_a)) V(s)) ].
// This is the MDP of the notes' baseline (../shared/peers/bench_value_iteration.py) when cell = 1,
// 4 actions, slip 0, step_reward -1, goal_reward 0.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/geo/probability_map.hpp"

namespace rb::gridworld {

// Action codes of the policy raster. 1..8 are compass directions clockwise from north (up the
// raster); with 4 actions only 1, 3, 5, 7 occur.
inline constexpr uint8_t kGoalCode = 0;      // a goal cell: stay
inline constexpr uint8_t kNoRouteCode = 9;   // the goal cannot be reached from this cell
inline constexpr uint8_t kNodataCode = 255;  // obstacle or all-nodata cell: not on the map

struct Step {
  int dx = 0;  // columns, + right
  int dy = 0;  // rows, + down
};
// The move of action code 1..8.
Step StepOf(uint8_t code);
// "N", "NE", ..., "NW" for codes 1..8.
const char* DirectionName(uint8_t code);

struct WorldSpec {
  int cell = 1;             // cell size in pixels (>= 1)
  int actions = 4;          // 4 or 8
  double slip = 0;          // fraction of failed moves that slide sideways, [0, 1]
  double step_reward = -1;  // reward of every move
  double goal_reward = 0;   // value of the goal cells
  double gamma = 0.99;      // discount per move, (0, 1)

  // The smallest value any state can have: min(step_reward / (1 - gamma), goal_reward).
  double Floor() const;
  // Whether every action has one successor besides staying (slip == 0).
  bool SucceedOrStay() const { return slip == 0; }
};

enum class CellKind : uint8_t {
  kOpen,      // a state
  kGoal,      // an absorbing goal state
  kObstacle,  // not a state (obstacle cells and the frame around the grid)
  kUnknown,   // a state whose pixels are all nodata: traversability 0, written as nodata
};

// One outcome of an action other than staying.
struct Outcome {
  size_t next = 0;  // padded index
  double probability = 0;
};
// The outcomes of one action: up to three moves (the intended one, two sideways slides); the
// rest of the probability is staying.
struct Outcomes {
  std::array<Outcome, 3> moves{};
  int count = 0;
  double stay = 1;
};

// The grid and its dynamics. Arrays are "padded": (height + 2) x (width + 2), row-major, with a
// one-cell frame of obstacles, so a move off the grid is a move into an obstacle and kernels
// need no bounds tests.
struct GridWorld {
  int width = 0;   // cells
  int height = 0;  // cells
  int stride = 0;  // width + 2
  WorldSpec spec;
  std::vector<double> traversability;  // padded; 0 for obstacles and the frame
  std::vector<CellKind> kind;          // padded
  std::vector<size_t> goals;           // padded indices
  // Padded index offsets of the actions, in code order (N, E, S, W or N, NE, ..., NW).
  std::vector<std::ptrdiff_t> offsets;
  std::vector<uint8_t> codes;  // action codes, same order
  // Per action: offsets of the two cells beside a diagonal move ({0, 0} for the others).
  std::vector<std::array<std::ptrdiff_t, 2>> corners;

  size_t Padded(int column, int row) const {
    return static_cast<size_t>(row + 1) * stride + column + 1;
  }
  size_t Unpadded(size_t padded) const {
    return (padded / stride - 1) * static_cast<size_t>(width) + padded % stride - 1;
  }
  bool IsState(size_t padded) const { return kind[padded] != CellKind::kObstacle; }
  int ActionCount() const { return static_cast<int>(offsets.size()); }
  // Rows per piece of a parallel loop over the grid: about 2^16 cells, so that small grids run
  // inline (a parallel region per sweep costs more than a sweep of a few thousand cells).
  int64_t RowGrain() const { return std::max<int64_t>(1, (int64_t{1} << 16) / width); }
  // Whether action `a` may enter its target (not an obstacle, not a blocked corner).
  bool Enterable(size_t s, int a) const {
    if (traversability[s + offsets[a]] <= 0) return false;
    const std::array<std::ptrdiff_t, 2>& c = corners[a];
    return c[0] == 0 || kind[s + c[0]] != CellKind::kObstacle ||
           kind[s + c[1]] != CellKind::kObstacle;
  }
  // The outcomes of action `a` (index into offsets) at state `s`.
  Outcomes Transitions(size_t s, int a) const;
};

// Builds the world from a probability map. `obstacles`: empty, or one byte per map pixel
// (row-major, non-zero = obstacle). `goals`: pixels of the map. Throws kInvalidArgument naming the
// goal and its place when a goal lies on an obstacle cell or on a cell that can never be entered
// (traversability 0), and naming the parameter for a spec out of range.
GridWorld BuildWorld(const geo::ProbabilityMap& map, std::span<const uint8_t> obstacles,
                     std::span<const geo::PixelPoint> goals, const WorldSpec& spec);

// A world straight from cell traversabilities ((height, width) row-major, in [0, 1]; NaN marks
// an obstacle) and goal cells, for tests and callers that build their own grids.
GridWorld WorldFromCells(std::span<const double> traversability, int width, int height,
                         std::span<const geo::PixelPoint> goal_cells, const WorldSpec& spec);

// Cells from which some goal can be reached (padded, 1 = reachable): a search backwards from the
// goals along moves that can succeed.
std::vector<uint8_t> ReachableCells(const GridWorld& world);

// Throws kInvalidArgument naming the first bad field of `spec`.
void CheckSpec(const WorldSpec& spec);

}  // namespace rb::gridworld
