#include "stages/gridworld/grid_sweeps.hpp"

#include <algorithm>
#include <cmath>

namespace rb::gridworld {
namespace {

// The value of `s` under action `a` with its stay term solved: (r + gamma sum p V) / (1 - gamma
// p_stay). Moves that always fail give r / (1 - gamma): staying forever.
double StayFreeValue(const GridWorld& world, const std::vector<double>& v, size_t s, int a) {
  Outcomes out = world.Transitions(s, a);
  double expected = 0;
  for (int k = 0; k < out.count; ++k) expected += out.moves[k].probability * v[out.moves[k].next];
  const double gamma = world.spec.gamma;
  return (world.spec.step_reward + gamma * expected) / (1 - gamma * out.stay);
}

class RowScanSweeper : public InPlaceSweeper {
 public:
  explicit RowScanSweeper(const GridWorld& world) : world_(world) {
    const double r = world.spec.step_reward, gamma = world.spec.gamma;
    a_.resize(world.traversability.size());
    b_.resize(world.traversability.size());
    for (size_t t = 0; t < a_.size(); ++t) {
      double p = world.traversability[t];
      double keep = 1 - gamma * (1 - p);  // 1 - gamma p_stay
      a_[t] = gamma * p / keep;
      b_[t] = r / keep;
    }
    old_.resize(world.width);
    vertical_.resize(world.width);
    fixed_.resize(world.width);
  }

  double Sweep(std::vector<double>& v, const std::vector<uint8_t>& active, int64_t index) override {
    double change = 0;
    for (int i = 0; i < world_.height; ++i) {
      int row = index % 2 == 0 ? i : world_.height - 1 - i;
      change = std::max(change, Row(v.data(), active.data(), world_.Padded(0, row)));
    }
    return change;
  }

 private:
  double Enter(const double* v, size_t t) const { return a_[t] * v[t] + b_[t]; }

  // Vertical and old-neighbour candidates are gathered in vectorisable loops, so the two scans
  // carry only the chain max -> value -> candidate of the neighbour just updated.
  double Row(double* v, const uint8_t* active, size_t base) {
    const int width = world_.width;
    const size_t up = base - world_.stride, down = base + world_.stride;
    for (int c = 0; c < width; ++c) {
      old_[c] = v[base + c];
      vertical_[c] = std::max(Enter(v, up + c), Enter(v, down + c));
      fixed_[c] = std::max(vertical_[c], Enter(v, base + c + 1));  // old right neighbour
    }
    double left = Enter(v, base - 1);
    for (int c = 0; c < width; ++c) {
      size_t s = base + c;
      double x = active[s] ? std::max(fixed_[c], left) : v[s];
      v[s] = x;
      left = a_[s] * x + b_[s];
    }
    for (int c = 0; c < width; ++c) {
      fixed_[c] = std::max(vertical_[c], Enter(v, base + c - 1));  // new left neighbour
    }
    double right = Enter(v, base + width);
    for (int c = width - 1; c >= 0; --c) {
      size_t s = base + c;
      double x = active[s] ? std::max(fixed_[c], right) : v[s];
      v[s] = x;
      right = a_[s] * x + b_[s];
    }
    double change = 0;
    for (int c = 0; c < width; ++c) change = std::max(change, std::abs(v[base + c] - old_[c]));
    return change;
  }

  const GridWorld& world_;
  std::vector<double> a_, b_;                   // padded: entering t is worth a_[t] V(t) + b_[t]
  std::vector<double> old_, vertical_, fixed_;  // one row each
};

class GeneralSweeper : public InPlaceSweeper {
 public:
  GeneralSweeper(const GridWorld& world, const std::vector<uint8_t>* policy)
      : world_(world), policy_(policy) {}

  double Sweep(std::vector<double>& v, const std::vector<uint8_t>& active, int64_t index) override {
    const bool rows_down = index % 4 == 0 || index % 4 == 2;
    const bool columns_right = index % 4 == 0 || index % 4 == 3;
    double change = 0;
    for (int i = 0; i < world_.height; ++i) {
      int row = rows_down ? i : world_.height - 1 - i;
      for (int j = 0; j < world_.width; ++j) {
        size_t s = world_.Padded(columns_right ? j : world_.width - 1 - j, row);
        if (!active[s]) continue;
        double x = Update(v, s);
        change = std::max(change, std::abs(x - v[s]));
        v[s] = x;
      }
    }
    return change;
  }

 private:
  double Update(const std::vector<double>& v, size_t s) const {
    if (policy_) return StayFreeValue(world_, v, s, (*policy_)[s]);
    double x = StayFreeValue(world_, v, s, 0);
    for (int a = 1; a < world_.ActionCount(); ++a) x = std::max(x, StayFreeValue(world_, v, s, a));
    return x;
  }

  const GridWorld& world_;
  const std::vector<uint8_t>* policy_;
};

}  // namespace

std::unique_ptr<InPlaceSweeper> MakeRowScanSweeper(const GridWorld& world) {
  return std::make_unique<RowScanSweeper>(world);
}

std::unique_ptr<InPlaceSweeper> MakeGeneralSweeper(const GridWorld& world,
                                                   const std::vector<uint8_t>* policy) {
  return std::make_unique<GeneralSweeper>(world, policy);
}

std::vector<uint8_t> ActiveStates(const GridWorld& world) {
  std::vector<uint8_t> active(world.kind.size(), 0);
  for (size_t s = 0; s < active.size(); ++s) {
    active[s] = world.kind[s] == CellKind::kOpen || world.kind[s] == CellKind::kUnknown;
  }
  return active;
}

double SyncEvaluationSweep(const GridWorld& world, const std::vector<uint8_t>& policy,
                           const std::vector<uint8_t>& active, const std::vector<double>& v,
                           std::vector<double>& next) {
  const double r = world.spec.step_reward, gamma = world.spec.gamma;
  return SyncSweep(world, active, v, next, [&](size_t s) {
    Outcomes out = world.Transitions(s, policy[s]);
    double expected = out.stay * v[s];
    for (int k = 0; k < out.count; ++k) {
      expected += out.moves[k].probability * v[out.moves[k].next];
    }
    return r + gamma * expected;
  });
}

}  // namespace rb::gridworld
