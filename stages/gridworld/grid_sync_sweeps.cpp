#include "stages/gridworld/grid_sync_sweeps.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"
#include "stages/gridworld/grid_sweeps.hpp"

namespace rb::gridworld {
namespace {

// The rows a strip's sweep l reads and writes, as pointers to column 0 of padded rows.
struct RowInputs {
  const double* above;  // V of the previous sweep, row - 1
  const double* here;   // row
  const double* below;  // row + 1
  const double* t;      // traversability of row (its rows above and below at -/+ stride)
  const double* on;     // UpdateMask of row
};

// One row of one synchronous sweep into y; returns the row's max |V' - V|.
// Branch-free: both sides of every choice are computed and selected, so the loop vectorises
// (GCC will not speculate a floating-point operation that a branch guards). The body is a macro
// because GCC 12 vectorises it for AVX-512 only when the loop is written inside the function
// carrying the target attribute (neither target_clones nor an inlined helper keep the vector
// loop; for AVX2 it stays scalar, so there is no AVX2 version). The file is built with
// -ffp-contract=off, so both versions round the same operations and give the same bits.
#define RB_SWEEP_ROW_BODY                                                        \
  const double *x = in.here, *xu = in.above, *xd = in.below, *t = in.t;          \
  const double* on = in.on;                                                      \
  double m = 0;                                                                  \
  _Pragma("omp simd reduction(max : m)") for (int c = 0; c < width; ++c) {       \
    const double xc = x[c];                                                      \
    double q1 = t[c - stride] * (xu[c] - xc), q2 = t[c + stride] * (xd[c] - xc); \
    double q3 = t[c - 1] * (x[c - 1] - xc), q4 = t[c + 1] * (x[c + 1] - xc);     \
    double b1 = q1 > q2 ? q1 : q2, b2 = q3 > q4 ? q3 : q4;                       \
    double best = b1 > b2 ? b1 : b2;                                             \
    double update = r + gamma * (xc + best);                                     \
    double z = on[c] != 0 ? update : xc;                                         \
    y[c] = z;                                                                    \
    double d = std::fabs(z - xc);                                                \
    m = m > d ? m : d;                                                           \
  }                                                                              \
  return m

using SweepRowFn = double (*)(RowInputs in, std::ptrdiff_t stride, int width, double r,
                              double gamma, double* y);

double SweepRowBaseline(RowInputs in, std::ptrdiff_t stride, int width, double r, double gamma,
                        double* y) {
  RB_SWEEP_ROW_BODY;
}

#if defined(__x86_64__)
__attribute__((target("arch=x86-64-v4"))) double SweepRowAvx512(RowInputs in, std::ptrdiff_t stride,
                                                                int width, double r, double gamma,
                                                                double* y) {
  RB_SWEEP_ROW_BODY;
}
#endif

SweepRowFn ChooseSweepRow() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return SweepRowAvx512;
#endif
  return SweepRowBaseline;
}

const SweepRowFn SweepRow = ChooseSweepRow();

// Runs the sweeps on the strip of rows [begin, end): sweep l (1-based) is computed on the rows
// within depth - l of the strip, which is all that sweep depth needs on the strip's own rows.
// Rings hold three rows per intermediate sweep, indexed by row mod 3; rows outside the grid are
// the frame rows of v, which never change. changes[l - 1] gets the max over the strip's own rows.
class StripWavefront {
 public:
  StripWavefront(const GridWorld& world, const std::vector<double>& mask,
                 const std::vector<double>& v, int depth)
      : world_(world),
        mask_(mask),
        v_(v),
        depth_(depth),
        ring_(static_cast<size_t>(std::max(depth - 1, 0)) * 3 * world.stride, 0.0) {}

  void Run(int64_t begin, int64_t end, std::vector<double>& out, std::span<double> changes) {
    std::fill(changes.begin(), changes.end(), 0.0);
    const int64_t last_step = end + depth_;  // sweep depth's last row is end - 1
    for (int64_t step = std::max<int64_t>(0, begin - depth_ + 1) + 1; step < last_step; ++step) {
      for (int l = 1; l <= depth_; ++l) {
        const int64_t row = step - l;
        if (row < std::max<int64_t>(0, begin - (depth_ - l)) ||
            row >= std::min<int64_t>(world_.height, end + (depth_ - l))) {
          continue;
        }
        const size_t base = world_.Padded(0, static_cast<int>(row));
        RowInputs in{Row(l - 1, row - 1), Row(l - 1, row), Row(l - 1, row + 1),
                     world_.traversability.data() + base, mask_.data() + base};
        double* y = l == depth_ ? out.data() + base : RingRow(l, row);
        double change = SweepRow(in, world_.stride, world_.width, world_.spec.step_reward,
                                 world_.spec.gamma, y);
        // The frame cells beside the row keep v's values, as in out (they are read as left and
        // right neighbours, times a traversability of 0, whose sign of zero follows them).
        y[-1] = v_[base - 1];
        y[world_.width] = v_[base + world_.width];
        if (row >= begin && row < end) changes[l - 1] = std::max(changes[l - 1], change);
      }
    }
  }

 private:
  double* RingRow(int sweep, int64_t row) {
    return ring_.data() + ((static_cast<size_t>(sweep - 1) * 3 + row % 3) * world_.stride) + 1;
  }
  // Row `row` (-1 .. height) of sweep `sweep`, at column 0.
  const double* Row(int sweep, int64_t row) {
    if (sweep == 0 || row < 0 || row >= world_.height) {
      return v_.data() + world_.Padded(0, static_cast<int>(row));
    }
    return RingRow(sweep, row);
  }

  const GridWorld& world_;
  const std::vector<double>& mask_;
  const std::vector<double>& v_;
  int depth_;
  std::vector<double> ring_;  // (depth - 1) x 3 padded rows
};

}  // namespace

std::vector<double> UpdateMask(const GridWorld& world) {
  std::vector<uint8_t> active = ActiveStates(world);
  return {active.begin(), active.end()};
}

int FusedSweepDepth(int stride) {
  const int64_t bytes_per_sweep = int64_t{4} * stride * sizeof(double);  // 3 ring rows + 1 of T
  return static_cast<int>(std::clamp<int64_t>((int64_t{1} << 20) / bytes_per_sweep, 1, 32));
}

void FusedSyncSweeps(const GridWorld& world, const std::vector<double>& mask,
                     const std::vector<double>& v, std::vector<double>& out,
                     std::span<double> changes) {
  const int depth = static_cast<int>(changes.size());
  RB_CHECK(depth >= 1 && out.size() == v.size());
  // The frame: the rows above and below the grid and the first and last column of every row.
  std::copy_n(v.begin(), world.stride, out.begin());
  std::copy_n(v.end() - world.stride, world.stride, out.end() - world.stride);
  for (int row = 0; row < world.height; ++row) {
    const size_t base = world.Padded(0, row);
    out[base - 1] = v[base - 1];
    out[base + world.width] = v[base + world.width];
  }
  // One strip per thread, each at least 8 sweeps' worth of rows so that the overlap recomputed
  // (about depth^2 rows) stays under ~1/8 of the work. The cut changes no value, only the speed.
  const int64_t strips =
      std::clamp<int64_t>(world.height / (int64_t{8} * depth), 1, omp_get_max_threads());
  const int64_t strip = (world.height + strips - 1) / strips;
  std::vector<double> strip_changes(static_cast<size_t>(strips) * depth, 0.0);
  kernels::cpu::ParallelPieces(strips, [&](int64_t k) {
    if (k * strip >= world.height) return;
    StripWavefront wavefront(world, mask, v, depth);
    wavefront.Run(k * strip, std::min<int64_t>(world.height, (k + 1) * strip), out,
                  std::span<double>(strip_changes).subspan(k * depth, depth));
  });
  for (int l = 0; l < depth; ++l) {
    changes[l] = 0;
    for (int64_t k = 0; k < strips; ++k)
      changes[l] = std::max(changes[l], strip_changes[k * depth + l]);
  }
}

}  // namespace rb::gridworld
