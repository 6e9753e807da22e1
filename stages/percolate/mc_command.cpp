// rb-percolate mc: the Monte Carlo command.
#include <algorithm>
#include <cmath>
#include <limits>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/geo/display_image.hpp"
#include "common/geo/raster_io.hpp"
#include "roadbrew/kernels/threads.hpp"
#include "stages/percolate/percolate.hpp"
#include "stages/percolate/render.hpp"

namespace rb::percolate {
namespace {

nlohmann::json Summary(const std::vector<double>& values) {
  if (values.empty()) return nullptr;
  double n = static_cast<double>(values.size()), sum = 0, squares = 0;
  for (double v : values) sum += v;
  for (double v : values) squares += (v - sum / n) * (v - sum / n);
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return {{"mean", sum / n},
          {"sd", values.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0},
          {"min", *lo},
          {"max", *hi}};
}

nlohmann::json Proportion(int64_t k, int64_t n) {
  Interval w = Wilson(k, n);
  return {{"count", k},
          {"probability", static_cast<double>(k) / static_cast<double>(n)},
          {"wilson95", {w.lo, w.hi}}};
}

nlohmann::json ClusterJson(const std::vector<ComponentStats>& stats, int64_t pixels) {
  std::vector<double> components, largest, occupied;
  int64_t vertical = 0, horizontal = 0, either = 0;
  for (const ComponentStats& s : stats) {
    components.push_back(static_cast<double>(s.components));
    largest.push_back(static_cast<double>(s.largest) / static_cast<double>(pixels));
    occupied.push_back(static_cast<double>(s.occupied) / static_cast<double>(pixels));
    vertical += s.spans_vertically;
    horizontal += s.spans_horizontally;
    either += s.spans_vertically || s.spans_horizontally;
  }
  auto n = static_cast<int64_t>(stats.size());
  return {{"components", Summary(components)},
          {"largest_fraction_of_pixels", Summary(largest)},
          {"road_fraction_of_pixels", Summary(occupied)},
          {"spans_top_bottom", Proportion(vertical, n)},
          {"spans_left_right", Proportion(horizontal, n)},
          {"spans_either", Proportion(either, n)}};
}

std::vector<float> FieldFractions(const MonteCarloResult& result, const geo::ProbabilityMap& map) {
  std::vector<float> field(result.field_counts.size());
  auto n = static_cast<double>(result.realizations);
  for (size_t i = 0; i < field.size(); ++i) {
    field[i] = map.IsNodata(i) ? std::numeric_limits<float>::quiet_NaN()
                               : static_cast<float>(result.field_counts[i] / n);
  }
  return field;
}

void WriteField(const std::filesystem::path& path, const std::vector<float>& field,
                const geo::ProbabilityMap& map, geo::PixelPoint source, Connectivity connectivity) {
  geo::Raster raster(geo::PixelType::kFloat32, 1, map.height, map.width);
  std::copy(field.begin(), field.end(), raster.Band<float>(0).begin());
  raster.georef = map.georef;
  raster.nodata = std::numeric_limits<double>::quiet_NaN();
  raster.band_names = {fmt::format("P(joined to source col {} row {}), {}", source.column,
                                   source.row, ConnectivityText(connectivity))};
  geo::WriteGeoTiff(path, raster);
}

// The PNGs of realization --render-index, drawn again from its (seed, index).
void WriteRenders(const Params& params, cli::StageOutputs& outputs, const BernoulliField& field,
                  Connectivity connectivity) {
  if (!outputs.Has("realization_png") && !outputs.Has("components_png")) return;
  auto index = static_cast<uint64_t>(params.GetInt("render_index"));
  BitImage image;
  field.Sample(index, image);
  std::string what = fmt::format("realization {} (seed {}), {}", index, field.seed(),
                                 ConnectivityText(connectivity));
  if (outputs.Has("realization_png")) {
    cv::Mat png = RenderRealization(image);
    Caption(png, what);
    WritePng(outputs.Path("realization_png"), png);
  }
  if (outputs.Has("components_png")) {
    RunLabels labels;
    labels.Label(image, connectivity);
    cv::Mat png = RenderComponents(labels);
    Caption(png, fmt::format("{} components of {}", labels.components(), what));
    WritePng(outputs.Path("components_png"), png);
  }
}

void WriteHeatmap(const Params& params, cli::StageOutputs& outputs, const geo::ProbabilityMap& map,
                  const std::vector<float>& field, const std::vector<PointPair>& pairs,
                  geo::PixelPoint source, Connectivity connectivity, int64_t realizations) {
  geo::RgbImage background =
      params.Has("image") ? geo::ReadDisplayImage(params.GetPath("image"), map.width, map.height)
                          : geo::ProbabilityDisplay(map);
  std::vector<geo::PixelPoint> marks = {source};
  for (const PointPair& pair : pairs) marks.insert(marks.end(), {pair.a, pair.b});
  cv::Mat png = RenderHeatmap(field, background, marks);
  Caption(png, fmt::format("P(joined to source), {} realizations, {}", realizations,
                           ConnectivityText(connectivity)));
  WritePng(outputs.Path("heatmap_png"), png);
}

std::optional<geo::PixelPoint> SourceFromParams(const geo::ProbabilityMap& map,
                                                const Params& params) {
  std::vector<geo::Point2> source = geo::PairUp(params.GetFloatList("source"), "--source");
  if (source.empty()) return std::nullopt;
  RB_CHECK_ARG(source.size() == 1, "--source takes one x,y point, got {}", source.size());
  return geo::LocatePoints(map, source, geo::ParsePointUnits(params.GetString("points")),
                           "--source point ")[0];
}

nlohmann::json PairsJson(const geo::ProbabilityMap& map, const std::vector<PointPair>& pairs,
                         const MonteCarloResult& result, double target_width) {
  int64_t n = result.realizations;
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < pairs.size(); ++i) {
    nlohmann::json entry = Proportion(result.hits[i], n);
    entry["a"] = PointJson(map, pairs[i].a);
    entry["b"] = PointJson(map, pairs[i].b);
    if (target_width > 0) {
      double estimate = static_cast<double>(result.hits[i]) / static_cast<double>(n);
      entry["realizations_for_width"] = TrialsForWidth(estimate, target_width);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

nlohmann::json ResultJson(const Params& params, const geo::ProbabilityMap& map,
                          const std::vector<PointPair>& pairs, const MonteCarloOptions& options,
                          const MonteCarloResult& result, uint64_t seed) {
  nlohmann::json out = {{"command", "mc"},
                        {"input", params.GetPath("prob").string()},
                        {"size", {map.width, map.height}},
                        {"connectivity", ConnectivityJson(options.connectivity)},
                        {"seed", seed},
                        {"scale", params.GetFloat("scale")},
                        {"realizations", result.realizations},
                        {"max_realizations", options.max_realizations},
                        {"batch", options.batch},
                        {"target_width", options.target_width},
                        {"width_reached", result.width_reached},
                        {"pairs", PairsJson(map, pairs, result, options.target_width)}};
  if (options.keep_stats) {
    out["clusters"] = ClusterJson(result.stats, int64_t{map.width} * map.height);
  }
  return out;
}

}  // namespace

nlohmann::json RunMonteCarloCommand(const Params& params, cli::StageOutputs& outputs,
                                    RunContext& context) {
  geo::ProbabilityMap map = LoadMap(params);
  std::vector<PointPair> pairs = PairsFromParams(map, params);
  MonteCarloOptions options;
  options.connectivity = ParseConnectivity(std::stoi(params.GetString("connectivity")));
  options.max_realizations = params.GetInt("realizations");
  options.target_width = params.GetFloat("width");
  options.batch = params.GetInt("batch");
  options.source = SourceFromParams(map, params);
  options.keep_stats = params.GetBool("clusters");
  RB_CHECK_ARG(options.source || (!outputs.Has("field") && !outputs.Has("heatmap_png")),
               "--field and --heatmap-png need a --source point");
  RB_CHECK_ARG(options.target_width == 0 || !pairs.empty(),
               "--width stops on the pairs' intervals: give --from and --to points");
  kernels::SetThreads(context.threads());
  BernoulliField field(map, context.seed(), params.GetFloat("scale"));
  auto progress = context.StartProgress("realizations", options.max_realizations);
  int64_t reported = 0;
  MonteCarloResult result = RunMonteCarlo(field, pairs, options, [&](int64_t done) {
    progress->Advance(done - reported);
    reported = done;
  });
  progress->Finish();

  nlohmann::json out = ResultJson(params, map, pairs, options, result, context.seed());
  int64_t n = result.realizations;
  if (options.source) {
    out["source"] = PointJson(map, *options.source);
    out["source"]["road_fraction"] = static_cast<double>(result.source_occupied) / n;
    std::vector<float> fractions = FieldFractions(result, map);
    if (outputs.Has("field")) {
      WriteField(outputs.Path("field"), fractions, map, *options.source, options.connectivity);
    }
    if (outputs.Has("heatmap_png")) {
      WriteHeatmap(params, outputs, map, fractions, pairs, *options.source, options.connectivity,
                   n);
    }
  }
  WriteRenders(params, outputs, field, options.connectivity);
  EmitJson(out, outputs);
  LogInfo("{} realizations ({}){}", n, ConnectivityText(options.connectivity),
          result.width_reached ? ", every interval within --width" : "");
  return {{"realizations", n},
          {"connectivity", static_cast<int>(options.connectivity)},
          {"width_reached", result.width_reached},
          {"pairs", out["pairs"]}};
}

}  // namespace rb::percolate
