// Warm starts that stay fast whichever way the map changed.
//
// Value iteration from the floor rises monotonically and settles in a few in-place sweeps. Old
// values that are now too high (a road was closed) fall much more slowly: neighbours holding
// stale values keep propagating them to each other, shrinking only by about gamma per sweep
// around every such loop. So before iterating, every state whose old value its own best move no
// longer supports is reset to the floor, and with it every state whose best move leads into a
// reset one (the part of the old policy tree hanging from a changed cell), as in dynamic
// shortest-path repair. What remains is supported by a chain of moves that still exists, hence
// (for succeed-or-stay moves) below the new optimum: the iterates rise again.
//
// Old values come rounded (float32 rasters). Rounding by up to eta makes exact, consistent values
// look unsupported, so every old value is first lowered by k = (1 + gamma) eta / (1 - gamma):
// if |W - U| <= eta for values U with U <= T U, then T(W - k) >= (W - k) + (1 - gamma) k -
// (1 + gamma) eta >= W - k. Only values that are really too high are then reset. eta is float32's
// rounding when every value is a float32 number, else double's.
#include <algorithm>
#include <cmath>

#include "kernels/cpu/parallel.hpp"
#include "stages/gridworld/grid_solvers.hpp"

namespace rb::gridworld::detail {
namespace {

// The best move of `s` with its stay term solved, and that value.
std::pair<int, double> BestMove(const GridWorld& world, const std::vector<double>& v, size_t s) {
  const double r = world.spec.step_reward, gamma = world.spec.gamma;
  int best = 0;
  double best_value = -INFINITY;
  for (int a = 0; a < world.ActionCount(); ++a) {
    Outcomes out = world.Transitions(s, a);
    double expected = 0;
    for (int k = 0; k < out.count; ++k) expected += out.moves[k].probability * v[out.moves[k].next];
    double value = (r + gamma * expected) / (1 - gamma * out.stay);
    if (value > best_value) best = a, best_value = value;
  }
  return {best, best_value};
}

}  // namespace

int64_t RepairWarmStart(const GridWorld& world, std::vector<double>& v) {
  const double gamma = world.spec.gamma;
  bool float32 = true;
  for (size_t s = 0; s < v.size() && float32; ++s) float32 = v[s] == static_cast<float>(v[s]);
  // k / |W|, with eta twice the unit roundoff for margin.
  const double shade = (1 + gamma) * std::ldexp(1.0, float32 ? -23 : -52) / (1 - gamma);
  for (size_t s = 0; s < v.size(); ++s) {
    if (world.kind[s] == CellKind::kOpen || world.kind[s] == CellKind::kUnknown) {
      v[s] -= shade * std::abs(v[s]);
    }
  }
  std::vector<uint8_t> support(v.size(), 0), reset(v.size(), 0);
  kernels::cpu::ParallelRanges(world.height, world.RowGrain(), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      for (int column = 0; column < world.width; ++column) {
        size_t s = world.Padded(column, static_cast<int>(row));
        if (world.kind[s] != CellKind::kOpen && world.kind[s] != CellKind::kUnknown) continue;
        auto [action, value] = BestMove(world, v, s);
        support[s] = static_cast<uint8_t>(action);
        reset[s] = value < v[s] - 1e-13 * (1 + std::abs(v[s]));  // beyond double rounding
      }
    }
  });
  std::vector<size_t> queue;
  for (size_t s = 0; s < v.size(); ++s) {
    if (reset[s]) queue.push_back(s);
  }
  for (size_t head = 0; head < queue.size(); ++head) {
    size_t t = queue[head];
    for (int a = 0; a < world.ActionCount(); ++a) {
      size_t s = t - world.offsets[a];  // s whose best move is a, into t
      if (reset[s] || world.kind[s] == CellKind::kObstacle || world.kind[s] == CellKind::kGoal ||
          support[s] != a) {
        continue;
      }
      reset[s] = 1;
      queue.push_back(s);
    }
  }
  const double floor = world.spec.Floor();
  for (size_t s : queue) v[s] = std::min(v[s], floor);
  return static_cast<int64_t>(queue.size());
}

}  // namespace rb::gridworld::detail
