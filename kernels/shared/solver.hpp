// The solver's per-parameter work written once (see launch.hpp): the update rules of
// solver_update.hpp, gradient scaling, weight decay, the squared norm for clipping and the
// overflow check of mixed-precision training. Pointers are launcher memory.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/shared/launch.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::kernels::shared {

enum class Rule { kSgd, kNesterov, kAdaGrad, kRmsProp, kAdam };

struct UpdateOp {
  Rule rule;
  float* w;
  const float* g;
  float* h;
  float* h2;  // Adam's second moment
  float lr, momentum, momentum2, delta;
  bool delta_inside_sqrt;
  RB_HOST_DEVICE void operator()(int64_t i) const {
    switch (rule) {
      case Rule::kSgd:
        ops::SgdStep(w[i], g[i], h[i], lr, momentum);
        break;
      case Rule::kNesterov:
        ops::NesterovStep(w[i], g[i], h[i], lr, momentum);
        break;
      case Rule::kAdaGrad:
        ops::AdaGradStep(w[i], g[i], h[i], lr, delta);
        break;
      case Rule::kRmsProp:
        ops::RmsPropStep(w[i], g[i], h[i], lr, momentum, delta, delta_inside_sqrt);
        break;
      case Rule::kAdam:
        ops::AdamStep(w[i], g[i], h[i], h2[i], lr, momentum, momentum2, delta);
        break;
    }
  }
};

struct ScaleOp {
  float* x;
  float factor;
  RB_HOST_DEVICE void operator()(int64_t i) const { x[i] *= factor; }
};

// L2: g += decay w; L1: g += decay sign(w).
RB_HOST_DEVICE float DecayTerm(float w, float decay, bool l1) {
  return decay * (l1 ? static_cast<float>((w > 0) - (w < 0)) : w);
}

struct DecayOp {
  const float* w;
  float* g;
  float decay;
  bool l1;
  RB_HOST_DEVICE void operator()(int64_t i) const { g[i] += DecayTerm(w[i], decay, l1); }
};

// acc: sum of squares, count of non-finite values.
struct SquaresOp {
  const float* x;
  RB_HOST_DEVICE void operator()(int64_t i, int, double* acc) const {
    float v = x[i];
    if (v - v != 0.0f) {  // inf or NaN
      acc[1] += 1;
      return;
    }
    acc[0] += static_cast<double>(v) * v;
  }
};

// Sum of squares of x (finite values) and the number of infinities and NaNs, on the host.
template <class L>
void SumSquares(const L& l, const float* x, int64_t count, double& squares, int64_t& non_finite) {
  auto sums = l.Temp(sizeof(double) * 2);
  l.template Sum<2>(count, 1, SquaresOp{x}, static_cast<double*>(sums.data));
  double host[2];
  l.ToHost(host, sums.data, sizeof host);
  squares = host[0];
  non_finite = static_cast<int64_t>(host[1]);
}

}  // namespace rb::kernels::shared
