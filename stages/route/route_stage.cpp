// rb-route's parameters and Run function.
#include <chrono>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/geo/crs.hpp"
#include "common/geo/display_image.hpp"
#include "common/geo/road_vectors.hpp"
#include "stages/route/route.hpp"

namespace rb::route {
namespace fs = std::filesystem;
namespace {

struct Query {
  geo::PixelPoint from, to;
};

// The confident pixels (p >= `threshold`) first and last along the main diagonal (smallest and
// largest column + row, ties to the lower index): a route across the whole scene, for pipelines
// that have no points of interest.
Query AutomaticEnds(const geo::ProbabilityMap& map, double threshold) {
  std::optional<size_t> first, last;
  auto diagonal = [&](size_t i) { return i % map.width + i / map.width; };
  for (size_t i = 0; i < map.p.size(); ++i) {
    if (map.IsNodata(i) || map.p[i] < threshold) continue;
    if (!first || diagonal(i) < diagonal(*first)) first = i;
    if (!last || diagonal(i) > diagonal(*last)) last = i;
  }
  RB_CHECK_ARG(first && *first != *last,
               "--auto-ends {}: '{}' has fewer than two pixels of at least that probability",
               threshold, map.source);
  auto pixel = [&](size_t i) {
    return geo::PixelPoint{static_cast<int>(i % map.width), static_cast<int>(i / map.width)};
  };
  return {pixel(*first), pixel(*last)};
}

std::vector<Query> Queries(const geo::ProbabilityMap& map, const Params& params) {
  if (params.GetFloat("auto_ends") > 0) {
    RB_CHECK_ARG(params.GetFloatList("from").empty() && params.GetFloatList("to").empty(),
                 "give either --auto-ends or --from and --to");
    return {AutomaticEnds(map, params.GetFloat("auto_ends"))};
  }
  geo::PointUnits units = geo::ParsePointUnits(params.GetString("points"));
  std::vector<geo::Point2> from = geo::PairUp(params.GetFloatList("from"), "--from");
  std::vector<geo::Point2> to = geo::PairUp(params.GetFloatList("to"), "--to");
  RB_CHECK_ARG(!from.empty() && !to.empty(), "give --from and --to points");
  RB_CHECK_ARG(from.size() == 1 || from.size() == to.size(),
               "--from has {} points and --to {}: give one source or one per target", from.size(),
               to.size());
  std::vector<geo::PixelPoint> sources = geo::LocatePoints(map, from, units, "--from point ");
  std::vector<geo::PixelPoint> targets = geo::LocatePoints(map, to, units, "--to point ");
  std::vector<Query> queries;
  for (size_t i = 0; i < targets.size(); ++i) {
    queries.push_back({sources[from.size() == 1 ? 0 : i], targets[i]});
  }
  return queries;
}

void CheckEnterable(const geo::ProbabilityMap& map, geo::PixelPoint p, double min_probability,
                    const char* what) {
  size_t i = map.Index(p.column, p.row);
  RB_CHECK_ARG(!map.IsNodata(i) && map.p[i] >= min_probability,
               "{} pixel (col {}, row {}) of '{}' cannot be on a route: {}", what, p.column, p.row,
               map.source,
               map.IsNodata(i)
                   ? std::string("nodata")
                   : fmt::format("p {} < --min-probability {}", map.p[i], min_probability));
}

nlohmann::json RouteJson(const GridRoute& route, const Query& q) {
  nlohmann::json out = {{"from", {q.from.column, q.from.row}},
                        {"to", {q.to.column, q.to.row}},
                        {"found", route.found},
                        {"settled", route.settled}};
  if (!route.found) return out;
  out["cost"] = route.cost;
  out["pixels"] = route.pixels.size();
  out["length_m"] = route.length_m;
  out["log10_probability"] = std::isfinite(route.log10_probability)
                                 ? nlohmann::json(route.log10_probability)
                                 : nlohmann::json(nullptr);
  return out;
}

// The routes over the image (--image) or over the probabilities in grey.
void DrawOverlay(const fs::path& path, const geo::ProbabilityMap& map, const Params& params,
                 const std::vector<GridRoute>& routes) {
  geo::RgbImage background =
      params.Has("image") ? geo::ReadDisplayImage(params.GetPath("image"), map.width, map.height)
                          : geo::ProbabilityDisplay(map);
  cv::Mat canvas;
  cv::cvtColor(cv::Mat(map.height, map.width, CV_8UC3, background.rgb.data()), canvas,
               cv::COLOR_RGB2BGR);
  for (const GridRoute& route : routes) {
    std::vector<cv::Point> points;
    for (const geo::PixelPoint& p : route.pixels) points.emplace_back(p.column, p.row);
    cv::polylines(canvas, points, false, cv::Scalar(0, 0, 255), 3, cv::LINE_AA);
    if (!points.empty()) {
      cv::circle(canvas, points.front(), 7, cv::Scalar(0, 200, 0), cv::FILLED);
      cv::circle(canvas, points.back(), 7, cv::Scalar(255, 0, 0), cv::FILLED);
    }
  }
  RB_CHECK_IO(cv::imwrite(path.string(), canvas), "cannot write overlay '{}'", path.string());
}

GridSpec SpecFor(const geo::ProbabilityMap& map, const Params& params) {
  GridSpec spec;
  spec.cost = ParseCost(params.GetString("cost"));
  spec.neighbours = std::stoi(params.GetString("neighbours"));
  spec.p_floor = params.GetFloat("p_floor");
  spec.p_ceiling = params.GetFloat("p_ceiling");
  spec.min_probability = params.GetFloat("min_probability");
  if (map.georef.complete()) {
    geo::GroundSize size = geo::GroundPixelSize(map.georef, {map.width / 2.0, map.height / 2.0});
    spec.pixel_width_m = size.x_metres;
    spec.pixel_height_m = size.y_metres;
  }
  return spec;
}

nlohmann::json RunRoute(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  geo::ProbabilityMap map = geo::ReadProbabilityMap(params.GetPath("prob"));
  GridSpec spec = SpecFor(map, params);
  std::vector<Query> queries = Queries(map, params);
  for (const Query& q : queries) {
    CheckEnterable(map, q.from, spec.min_probability, "--from");
    CheckEnterable(map, q.to, spec.min_probability, "--to");
  }
  std::string algorithm = params.GetString("algorithm");
  bool one_source = queries.size() == 1 || params.GetFloatList("from").size() == 2;
  if (algorithm == "auto") algorithm = one_source && queries.size() > 1 ? "dijkstra" : "astar";
  GridRouter router(map, spec);
  std::vector<GridRoute> routes;
  auto progress = context.StartProgress("routes", static_cast<int64_t>(queries.size()));
  std::vector<double> seconds;
  for (size_t i = 0; i < queries.size(); ++i) {
    const Query& q = queries[i];
    auto start = std::chrono::steady_clock::now();
    if (algorithm == "astar") {
      routes.push_back(router.AStar(q.from, q.to));
    } else {
      if (i == 0 || !one_source) router.SolveFrom(q.from);
      routes.push_back(router.Route(q.to));
    }
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    progress->Advance();
  }
  progress->Finish();

  nlohmann::json list = nlohmann::json::array();
  std::vector<geo::RoadFeature> features;
  std::optional<graph::Graph> road_graph;
  if (params.Has("graph")) {
    std::vector<geo::LineString> lines;
    for (const geo::RoadFeature& f : geo::ReadRoadGeoJson(params.GetPath("graph"))) {
      lines.insert(lines.end(), f.parts.begin(), f.parts.end());
    }
    road_graph = graph::FromPolylines(lines, 1e-9, geo::GeodesicLength);
  }
  std::vector<geo::PixelPoint> ends;
  for (const Query& q : queries) ends.insert(ends.end(), {q.from, q.to});
  std::vector<geo::Point2> lon_lat = geo::PixelCentresLonLat(map, ends);
  for (size_t i = 0; i < queries.size(); ++i) {
    nlohmann::json item = RouteJson(routes[i], queries[i]);
    item["algorithm"] = algorithm;
    item["search_seconds"] = seconds[i];  // 0 for later targets of a shared Dijkstra search
    if (routes[i].found && !lon_lat.empty()) {
      std::vector<geo::Point2> line = geo::PixelCentresLonLat(map, routes[i].pixels);
      geo::RoadFeature feature{{line},
                               {{"route", i + 1},
                                {"on", "pixels"},
                                {"cost", routes[i].cost},
                                {"length_m", routes[i].length_m}}};
      features.push_back(feature);
    }
    if (road_graph && !lon_lat.empty()) {
      GraphRoute on_graph = RouteOnGraph(*road_graph, lon_lat[2 * i], lon_lat[2 * i + 1]);
      item["graph"] = {{"found", on_graph.found},
                       {"length_m", on_graph.length_m},
                       {"snap_from_m", on_graph.snap_source_m},
                       {"snap_to_m", on_graph.snap_target_m}};
      if (on_graph.found) {
        features.push_back({{on_graph.lon_lat},
                            {{"route", i + 1}, {"on", "graph"}, {"length_m", on_graph.length_m}}});
      }
    }
    LogInfo("route {}: {}", i + 1, item.dump());
    list.push_back(item);
  }
  if (outputs.Has("out")) {
    RB_CHECK_ARG(map.georef.complete(), "--out GeoJSON needs a georeferenced --prob raster");
    geo::WriteRoadGeoJson(outputs.Path("out"), features);
  }
  if (outputs.Has("overlay")) DrawOverlay(outputs.Path("overlay"), map, params, routes);
  return {{"routes", list},
          {"cost", params.GetString("cost")},
          {"neighbours", spec.neighbours},
          {"pixel_size_m", {spec.pixel_width_m, spec.pixel_height_m}}};
}

}  // namespace

cli::StageDescriptor RouteStage() {
  cli::StageDescriptor stage;
  stage.name = "rb-route";
  stage.summary = "Most probable or shortest routes across a road-probability map.";
  stage.description =
      "Routes on the pixel grid (4 or 8 neighbours, step lengths in metres from the "
      "georeference) minimising length, -log p (the most probable route: independent pixels) or "
      "length / p of the entered pixels, by Dijkstra (one search serves every target of one "
      "source) or A* (admissible octile heuristic). Reports cost, length, the route's log10 "
      "probability and the work done; with --graph also the shortest route on an rb-graph "
      "GeoJSON between the graph nodes nearest to the same points.";
  ParamSpecs& p = stage.params;
  p.Input("prob", "road-probability raster (rb-infer output) or 2-D NPY").Required();
  p.FloatList("from", "route start(s): x,y[,x,y...]", {});
  p.FloatList("to", "route end(s): x,y[,x,y...]", {});
  p.Float("auto_ends",
          "instead of --from/--to: one route between the confident pixels (p >= this) first "
          "and last along the diagonal; 0 = off",
          0)
      .Range(0, 1);
  p.Choice("points", "units of --from/--to", {"pixel", "lonlat"}, "pixel");
  p.Choice("cost", "what a route minimises", {"neglogp", "length", "length_per_p"}, "neglogp");
  p.Choice("neighbours", "grid connectivity", {"4", "8"}, "4");
  p.Choice("algorithm", "auto: Dijkstra for one source and many targets, else A*",
           {"auto", "dijkstra", "astar"}, "auto");
  p.Float("p_floor", "probabilities below this count as this in costs", 1e-3).Range(1e-12, 1);
  p.Float("p_ceiling", "probabilities above this count as this in costs", 0.999).Range(1e-12, 1);
  p.Float("min_probability", "pixels below this cannot be entered", 0).Range(0, 1);
  p.Input("image", "image under the --overlay routes (same grid as --prob)");
  p.Input("graph", "road graph GeoJSON from rb-graph: route on it too, for comparison");
  p.Output("out", "routes as GeoJSON LineStrings (lon/lat)");
  p.Output("overlay", "PNG of the routes over the probabilities");
  stage.run = RunRoute;
  return stage;
}

}  // namespace rb::route
