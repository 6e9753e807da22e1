#include "roadbrew/kernels/solver_update.hpp"

#include "kernels/cpu/parallel.hpp"

namespace rb::kernels::cpu {
namespace {
template <class Step>
void Apply(int64_t count, Step&& step) {
  ParallelRanges(count, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) step(i);
  });
}
}  // namespace

void SgdUpdate(float* w, const float* g, float* h, int64_t count, float lr, float momentum) {
  Apply(count, [&](int64_t i) { ops::SgdStep(w[i], g[i], h[i], lr, momentum); });
}
void NesterovUpdate(float* w, const float* g, float* h, int64_t count, float lr, float momentum) {
  Apply(count, [&](int64_t i) { ops::NesterovStep(w[i], g[i], h[i], lr, momentum); });
}
void AdaGradUpdate(float* w, const float* g, float* h, int64_t count, float lr, float delta) {
  Apply(count, [&](int64_t i) { ops::AdaGradStep(w[i], g[i], h[i], lr, delta); });
}
void RmsPropUpdate(float* w, const float* g, float* h, int64_t count, float lr, float decay,
                   float delta, bool delta_inside_sqrt) {
  Apply(count, [&](int64_t i) {
    ops::RmsPropStep(w[i], g[i], h[i], lr, decay, delta, delta_inside_sqrt);
  });
}
void AdamUpdate(float* w, const float* g, float* m, float* v, int64_t count, float corrected_lr,
                float b1, float b2, float eps) {
  Apply(count,
        [&](int64_t i) { ops::AdamStep(w[i], g[i], m[i], v[i], corrected_lr, b1, b2, eps); });
}

}  // namespace rb::kernels::cpu
