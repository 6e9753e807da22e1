// rb-percolate against exact results: the small-lattice tables of
// ../shared/notes/percolation-gridworld.md (section 1.3; full enumeration by the project's
// peers/exact_small_lattice.c), Newman-Ziff sweeps within their intervals, the finite-size
// crossing near p_c, the map sweep's coupling to the sampler, and the interval arithmetic.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>
#include <vector>

#include "common/core/rng.hpp"
#include "roadbrew/kernels/threads.hpp"
#include "stages/percolate/newman_ziff.hpp"
#include "stages/percolate/run_labels.hpp"

namespace rb::percolate {
namespace {

constexpr double kPc = 0.59274605079210;     // the notes' p_c (Jacobsen 2015)
constexpr double kZ999 = 3.290526731491926;  // two-sided 99.9%: a fixed seed, many comparisons

// Exact counts per occupation number k for the open 5x5 square (peers/results/exact_L5.txt):
// top-bottom spanning configurations, total clusters, and horizontally winding configurations on
// the 5x5 torus.
const std::vector<double> kSpan5 = {0,       0,       0,       0,      0,      5,      124,
                                    1418,    9958,    48171,   170391, 456051, 942077, 1518133,
                                    1917887, 1903359, 1486308, 915643, 446538, 172749, 52871,
                                    12650,   2300,    300,     25,     1};
const std::vector<double> kWrap5 = {0,       0,       0,       0,      0,      5,      100,
                                    1000,    6500,    30325,   107695, 302025, 678075, 1209075,
                                    1679925, 1788325, 1452900, 910225, 446200, 172775, 52875,
                                    12650,   2300,    300,     25,     1};

double Choose(int n, int k) {
  return std::round(
      std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0)));
}

double Polynomial(const std::vector<double>& counts, double p) {
  int n = static_cast<int>(counts.size()) - 1;
  double sum = 0;
  for (int k = 0; k <= n; ++k) sum += counts[k] * std::pow(p, k) * std::pow(1 - p, n - k);
  return sum;
}

struct Enumeration {
  std::vector<double> span, clusters, wrap;  // per k
};

// Every configuration of the L x L lattice: spanning and clusters from the run labeller (open
// edges), horizontal winding from the periodic site clusters.
Enumeration Enumerate(int side) {
  int sites = side * side;
  Enumeration e{std::vector<double>(sites + 1), std::vector<double>(sites + 1),
                std::vector<double>(sites + 1)};
  RunLabels labels;
  SiteClusters torus(side, side, Connectivity::kFour, Boundary::kPeriodic);
  BitImage image;
  for (uint32_t mask = 0; mask < (1u << sites); ++mask) {
    image.Resize(side, side);
    torus.Clear();
    for (int s = 0; s < sites; ++s) {
      if ((mask >> s) & 1) {
        image.Set(s % side, s / side);
        torus.Occupy(s % side, s / side);
      }
    }
    labels.Label(image, Connectivity::kFour);
    ComponentStats stats = labels.Stats();
    int k = std::popcount(mask);
    e.span[k] += stats.spans_vertically;
    e.clusters[k] += static_cast<double>(stats.components);
    e.wrap[k] += torus.spans_horizontally();
  }
  return e;
}

TEST_CASE("Enumerating small lattices reproduces the exact tables", "[percolate][exact]") {
  // p = 1/2: numerators over 2^(L^2) (notes, table at p = 1/2); p_c: the decimals.
  struct Row {
    int side;
    double span, clusters, wrap;           // numerators at p = 1/2
    double span_pc, clusters_pc, wrap_pc;  // at p_c
  };
  const Row rows[] = {
      {2, 7, 17, 7, 0.579250428166, 1.089038013543, 0.579250428166},
      {3, 197, 897, 175, 0.566703308092, 1.618527262792, 0.521273730479},
      {4, 22193, 168529, 19571, 0.555588038308, 2.192155875288, 0.517303557598},
  };
  for (const Row& row : rows) {
    Enumeration e = Enumerate(row.side);
    double configurations = std::pow(2.0, row.side * row.side);
    INFO("L = " << row.side);
    CHECK(Polynomial(e.span, 0.5) * configurations == Approx(row.span).margin(1e-6));
    CHECK(Polynomial(e.clusters, 0.5) * configurations == Approx(row.clusters).margin(1e-6));
    CHECK(Polynomial(e.wrap, 0.5) * configurations == Approx(row.wrap).margin(1e-6));
    CHECK(Polynomial(e.span, kPc) == Approx(row.span_pc).margin(1e-11));
    CHECK(Polynomial(e.clusters, kPc) == Approx(row.clusters_pc).margin(1e-11));
    CHECK(Polynomial(e.wrap, kPc) == Approx(row.wrap_pc).margin(1e-11));
  }
  // L = 1: the site is its own neighbour on the torus, so an occupied site winds.
  Enumeration one = Enumerate(1);
  CHECK(one.span == std::vector<double>{0, 1});
  CHECK(one.wrap == std::vector<double>{0, 1});
  // The L = 5 table itself is consistent with the notes' p = 1/2 and p_c values.
  CHECK(Polynomial(kSpan5, 0.5) * std::pow(2.0, 25) == Approx(10056959).margin(1e-3));
  CHECK(Polynomial(kWrap5, kPc) == Approx(0.517195470567).margin(1e-11));
}

TEST_CASE("Newman-Ziff sweeps reproduce the exact 5x5 tables within their intervals",
          "[percolate][exact]") {
  LatticeSweepOptions options{.width = 5, .height = 5, .samples = 40000, .seed = 3};
  LatticeSweep open = SweepLattice(options);
  options.boundary = Boundary::kPeriodic;
  LatticeSweep torus = SweepLattice(options);
  // Microcanonical: the fraction of samples spanning after k sites is a binomial proportion.
  for (int k = 1; k <= 25; ++k) {
    int64_t spanning = 0, wrapping = 0;
    for (int64_t s = 0; s < options.samples; ++s) {
      spanning += open.first_vertical[s] <= k;
      wrapping += torus.first_horizontal[s] <= k;
    }
    INFO("k = " << k);
    Interval span = Wilson(spanning, options.samples, kZ999);
    Interval wrap = Wilson(wrapping, options.samples, kZ999);
    double exact_span = kSpan5[k] / Choose(25, k), exact_wrap = kWrap5[k] / Choose(25, k);
    CHECK(span.lo <= exact_span);
    CHECK(exact_span <= span.hi);
    CHECK(wrap.lo <= exact_wrap);
    CHECK(exact_wrap <= wrap.hi);
  }
  // Canonical values at p = 1/2 and p_c.
  struct Point {
    double p, span, clusters, wrap;
  };
  for (Point point : {Point{0.5, 0.299720734358, 3.522139459848, 0.263848930597},
                      Point{kPc, 0.547537930851, 2.814114168228, 0.517195470567}}) {
    CanonicalEstimate e = Canonical(open, point.p);
    CanonicalEstimate w = Canonical(torus, point.p);
    INFO("p = " << point.p);
    CHECK(std::abs(e.vertical.mean - point.span) < kZ999 * e.vertical.standard_error);
    CHECK(std::abs(w.horizontal.mean - point.wrap) < kZ999 * w.horizontal.standard_error);
    CHECK(e.vertical.standard_error < 0.003);
    CHECK(e.mean_clusters == Approx(point.clusters).epsilon(0.01));
  }
}

TEST_CASE("Spanning crosses one half within the finite-size window of p_c at L = 256",
          "[percolate][slow]") {
  // R_L(p) = F((p - p_c) L^(3/4)): at L = 256 the window is 256^(-3/4) = 0.0156.
  const double window = std::pow(256.0, -0.75);
  for (Connectivity connectivity : {Connectivity::kFour, Connectivity::kEight}) {
    LatticeSweepOptions options{
        .width = 256, .height = 256, .connectivity = connectivity, .samples = 100, .seed = 1};
    LatticeSweep sweep = SweepLattice(options);
    double pc = connectivity == Connectivity::kFour ? kPc : 1 - kPc;
    double median = MedianThreshold(sweep);
    INFO("connectivity " << static_cast<int>(connectivity) << ": R = 1/2 at p = " << median);
    CHECK(std::abs(median - pc) < window);
    CanonicalEstimate below = Canonical(sweep, pc - 2 * window);
    CanonicalEstimate above = Canonical(sweep, pc + 2 * window);
    CHECK(below.vertical.mean < 0.2);
    CHECK(above.vertical.mean > 0.8);
    CHECK(above.largest_fraction > below.largest_fraction);
  }
}

TEST_CASE("Binomial weights sum to one around N p", "[percolate]") {
  std::vector<double> w = BinomialWeights(10, 0.3);
  CHECK(w[3] == Approx(120 * std::pow(0.3, 3) * std::pow(0.7, 7)).epsilon(1e-12));
  for (auto [n, p] : {std::pair<int64_t, double>{10, 0.3}, {1690000, 0.6}, {65536, kPc}}) {
    std::vector<double> weights = BinomialWeights(n, p);
    double sum = 0, mean = 0;
    for (size_t k = 0; k < weights.size(); ++k) {
      sum += weights[k];
      mean += weights[k] * static_cast<double>(k);
    }
    CHECK(sum == Approx(1).epsilon(1e-9));
    CHECK(mean == Approx(static_cast<double>(n) * p).epsilon(1e-9));
  }
  CHECK(BinomialWeights(4, 1.0) == std::vector<double>{0, 0, 0, 0, 1});
}

TEST_CASE("A map sweep's spanning scales are those of the sampled realizations", "[percolate]") {
  const int width = 40, height = 30;
  RandomStream random(8, 1);
  std::vector<float> p(width * height);
  for (float& v : p) v = static_cast<float>(0.2 + 0.7 * random.Uniform());
  geo::ProbabilityMap map = geo::MakeProbabilityMap(p, width, height, true, "test map");
  for (Connectivity connectivity : {Connectivity::kFour, Connectivity::kEight}) {
    MapSweep sweep =
        SweepMap(map, {.connectivity = connectivity, .samples = 24, .seed = 5, .max_scale = 1.4});
    RunLabels labels;
    BitImage image;
    int64_t spans = 0;
    for (double scale : {0.5, 0.8, 1.0, 1.3}) {
      BernoulliField field(map, 5, scale);
      for (int64_t s = 0; s < 24; ++s) {
        field.Sample(static_cast<uint64_t>(s), image);
        labels.Label(image, connectivity);
        ComponentStats stats = labels.Stats();
        INFO("scale " << scale << " sample " << s);
        CHECK(stats.spans_vertically == (sweep.vertical[s] <= scale));
        CHECK(stats.spans_horizontally == (sweep.horizontal[s] <= scale));
        spans += stats.spans_vertically;
      }
    }
    CHECK(spans > 10);      // the scales straddle the transition...
    CHECK(spans < 4 * 24);  // ...on both sides
  }
}

TEST_CASE("Sweeps give the same results for any thread count", "[percolate]") {
  std::vector<LatticeSweep> lattices;
  std::vector<MapSweep> maps;
  std::vector<float> p(30 * 20, 0.6f);
  geo::ProbabilityMap map = geo::MakeProbabilityMap(p, 30, 20, true, "uniform");
  for (int threads : {1, 3}) {
    kernels::SetThreads(threads);
    lattices.push_back(SweepLattice({.width = 12, .height = 9, .samples = 13, .seed = 2}));
    maps.push_back(SweepMap(map, {.samples = 13, .seed = 2, .max_scale = 1.5}));
  }
  kernels::SetThreads(static_cast<int>(std::thread::hardware_concurrency()));
  CHECK(lattices[0].first_vertical == lattices[1].first_vertical);
  CHECK(lattices[0].first_horizontal == lattices[1].first_horizontal);
  CHECK(lattices[0].clusters_sum == lattices[1].clusters_sum);
  CHECK(lattices[0].largest_sum == lattices[1].largest_sum);
  CHECK(maps[0].vertical == maps[1].vertical);
  CHECK(maps[0].horizontal == maps[1].horizontal);
}

TEST_CASE("Wilson intervals match the reference table", "[percolate]") {
  // ../shared/notes/percolation-gridworld.md section 1.4 (scipy, peers/ci_reference.py).
  struct Row {
    int64_t k, n;
    double lo, hi;
  };
  for (Row row :
       {Row{0, 10, 0, 0.277533}, Row{0, 100, 0, 0.036993}, Row{1, 100, 0.001767, 0.054486},
        Row{5, 10, 0.236593, 0.763407}, Row{50, 100, 0.403832, 0.596168},
        Row{95, 100, 0.888250, 0.978456}, Row{100, 100, 0.963007, 1},
        Row{500, 1000, 0.469070, 0.530930}, Row{9, 1000, 0.004742, 0.017016}}) {
    Interval w = Wilson(row.k, row.n);
    INFO(row.k << " of " << row.n);
    CHECK(w.lo == Approx(row.lo).margin(1e-6));
    CHECK(w.hi == Approx(row.hi).margin(1e-6));
  }
}

TEST_CASE("Trials for a width are the fewest that reach it", "[percolate]") {
  auto width = [](double p, double n) {
    double z = kZ95;
    return 2 * z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
  };
  for (double p : {0.0, 0.03, 0.5, 0.84, 1.0}) {
    for (double w : {0.2, 0.05, 0.01}) {
      int64_t n = TrialsForWidth(p, w);
      INFO("p " << p << " width " << w);
      CHECK(width(p, static_cast<double>(n)) <= w);
      CHECK(width(p, static_cast<double>(n - 1)) > w);
    }
  }
  // The notes' road pair: 0.84 to +-0.01 takes about 5 200 realizations.
  CHECK(TrialsForWidth(0.84, 0.02) == Approx(5160).epsilon(0.01));
  std::vector<double> values = {0, 1, 1, 0};
  MeanEstimate m = MeanInterval(values);
  CHECK(m.mean == 0.5);
  CHECK(m.standard_error == Approx(std::sqrt(1.0 / 3 / 4)));
}

}  // namespace
}  // namespace rb::percolate
