#include "stages/percolate/monte_carlo.hpp"

#include <omp.h>

#include <algorithm>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"

namespace rb::percolate {
namespace {

// What one thread reuses from realization to realization.
struct Scratch {
  BitImage image;
  RunLabels labels;
  std::vector<int64_t> hits;
  std::vector<uint32_t> field_counts;
  int64_t source_occupied = 0;
};

void CheckPoint(const BernoulliField& field, geo::PixelPoint p, const char* what) {
  RB_CHECK_ARG(p.column >= 0 && p.row >= 0 && p.column < field.width() && p.row < field.height(),
               "{} (col {}, row {}) is outside the {}x{} raster", what, p.column, p.row,
               field.width(), field.height());
}

void Realize(const BernoulliField& field, const std::vector<PointPair>& pairs,
             const MonteCarloOptions& options, uint64_t index, Scratch& scratch,
             ComponentStats* stats) {
  field.Sample(index, scratch.image);
  // Pairs alone need only the union-find forest; statistics and the field need the components.
  const bool joins_only = !stats && !options.source;
  RunLabels& labels = scratch.labels;
  labels.Label(scratch.image, options.connectivity,
               joins_only ? RunLabels::Detail::kJoinsOnly : RunLabels::Detail::kComponents);
  for (size_t i = 0; i < pairs.size(); ++i) {
    scratch.hits[i] += labels.Joined(scratch.image, pairs[i].a, pairs[i].b);
  }
  if (options.source) {
    int32_t label = labels.LabelAt(options.source->column, options.source->row);
    if (label >= 0) {
      ++scratch.source_occupied;
      labels.AccumulateComponent(label, scratch.field_counts);
    }
  }
  if (stats) *stats = labels.Stats();
}

}  // namespace

bool AllIntervalsWithin(const std::vector<int64_t>& hits, int64_t realizations, double width) {
  return std::all_of(hits.begin(), hits.end(),
                     [&](int64_t k) { return Wilson(k, realizations).width() <= width; });
}

MonteCarloResult RunMonteCarlo(const BernoulliField& field, const std::vector<PointPair>& pairs,
                               const MonteCarloOptions& options, const BatchCallback& on_batch) {
  RB_CHECK_ARG(options.max_realizations >= 1, "realizations must be >= 1, got {}",
               options.max_realizations);
  RB_CHECK_ARG(options.batch >= 1, "batch must be >= 1, got {}", options.batch);
  RB_CHECK_ARG(options.target_width >= 0 && options.target_width < 1,
               "interval width must be in [0, 1), got {}", options.target_width);
  for (const PointPair& pair : pairs) {
    CheckPoint(field, pair.a, "point");
    CheckPoint(field, pair.b, "point");
  }
  if (options.source) CheckPoint(field, *options.source, "source");
  size_t pixels = static_cast<size_t>(field.width()) * field.height();
  std::vector<Scratch> scratch(static_cast<size_t>(std::max(1, omp_get_max_threads())));
  for (Scratch& s : scratch) {
    s.hits.assign(pairs.size(), 0);
    if (options.source) s.field_counts.assign(pixels, 0);
  }
  MonteCarloResult result;
  result.hits.assign(pairs.size(), 0);
  bool targeted = options.target_width > 0 && !pairs.empty();
  while (result.realizations < options.max_realizations) {
    int64_t first = result.realizations;
    int64_t count = std::min(options.batch, options.max_realizations - first);
    if (options.keep_stats) result.stats.resize(static_cast<size_t>(first + count));
    kernels::cpu::ParallelPieces(count, [&](int64_t k) {
      Scratch& mine = scratch[static_cast<size_t>(omp_get_thread_num()) % scratch.size()];
      ComponentStats* stats = options.keep_stats ? &result.stats[first + k] : nullptr;
      Realize(field, pairs, options, static_cast<uint64_t>(first + k), mine, stats);
    });
    result.realizations = first + count;
    for (size_t i = 0; i < pairs.size(); ++i) {
      result.hits[i] = 0;
      for (const Scratch& s : scratch) result.hits[i] += s.hits[i];
    }
    if (on_batch) on_batch(result.realizations);
    if (targeted && AllIntervalsWithin(result.hits, result.realizations, options.target_width)) {
      result.width_reached = true;
      break;
    }
  }
  if (options.source) {
    result.field_counts.assign(pixels, 0);
    for (const Scratch& s : scratch) {
      result.source_occupied += s.source_occupied;
      for (size_t i = 0; i < pixels; ++i) result.field_counts[i] += s.field_counts[i];
    }
  }
  return result;
}

}  // namespace rb::percolate
