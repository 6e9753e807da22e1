// Percolation Monte Carlo on a road-probability map: realizations of the Bernoulli field, each
// labelled once, and every question answered from that one labelling: whether point pairs are
// connected, which pixels join a source's component (the connectivity field), and the cluster
// statistics of the realization.
//
// Determinism: realization t is a pure function of (seed, t); realizations run in parallel in
// batches of a fixed size, and all results are integer counts combined by addition, so the
// output is the same bytes for any thread count. Early stopping is checked only between batches.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "common/geo/probability_map.hpp"
#include "stages/percolate/bernoulli_field.hpp"
#include "stages/percolate/intervals.hpp"
#include "stages/percolate/run_labels.hpp"

namespace rb::percolate {

struct PointPair {
  geo::PixelPoint a;
  geo::PixelPoint b;
};

struct MonteCarloOptions {
  Connectivity connectivity = Connectivity::kFour;
  int64_t max_realizations = 1000;
  // Stop once every pair's Wilson 95% interval is at most this wide (0: run them all).
  double target_width = 0;
  // Realizations between stopping checks; part of the result's definition, not a tuning knob
  // for threads (a different batch may stop at a different count).
  int64_t batch = 64;
  std::optional<geo::PixelPoint> source;  // accumulate the connectivity field of this pixel
  bool keep_stats = true;                 // keep each realization's ComponentStats
};

struct MonteCarloResult {
  int64_t realizations = 0;
  bool width_reached = false;          // stopped early because every interval was narrow enough
  std::vector<int64_t> hits;           // per pair: realizations in which a <-> b
  std::vector<uint32_t> field_counts;  // per pixel, (height, width): realizations joined to source
  int64_t source_occupied = 0;         // realizations in which the source pixel was road
  std::vector<ComponentStats> stats;   // per realization, in realization order
};

// Called after each batch with the realizations done so far; may throw to cancel.
using BatchCallback = std::function<void(int64_t done)>;

// Runs realizations 0, 1, ... of `field` (at most max_realizations). Preconditions (checked):
// points inside the field, max_realizations >= 1, batch >= 1, 0 <= target_width < 1.
MonteCarloResult RunMonteCarlo(const BernoulliField& field, const std::vector<PointPair>& pairs,
                               const MonteCarloOptions& options,
                               const BatchCallback& on_batch = {});

// Whether every pair's Wilson interval after `realizations` is at most `width` wide.
bool AllIntervalsWithin(const std::vector<int64_t>& hits, int64_t realizations, double width);

}  // namespace rb::percolate
