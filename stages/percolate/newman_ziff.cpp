#include "stages/percolate/newman_ziff.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/core/check.hpp"
#include "common/core/rng.hpp"
#include "kernels/cpu/parallel.hpp"
#include "stages/percolate/bernoulli_field.hpp"

namespace rb::percolate {
namespace {

struct LatticeScratch {
  SiteClusters clusters;
  std::vector<int32_t> order;
  std::vector<int64_t> clusters_sum, largest_sum;
};

// One sample: a Fisher-Yates permutation from the sample's own Philox stream, then the sites in
// that order.
void SweepOnce(const LatticeSweepOptions& options, int64_t sample, LatticeScratch& scratch,
               int64_t* first_vertical, int64_t* first_horizontal) {
  int64_t sites = static_cast<int64_t>(options.width) * options.height;
  std::vector<int32_t>& order = scratch.order;
  order.resize(static_cast<size_t>(sites));
  std::iota(order.begin(), order.end(), 0);
  RandomStream random(options.seed, static_cast<uint64_t>(sample));
  for (int64_t i = sites - 1; i > 0; --i) std::swap(order[i], order[random.UniformInt(0, i)]);
  SiteClusters& clusters = scratch.clusters;
  clusters.Clear();
  *first_vertical = *first_horizontal = sites + 1;
  for (int64_t n = 1; n <= sites; ++n) {
    int32_t site = order[n - 1];
    clusters.Occupy(site % options.width, site / options.width);
    if (clusters.spans_vertically()) *first_vertical = std::min(*first_vertical, n);
    if (clusters.spans_horizontally()) *first_horizontal = std::min(*first_horizontal, n);
    scratch.clusters_sum[n] += clusters.clusters();
    scratch.largest_sum[n] += clusters.largest();
  }
}

struct MapScratch {
  SiteClusters clusters;
  std::vector<uint32_t> uniforms;
  std::vector<std::pair<double, int32_t>> order;  // (scale at which a pixel opens, pixel)
};

// One sample of the map sweep: pixels in the order they open as the scale grows, until the map
// spans both ways or the largest scale is passed.
void SweepMapOnce(const geo::ProbabilityMap& map, const MapSweepOptions& options, int64_t sample,
                  MapScratch& s, double* vertical, double* horizontal) {
  const double infinity = std::numeric_limits<double>::infinity();
  PixelUniforms31(options.seed, static_cast<uint64_t>(sample), map.width, map.height, s.uniforms);
  s.order.clear();
  for (size_t i = 0; i < map.p.size(); ++i) {
    double p = map.ValueOrZero(i);
    if (p <= 0) continue;
    double opens_at = (static_cast<double>(s.uniforms[i]) + 0.5) / (p * 2147483648.0);
    if (opens_at <= options.max_scale) s.order.emplace_back(opens_at, static_cast<int32_t>(i));
  }
  std::sort(s.order.begin(), s.order.end());
  s.clusters.Clear();
  *vertical = *horizontal = infinity;
  for (auto [opens_at, site] : s.order) {
    s.clusters.Occupy(site % map.width, site / map.width);
    if (s.clusters.spans_vertically()) *vertical = std::min(*vertical, opens_at);
    if (s.clusters.spans_horizontally()) *horizontal = std::min(*horizontal, opens_at);
    if (*vertical < infinity && *horizontal < infinity) break;
  }
}

// Tail sums T(n) = sum over m >= n of B(N, m, p), n = 0..N + 1.
std::vector<double> TailWeights(int64_t sites, double p) {
  std::vector<double> weights = BinomialWeights(sites, p);
  std::vector<double> tail(weights.size() + 1, 0.0);
  for (int64_t n = sites; n >= 0; --n) tail[n] = tail[n + 1] + weights[n];
  return tail;
}

MeanEstimate SpanningAt(const std::vector<double>& tail, const std::vector<int64_t>& first) {
  std::vector<double> values(first.size());
  for (size_t s = 0; s < first.size(); ++s) values[s] = tail[first[s]];
  return MeanInterval(values);
}

}  // namespace

LatticeSweep SweepLattice(const LatticeSweepOptions& options, const SampleCallback& on_sample) {
  RB_CHECK_ARG(options.width > 0 && options.height > 0, "lattice must not be empty, got {}x{}",
               options.width, options.height);
  RB_CHECK_ARG(options.samples >= 1, "samples must be >= 1, got {}", options.samples);
  LatticeSweep sweep;
  sweep.sites = static_cast<int64_t>(options.width) * options.height;
  sweep.samples = options.samples;
  sweep.first_vertical.resize(static_cast<size_t>(options.samples));
  sweep.first_horizontal.resize(static_cast<size_t>(options.samples));
  auto workers =
      static_cast<size_t>(std::clamp<int64_t>(omp_get_max_threads(), 1, options.samples));
  std::vector<LatticeScratch> scratch;
  for (size_t w = 0; w < workers; ++w) {
    scratch.push_back(
        {SiteClusters(options.width, options.height, options.connectivity, options.boundary),
         {},
         std::vector<int64_t>(static_cast<size_t>(sweep.sites) + 1, 0),
         std::vector<int64_t>(static_cast<size_t>(sweep.sites) + 1, 0)});
  }
  // Samples in chunks, so progress and cancellation come between chunks; small lattices take
  // many samples per chunk, as a parallel region costs more than a 25-site sweep.
  int64_t chunk = static_cast<int64_t>(workers) * std::max<int64_t>(1, (1 << 20) / sweep.sites);
  for (int64_t first = 0; first < options.samples; first += chunk) {
    int64_t count = std::min<int64_t>(chunk, options.samples - first);
    kernels::cpu::ParallelPieces(count, [&](int64_t k) {
      LatticeScratch& mine = scratch[static_cast<size_t>(omp_get_thread_num()) % workers];
      SweepOnce(options, first + k, mine, &sweep.first_vertical[first + k],
                &sweep.first_horizontal[first + k]);
    });
    if (on_sample) on_sample(first + count);
  }
  sweep.clusters_sum.assign(static_cast<size_t>(sweep.sites) + 1, 0);
  sweep.largest_sum.assign(static_cast<size_t>(sweep.sites) + 1, 0);
  for (const LatticeScratch& s : scratch) {
    for (size_t n = 0; n < s.clusters_sum.size(); ++n) {
      sweep.clusters_sum[n] += s.clusters_sum[n];
      sweep.largest_sum[n] += s.largest_sum[n];
    }
  }
  return sweep;
}

// By the ratio recursion B(k + 1) / B(k) = (N - k) / (k + 1) * p / q outwards from the mode,
// stopped where the terms vanish, then normalised (as Newman & Ziff advise): no factorial or
// power ever overflows, and the sum is 1 to rounding for N in the millions.
std::vector<double> BinomialWeights(int64_t n, double p) {
  RB_CHECK(n >= 0 && p >= 0 && p <= 1);
  std::vector<double> weights(static_cast<size_t>(n) + 1, 0.0);
  if (p == 0 || p == 1) {
    weights[p == 0 ? 0 : n] = 1;
    return weights;
  }
  double odds = p / (1 - p);
  auto mode = std::clamp<int64_t>(static_cast<int64_t>(std::floor((n + 1) * p)), 0, n);
  weights[mode] = 1;
  for (int64_t k = mode; k < n && weights[k] > 1e-300; ++k) {
    weights[k + 1] = weights[k] * static_cast<double>(n - k) / static_cast<double>(k + 1) * odds;
  }
  for (int64_t k = mode; k > 0 && weights[k] > 1e-300; --k) {
    weights[k - 1] = weights[k] * static_cast<double>(k) / static_cast<double>(n - k + 1) / odds;
  }
  double sum = 0;
  for (double w : weights) sum += w;
  for (double& w : weights) w /= sum;
  return weights;
}

CanonicalEstimate Canonical(const LatticeSweep& sweep, double p) {
  RB_CHECK(sweep.samples > 0);
  std::vector<double> tail = TailWeights(sweep.sites, p);
  CanonicalEstimate estimate;
  estimate.p = p;
  estimate.vertical = SpanningAt(tail, sweep.first_vertical);
  estimate.horizontal = SpanningAt(tail, sweep.first_horizontal);
  std::vector<int64_t> either(sweep.first_vertical.size()), both(either.size());
  for (size_t s = 0; s < either.size(); ++s) {
    either[s] = std::min(sweep.first_vertical[s], sweep.first_horizontal[s]);
    both[s] = std::max(sweep.first_vertical[s], sweep.first_horizontal[s]);
  }
  estimate.either = SpanningAt(tail, either);
  estimate.both = SpanningAt(tail, both);
  double clusters = 0, largest = 0;
  for (int64_t n = 0; n <= sweep.sites; ++n) {
    double w = tail[n] - tail[n + 1];
    if (w == 0) continue;
    clusters += w * static_cast<double>(sweep.clusters_sum[n]);
    largest += w * static_cast<double>(sweep.largest_sum[n]);
  }
  auto samples = static_cast<double>(sweep.samples);
  estimate.mean_clusters = clusters / samples;
  estimate.largest_fraction = largest / samples / static_cast<double>(sweep.sites);
  return estimate;
}

double MedianThreshold(const LatticeSweep& sweep) {
  double lo = 0, hi = 1;
  for (int i = 0; i < 40; ++i) {
    double mid = (lo + hi) / 2;
    std::vector<double> tail = TailWeights(sweep.sites, mid);
    (SpanningAt(tail, sweep.first_vertical).mean < 0.5 ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

MapSweep SweepMap(const geo::ProbabilityMap& map, const MapSweepOptions& options,
                  const SampleCallback& on_sample) {
  RB_CHECK_ARG(options.samples >= 1, "samples must be >= 1, got {}", options.samples);
  RB_CHECK_ARG(options.max_scale > 0 && std::isfinite(options.max_scale),
               "largest scale must be positive, got {}", options.max_scale);
  MapSweep sweep;
  sweep.vertical.resize(static_cast<size_t>(options.samples));
  sweep.horizontal.resize(static_cast<size_t>(options.samples));
  auto workers =
      static_cast<size_t>(std::clamp<int64_t>(omp_get_max_threads(), 1, options.samples));
  std::vector<MapScratch> scratch;
  for (size_t w = 0; w < workers; ++w) {
    scratch.push_back(
        {SiteClusters(map.width, map.height, options.connectivity, Boundary::kOpen), {}, {}});
  }
  for (int64_t first = 0; first < options.samples; first += static_cast<int64_t>(workers)) {
    int64_t count = std::min<int64_t>(static_cast<int64_t>(workers), options.samples - first);
    kernels::cpu::ParallelPieces(count, [&](int64_t k) {
      MapScratch& mine = scratch[static_cast<size_t>(omp_get_thread_num()) % workers];
      SweepMapOnce(map, options, first + k, mine, &sweep.vertical[first + k],
                   &sweep.horizontal[first + k]);
    });
    if (on_sample) on_sample(first + count);
  }
  return sweep;
}

}  // namespace rb::percolate
