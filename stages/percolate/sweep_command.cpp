// rb-percolate sweep: Newman-Ziff spanning curves of a uniform lattice or of a scaled map.
#include <cmath>
#include <limits>
#include <sstream>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/io/files.hpp"
#include "roadbrew/kernels/threads.hpp"
#include "stages/percolate/newman_ziff.hpp"
#include "stages/percolate/percolate.hpp"

namespace rb::percolate {
namespace {

// Site percolation thresholds of the square lattice: Jacobsen 2015 (J. Phys. A 48, 454003) for
// edge neighbours; edge and corner neighbours form its matching lattice, p_c(8) = 1 - p_c(4).
constexpr double kThreshold4 = 0.59274605079210;

std::vector<double> Grid(const std::vector<double>& given, double step, double first, double last) {
  if (!given.empty()) return given;
  std::vector<double> grid;
  for (int i = 0; first + i * step <= last + 1e-9; ++i) grid.push_back(first + i * step);
  return grid;
}

nlohmann::json EstimateJson(const MeanEstimate& e) {
  return {{"probability", e.mean},
          {"standard_error", e.standard_error},
          {"interval95", {e.interval.lo, e.interval.hi}}};
}

LatticeSweepOptions LatticeOptions(const Params& params, uint64_t seed) {
  std::vector<int64_t> size = params.GetIntList("lattice");
  RB_CHECK_ARG(size.size() == 1 || size.size() == 2, "--lattice takes L or W,H, got {} numbers",
               size.size());
  LatticeSweepOptions options;
  options.width = static_cast<int>(size[0]);
  options.height = static_cast<int>(size.back());
  options.connectivity = ParseConnectivity(std::stoi(params.GetString("connectivity")));
  options.boundary =
      params.GetString("boundary") == "periodic" ? Boundary::kPeriodic : Boundary::kOpen;
  options.samples = params.GetInt("samples");
  options.seed = seed;
  return options;
}

// The canonical estimates at each p, as JSON points and CSV rows.
nlohmann::json CanonicalPoints(const LatticeSweep& sweep, const std::vector<double>& grid,
                               std::string* csv) {
  nlohmann::json points = nlohmann::json::array();
  *csv =
      "p,vertical,vertical_se,horizontal,horizontal_se,either,either_se,both,both_se,"
      "mean_clusters,clusters_per_site,largest_fraction\n";
  for (double p : grid) {
    CanonicalEstimate e = Canonical(sweep, p);
    double per_site = e.mean_clusters / static_cast<double>(sweep.sites);
    points.push_back({{"p", p},
                      {"vertical", EstimateJson(e.vertical)},
                      {"horizontal", EstimateJson(e.horizontal)},
                      {"either", EstimateJson(e.either)},
                      {"both", EstimateJson(e.both)},
                      {"mean_clusters", e.mean_clusters},
                      {"clusters_per_site", per_site},
                      {"largest_fraction", e.largest_fraction}});
    *csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", p, e.vertical.mean,
                        e.vertical.standard_error, e.horizontal.mean, e.horizontal.standard_error,
                        e.either.mean, e.either.standard_error, e.both.mean, e.both.standard_error,
                        e.mean_clusters, per_site, e.largest_fraction);
  }
  return points;
}

nlohmann::json LatticeSweepJson(const Params& params, RunContext& context, std::string* csv) {
  LatticeSweepOptions options = LatticeOptions(params, context.seed());
  auto progress = context.StartProgress("samples", options.samples);
  int64_t reported = 0;
  LatticeSweep sweep = SweepLattice(options, [&](int64_t done) {
    progress->Advance(done - reported);
    reported = done;
  });
  progress->Finish();
  bool periodic = options.boundary == Boundary::kPeriodic;
  double reference = options.connectivity == Connectivity::kFour ? kThreshold4 : 1 - kThreshold4;
  // The width of the transition: R_L(p) = F((p - p_c) L^(1/nu)), nu = 4/3.
  double window = std::pow(std::sqrt(static_cast<double>(sweep.sites)), -0.75);
  double median = MedianThreshold(sweep);
  LogInfo(
      "{}x{} lattice, {} samples: vertical {} probability 1/2 at p = {:.5f} ({}; p_c = {:.6f}, "
      "window {:.4f})",
      options.width, options.height, options.samples, periodic ? "wrapping" : "spanning", median,
      ConnectivityText(options.connectivity), reference, window);
  return {
      {"command", "sweep"},
      {"lattice", {options.width, options.height}},
      {"boundary", periodic ? "periodic" : "open"},
      {"observable", periodic ? "wrapping (winding around the torus)" : "spanning (open edges)"},
      {"connectivity", ConnectivityJson(options.connectivity)},
      {"samples", options.samples},
      {"seed", options.seed},
      {"threshold_infinite_lattice", reference},
      {"finite_size_window", window},
      {"median_threshold_vertical", median},
      {"points", CanonicalPoints(sweep, Grid(params.GetFloatList("p"), 0.01, 0, 1), csv)}};
}

nlohmann::json Fraction(const std::vector<double>& thresholds, double scale) {
  int64_t k = 0;
  for (double t : thresholds) k += t <= scale;
  Interval w = Wilson(k, static_cast<int64_t>(thresholds.size()));
  return {{"probability", static_cast<double>(k) / static_cast<double>(thresholds.size())},
          {"wilson95", {w.lo, w.hi}}};
}

// Spanning probabilities at each scale, as JSON points and CSV rows.
nlohmann::json ScalePoints(const MapSweep& sweep, const std::vector<double>& scales,
                           std::string* csv) {
  std::vector<double> either(sweep.vertical.size()), both(either.size());
  for (size_t s = 0; s < either.size(); ++s) {
    either[s] = std::min(sweep.vertical[s], sweep.horizontal[s]);
    both[s] = std::max(sweep.vertical[s], sweep.horizontal[s]);
  }
  nlohmann::json points = nlohmann::json::array();
  *csv = "scale,vertical,horizontal,either,both\n";
  for (double scale : scales) {
    nlohmann::json point = {{"scale", scale},
                            {"vertical", Fraction(sweep.vertical, scale)},
                            {"horizontal", Fraction(sweep.horizontal, scale)},
                            {"either", Fraction(either, scale)},
                            {"both", Fraction(both, scale)}};
    *csv += fmt::format("{},{},{},{},{}\n", scale, point["vertical"]["probability"].get<double>(),
                        point["horizontal"]["probability"].get<double>(),
                        point["either"]["probability"].get<double>(),
                        point["both"]["probability"].get<double>());
    points.push_back(std::move(point));
  }
  return points;
}

nlohmann::json MapSweepJson(const Params& params, RunContext& context, std::string* csv) {
  geo::ProbabilityMap map = LoadMap(params);
  std::vector<double> scales = Grid(params.GetFloatList("scales"), 0.05, 0.05, 2);
  MapSweepOptions options;
  options.connectivity = ParseConnectivity(std::stoi(params.GetString("connectivity")));
  options.samples = params.GetInt("samples");
  options.seed = context.seed();
  options.max_scale = *std::max_element(scales.begin(), scales.end());
  RB_CHECK_ARG(options.max_scale > 0, "--scales must include a positive scale");
  auto progress = context.StartProgress("samples", options.samples);
  int64_t reported = 0;
  MapSweep sweep = SweepMap(map, options, [&](int64_t done) {
    progress->Advance(done - reported);
    reported = done;
  });
  progress->Finish();
  nlohmann::json points = ScalePoints(sweep, scales, csv);
  nlohmann::json per_sample = nlohmann::json::array();
  auto finite = [](double v) {
    return std::isinf(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
  };
  for (size_t s = 0; s < sweep.vertical.size(); ++s) {
    per_sample.push_back(
        {{"vertical", finite(sweep.vertical[s])}, {"horizontal", finite(sweep.horizontal[s])}});
  }
  return {{"command", "sweep"},
          {"input", params.GetPath("prob").string()},
          {"size", {map.width, map.height}},
          {"observable", "spanning (open edges) of the map with probabilities scaled by s"},
          {"connectivity", ConnectivityJson(options.connectivity)},
          {"samples", options.samples},
          {"seed", options.seed},
          {"points", points},
          {"first_spanning_scale_per_sample", per_sample}};
}

}  // namespace

nlohmann::json RunSweepCommand(const Params& params, cli::StageOutputs& outputs,
                               RunContext& context) {
  bool lattice = !params.GetIntList("lattice").empty();
  RB_CHECK_ARG(lattice != params.Has("prob"), "give exactly one of --lattice and --prob");
  RB_CHECK_ARG(lattice || params.GetString("boundary") == "open",
               "--boundary periodic is for --lattice sweeps (a map has edges)");
  RB_CHECK_ARG(lattice || params.GetFloatList("p").empty(),
               "--p is for --lattice; maps use --scales");
  RB_CHECK_ARG(!lattice || params.GetFloatList("scales").empty(),
               "--scales is for --prob; lattices use --p");
  kernels::SetThreads(context.threads());
  std::string csv;
  nlohmann::json out =
      lattice ? LatticeSweepJson(params, context, &csv) : MapSweepJson(params, context, &csv);
  if (outputs.Has("csv")) io::WriteFileAtomic(outputs.Path("csv"), csv);
  EmitJson(out, outputs);
  nlohmann::json figures = {{"samples", out["samples"]}, {"connectivity", out["connectivity"]}};
  if (out.contains("median_threshold_vertical")) {
    figures["median_threshold_vertical"] = out["median_threshold_vertical"];
  }
  return figures;
}

}  // namespace rb::percolate
