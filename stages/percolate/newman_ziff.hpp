// Newman-Ziff sweeps (PRL 85, 4104 (2000); PRE 64, 016706 (2001)): sites are occupied one at a
// time in a random order and the clusters updated by union-find, so one pass per sample gives an
// observable at every occupation level at once.
//
// Uniform lattice: the order is a random permutation; per sample the sweep records the
// occupation number n at which the lattice first spans (or wraps), and the cluster count and
// largest cluster at every n. The canonical value at probability p weighs the microcanonical ones
// with the binomial distribution B(N, n, p) of the number of occupied sites.
//
// Probability map scaled by a factor s (site i open with probability min(1, s * p_i)): each
// pixel's uniform U_i of realization t (bernoulli_field.hpp) opens it for s >= (U_i + 1/2) /
// (p_i * 2^31), so occupying sites in that order gives every scale in one pass, and the state at
// scale s is exactly BernoulliField(map, seed, s).Sample(t). Per sample the sweep records the
// scale at which the map first spans.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/geo/probability_map.hpp"
#include "stages/percolate/intervals.hpp"
#include "stages/percolate/site_clusters.hpp"

namespace rb::percolate {

// Called after each sample with the samples done; may throw to cancel.
using SampleCallback = std::function<void(int64_t done)>;

struct LatticeSweepOptions {
  int width = 0;
  int height = 0;
  Connectivity connectivity = Connectivity::kFour;
  Boundary boundary = Boundary::kOpen;
  int64_t samples = 100;
  uint64_t seed = 0;
};

struct LatticeSweep {
  int64_t sites = 0;  // N = width * height
  int64_t samples = 0;
  // Per sample: occupied sites when the lattice first spanned (open) or wrapped (periodic)
  // vertically / horizontally; N + 1 when it never did (only possible without sites).
  std::vector<int64_t> first_vertical, first_horizontal;
  // Per n = 0..N: sums over samples of the number of clusters and of the largest cluster size.
  std::vector<int64_t> clusters_sum, largest_sum;
};

// Samples run in parallel; every result is an integer, so any thread count gives the same bytes.
LatticeSweep SweepLattice(const LatticeSweepOptions& options, const SampleCallback& on_sample = {});

struct CanonicalEstimate {
  double p = 0;
  MeanEstimate vertical, horizontal, either, both;  // spanning (open) or wrapping (periodic)
  double mean_clusters = 0;                         // expected number of clusters
  double largest_fraction = 0;                      // expected largest cluster / N
};
CanonicalEstimate Canonical(const LatticeSweep& sweep, double p);

// B(N, n, p) for n = 0..N (zero far from the mode, where they underflow).
std::vector<double> BinomialWeights(int64_t n, double p);

// The p at which the canonical vertical spanning probability is 1/2 (bisection; it rises with
// p). Precondition: the sweep has samples.
double MedianThreshold(const LatticeSweep& sweep);

struct MapSweepOptions {
  Connectivity connectivity = Connectivity::kFour;
  int64_t samples = 100;
  uint64_t seed = 0;
  double max_scale = 1;  // sites that open only above this scale are never added
};

struct MapSweep {
  // Per sample: the scale at which the map first spans vertically / horizontally, or +infinity
  // when it does not up to max_scale.
  std::vector<double> vertical, horizontal;
};
MapSweep SweepMap(const geo::ProbabilityMap& map, const MapSweepOptions& options,
                  const SampleCallback& on_sample = {});

}  // namespace rb::percolate
