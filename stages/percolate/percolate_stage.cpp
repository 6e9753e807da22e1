// rb-percolate's commands for the driver: parameters, shared input handling, is-connected.
#include <cstdio>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/io/files.hpp"
#include "stages/percolate/percolate.hpp"
#include "stages/percolate/render.hpp"

namespace rb::percolate {
namespace {

void DeclareMapInputs(ParamSpecs& p) {
  p.Input("prob",
          "road probability raster: rb-infer's float GeoTIFF, any raster with values in [0, 1] "
          "(NaN only as declared nodata), or a 2-D NPY array")
      .Required();
  p.Int("band", "band of --prob holding the probabilities", 1).Range(1, 65535);
  p.Choice("connectivity", "4 (edge neighbours) or 8 (edge and corner neighbours)", {"4", "8"},
           "4");
}

void DeclarePairs(ParamSpecs& p) {
  p.Choice("points", "units of the point parameters: pixel (col,row) or lonlat (WGS 84)",
           {"pixel", "lonlat"}, "pixel");
  p.FloatList("from", "x,y[,x,y...]: first point of each pair (one point pairs with every --to)",
              {});
  p.FloatList("to", "x,y[,x,y...]: second point of each pair", {});
}

cli::StageDescriptor MonteCarloCommand() {
  cli::StageDescriptor stage;
  stage.name = "mc";
  stage.summary = "Monte Carlo: P(A<->B) with intervals, connectivity field, cluster statistics.";
  stage.description =
      "Each pixel is road with its probability, independently; realization t is drawn from "
      "Philox(--seed, t), so results do not depend on --threads. Every realization is labelled "
      "once (run-based union-find) and answers all pairs, the source's field and the cluster "
      "statistics. Stops early when every pair's Wilson 95% interval is at most --width wide "
      "(checked every --batch realizations).";
  ParamSpecs& p = stage.params;
  DeclareMapInputs(p);
  DeclarePairs(p);
  p.FloatList("source", "x,y: source of the connectivity field (--field, --heatmap-png)", {});
  p.Int("realizations", "most realizations to draw", 1000).Range(1, 1e9);
  p.Float("width", "stop once every pair's Wilson 95% interval is at most this wide (0: never)", 0)
      .Range(0, 0.999);
  p.Int("batch", "realizations between stopping checks", 64).Range(1, 1e6);
  p.Float("scale", "multiply every probability by this factor (products above 1 count as 1)", 1)
      .Range(0, 1e6);
  p.Bool("clusters",
         "cluster statistics of every realization (components, largest, spanning); off, the "
         "pairs alone are answered, about a fifth faster",
         true);
  p.Output("out", "results JSON (also printed on stdout)");
  p.Output("field", "connectivity field GeoTIFF: fraction of realizations joining --source");
  p.Output("realization_png", "PNG of realization --render-index (road white)");
  p.Output("components_png", "PNG of that realization's components, one colour each");
  p.Output("heatmap_png", "PNG of the connectivity field over --image (or the probabilities)");
  p.Input("image", "image drawn under --heatmap-png (same grid as --prob)");
  p.Int("render_index", "realization the PNGs show", 0).Range(0, 1e15);
  stage.run = RunMonteCarloCommand;
  return stage;
}

cli::StageDescriptor IsConnectedCommand() {
  cli::StageDescriptor stage;
  stage.name = "is-connected";
  stage.summary = "Deterministic yes/no: are the points joined on the mask p >= threshold?";
  ParamSpecs& p = stage.params;
  DeclareMapInputs(p);
  DeclarePairs(p);
  p.Float("threshold", "a pixel is road when its probability is at least this", 0.5).Range(0, 1);
  p.Output("out", "results JSON (also printed on stdout)");
  p.Output("components_png", "PNG of the mask's components, one colour each");
  stage.run = RunIsConnectedCommand;
  return stage;
}

cli::StageDescriptor SweepCommand() {
  cli::StageDescriptor stage;
  stage.name = "sweep";
  stage.summary = "Newman-Ziff: spanning probability against p (lattice) or a scale (map).";
  stage.description =
      "--lattice L or W,H: a uniform lattice; every sample occupies the sites in a random order "
      "and the canonical spanning probability (top-bottom, left-right, either, both; wrapping "
      "with --boundary periodic), mean cluster count and largest cluster are reported at each "
      "--p. --prob: the map with its probabilities scaled by s; every sample finds the scale at "
      "which the map first spans, reported at each --scales value.";
  ParamSpecs& p = stage.params;
  p.Input("prob", "road probability raster (see mc); omit for --lattice");
  p.Int("band", "band of --prob holding the probabilities", 1).Range(1, 65535);
  p.IntList("lattice", "L or W,H: a uniform W x H lattice instead of --prob", {}).Range(1, 65536);
  p.Choice("connectivity", "4 (edge neighbours) or 8 (edge and corner neighbours)", {"4", "8"},
           "4");
  p.Choice("boundary", "lattice boundary: open (spanning) or periodic (wrapping)",
           {"open", "periodic"}, "open");
  p.Int("samples", "sweeps (each a full occupation order)", 100).Range(1, 1e8);
  p.FloatList("p", "lattice: probabilities to report (default 0, 0.01, ..., 1)", {}).Range(0, 1);
  p.FloatList("scales", "map: scale factors to report (default 0.05, 0.1, ..., 2)", {})
      .Range(0, 1e6);
  p.Output("out", "results JSON (also printed on stdout)");
  p.Output("csv", "the table as CSV");
  stage.run = RunSweepCommand;
  return stage;
}

}  // namespace

geo::ProbabilityMap LoadMap(const Params& params) {
  return geo::ReadProbabilityMap(params.GetPath("prob"), static_cast<int>(params.GetInt("band")));
}

std::vector<PointPair> PairsFromParams(const geo::ProbabilityMap& map, const Params& params) {
  geo::PointUnits units = geo::ParsePointUnits(params.GetString("points"));
  std::vector<geo::Point2> from = geo::PairUp(params.GetFloatList("from"), "--from");
  std::vector<geo::Point2> to = geo::PairUp(params.GetFloatList("to"), "--to");
  RB_CHECK_ARG(from.empty() == to.empty(), "give both --from and --to, or neither");
  RB_CHECK_ARG(from.size() <= 1 || from.size() == to.size(),
               "--from has {} points and --to {}: give one --from point or one per --to point",
               from.size(), to.size());
  std::vector<geo::PixelPoint> a = geo::LocatePoints(map, from, units, "--from point ");
  std::vector<geo::PixelPoint> b = geo::LocatePoints(map, to, units, "--to point ");
  std::vector<PointPair> pairs;
  for (size_t i = 0; i < b.size(); ++i) pairs.push_back({a[from.size() == 1 ? 0 : i], b[i]});
  return pairs;
}

nlohmann::json PointJson(const geo::ProbabilityMap& map, geo::PixelPoint point) {
  nlohmann::json out = {{"col", point.column}, {"row", point.row}};
  std::vector<geo::Point2> lon_lat = geo::PixelCentresLonLat(map, {&point, 1});
  if (!lon_lat.empty()) {
    out["lon"] = lon_lat[0].x;
    out["lat"] = lon_lat[0].y;
  }
  size_t i = map.Index(point.column, point.row);
  out["p"] = map.IsNodata(i) ? nlohmann::json(nullptr) : nlohmann::json(map.p[i]);
  return out;
}

nlohmann::json ConnectivityJson(Connectivity connectivity) {
  return {{"neighbours", static_cast<int>(connectivity)},
          {"text", std::string(ConnectivityText(connectivity))}};
}

void EmitJson(const nlohmann::json& result, cli::StageOutputs& outputs) {
  std::string text = result.dump(1) + "\n";
  if (outputs.Has("out")) io::WriteFileAtomic(outputs.Path("out"), text);
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

nlohmann::json RunIsConnectedCommand(const Params& params, cli::StageOutputs& outputs,
                                     RunContext&) {
  geo::ProbabilityMap map = LoadMap(params);
  std::vector<PointPair> pairs = PairsFromParams(map, params);
  RB_CHECK_ARG(!pairs.empty() || outputs.Has("components_png"),
               "nothing to answer: give --from and --to points (or --components-png)");
  Connectivity connectivity = ParseConnectivity(std::stoi(params.GetString("connectivity")));
  double threshold = params.GetFloat("threshold");
  BitImage mask = ThresholdMask(map, threshold);
  RunLabels labels;
  labels.Label(mask, connectivity);
  nlohmann::json results = nlohmann::json::array();
  int64_t connected = 0;
  for (const PointPair& pair : pairs) {
    int32_t a = labels.LabelAt(pair.a.column, pair.a.row);
    int32_t b = labels.LabelAt(pair.b.column, pair.b.row);
    bool joined = a >= 0 && a == b;
    connected += joined;
    results.push_back({{"a", PointJson(map, pair.a)},
                       {"b", PointJson(map, pair.b)},
                       {"a_is_road", a >= 0},
                       {"b_is_road", b >= 0},
                       {"connected", joined}});
  }
  ComponentStats stats = labels.Stats();
  nlohmann::json result = {{"command", "is-connected"},
                           {"input", params.GetPath("prob").string()},
                           {"size", {map.width, map.height}},
                           {"connectivity", ConnectivityJson(connectivity)},
                           {"threshold", threshold},
                           {"road_pixels", stats.occupied},
                           {"components", stats.components},
                           {"largest_component", stats.largest},
                           {"pairs", results}};
  EmitJson(result, outputs);
  if (outputs.Has("components_png")) {
    cv::Mat image = RenderComponents(labels);
    Caption(image,
            fmt::format("components of p >= {}, {}", threshold, ConnectivityText(connectivity)));
    WritePng(outputs.Path("components_png"), image);
  }
  LogInfo("{} of {} pairs connected on p >= {} ({})", connected, pairs.size(), threshold,
          ConnectivityText(connectivity));
  return {{"connectivity", static_cast<int>(connectivity)},
          {"pairs", pairs.size()},
          {"connected", connected},
          {"components", stats.components}};
}

cli::CommandSet PercolateCommands() {
  return {"rb-percolate",
          "Percolation on road-probability maps: connection probabilities, fields, sweeps.",
          {MonteCarloCommand(), IsConnectedCommand(), SweepCommand()}};
}

}  // namespace rb::percolate
