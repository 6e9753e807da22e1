// rb-graph's parameters and Run function: sources (probabilities or truth), outputs.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/geo/image_id.hpp"
#include "common/geo/raster_io.hpp"
#include "common/geo/road_vectors.hpp"
#include "common/geo/stretch.hpp"
#include "common/geo/wkt_pix.hpp"
#include "stages/graph/graph.hpp"

namespace rb::graphs {
namespace fs = std::filesystem;
namespace {

struct Source {
  graph::Graph graph;
  geo::RasterInfo grid;
  cv::Mat probability;  // empty for truth sources
  nlohmann::json figures = nlohmann::json::object();
};

Source FromProbability(const Params& params) {
  fs::path path = params.GetPath("prob");
  Source source;
  source.grid = geo::ReadRasterInfo(path);
  geo::RequireGeoreferenced(source.grid, path);
  geo::Raster raster = geo::ReadRaster(path, {.bands = {1}, .as_type = geo::PixelType::kFloat32});
  source.probability = cv::Mat(raster.height(), raster.width(), CV_32F);
  std::copy_n(raster.Band<float>(0).data(), raster.band_pixels(), source.probability.ptr<float>());
  MaskSpec mask_spec{params.GetFloat("threshold"), static_cast<int>(params.GetInt("min_blob")),
                     static_cast<int>(params.GetInt("max_hole"))};
  cv::Mat mask = RoadMask(source.probability, mask_spec);
  cv::Mat skeleton = Skeleton(mask);
  GroundLength length(source.grid.georef);
  source.graph = SkeletonToGraph(skeleton, std::cref(length));
  CleanSpec clean{params.GetFloat("spur"), params.GetFloat("min_component"), params.GetFloat("gap"),
                  params.GetFloat("gap_angle"), params.GetFloat("simplify")};
  int joins = CleanGraph(source.graph, clean, std::cref(length), length.metres_per_pixel());
  source.figures = {{"road_pixels", cv::countNonZero(mask)},
                    {"skeleton_pixels", cv::countNonZero(skeleton)},
                    {"gaps_closed", joins}};
  return source;
}

// Ground truth: GeoJSON labels or WKT_Pix rows placed on a reference raster's grid.
Source FromTruth(const Params& params) {
  fs::path reference = params.GetPath("reference");
  Source source;
  source.grid = geo::ReadRasterInfo(reference);
  geo::RequireGeoreferenced(source.grid, reference);
  std::vector<geo::LineString> lines;
  if (params.Has("labels")) {
    lines = geo::PixelLines(geo::ReadRoadGeoJson(params.GetPath("labels")), source.grid.georef);
  } else {
    std::string id = params.GetString("image_id");
    RB_CHECK_ARG(!id.empty(), "--wkt needs --image-id (the ImageId of the rows to take)");
    for (const geo::WktPixRow& row : geo::ReadWktPixCsv(params.GetPath("wkt"))) {
      if (row.image_id == id && !row.line.empty()) lines.push_back(row.line);
    }
  }
  GroundLength length(source.grid.georef);
  source.graph = graph::FromPolylines(lines, 0.1, std::cref(length));  // 0.1 px: the scorer's
  graph::Simplify(source.graph);
  return source;
}

std::string ImageIdFor(const Params& params, const fs::path& input) {
  if (!params.GetString("image_id").empty()) return params.GetString("image_id");
  auto id = geo::CanonicalImageId(input.filename().string());
  RB_CHECK_ARG(id.has_value(), "no SpaceNet ImageId in '{}'; give --image-id", input.string());
  return *id;
}

void WriteGeoJson(const fs::path& path, const graph::Graph& g, const GroundLength& length) {
  std::vector<geo::RoadFeature> features;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    geo::RoadFeature feature;
    geo::LineString lon_lat;
    for (const geo::Point2& p : g[*it].line) lon_lat.push_back(length.ToLonLat(p));
    feature.parts.push_back(std::move(lon_lat));
    feature.properties["length_m"] = std::round(g[*it].length * 1000) / 1000;
    features.push_back(std::move(feature));
  }
  geo::WriteRoadGeoJson(path, features);
}

void WriteWkt(const fs::path& path, const graph::Graph& g, const std::string& image_id) {
  std::vector<geo::WktPixRow> rows;
  for (geo::LineString& line : SubmissionLines(graph::ToPolylines(g))) {
    rows.push_back({image_id, std::move(line)});
  }
  if (rows.empty()) rows.push_back({image_id, {}});  // LINESTRING EMPTY, alone
  geo::WriteWktPixCsv(path, rows);
}

// The graph over the image (or over the probabilities when no image is given).
void WriteOverlay(const fs::path& path, const Source& source, const Params& params) {
  cv::Mat canvas;
  if (params.Has("image")) {
    fs::path image = params.GetPath("image");
    geo::RasterInfo info = geo::ReadRasterInfo(image);
    // OpenCV's order is B, G, R: the first three bands reversed (or the one band).
    std::vector<int> bands = info.bands >= 3 ? std::vector<int>{3, 2, 1} : std::vector<int>{1};
    std::vector<cv::Mat> channels;
    for (int b : bands) {
      cv::Mat channel(info.height, info.width, CV_8U);
      geo::Raster one = geo::ReadRaster(image, {.bands = {b}, .as_type = geo::PixelType::kUInt16});
      auto samples = one.Band<uint16_t>(0);
      geo::StretchToByte(samples, geo::PercentileRange(samples, 2, 98, std::nullopt),
                         {channel.data, samples.size()}, std::nullopt);
      channels.push_back(channel);
    }
    cv::merge(channels, canvas);
    if (canvas.channels() == 1) cv::cvtColor(canvas, canvas, cv::COLOR_GRAY2BGR);
  } else if (!source.probability.empty()) {
    cv::Mat gray;
    cv::Mat clean = source.probability.clone();
    cv::patchNaNs(clean, 0);
    clean.convertTo(gray, CV_8U, 255);
    cv::cvtColor(gray, canvas, cv::COLOR_GRAY2BGR);
  } else {
    canvas = cv::Mat(source.grid.height, source.grid.width, CV_8UC3, cv::Scalar(0, 0, 0));
  }
  const graph::Graph& g = source.graph;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    std::vector<cv::Point> points;
    for (const geo::Point2& p : g[*it].line)
      points.emplace_back(cvRound(p.x - 0.5), cvRound(p.y - 0.5));
    cv::polylines(canvas, points, false, cv::Scalar(0, 200, 255), 2, cv::LINE_AA);
  }
  for (graph::Vertex v = 0; v < boost::num_vertices(g); ++v) {
    cv::Point p(cvRound(g[v].point.x - 0.5), cvRound(g[v].point.y - 0.5));
    cv::circle(canvas, p, 4, cv::Scalar(0, 0, 230), cv::FILLED, cv::LINE_AA);
  }
  RB_CHECK_IO(cv::imwrite(path.string(), canvas), "cannot write overlay '{}'", path.string());
}

nlohmann::json RunGraph(const Params& params, cli::StageOutputs& outputs, RunContext&) {
  int sources = params.Has("prob") + params.Has("labels") + params.Has("wkt");
  RB_CHECK_ARG(sources == 1, "give exactly one of --prob, --labels or --wkt");
  RB_CHECK_ARG(params.Has("prob") || params.Has("reference"),
               "--labels and --wkt need --reference (the raster whose grid they are on)");
  RB_CHECK_ARG(outputs.Has("out") || outputs.Has("wkt_out") || outputs.Has("overlay"),
               "nothing to write: give --out, --wkt-out or --overlay");
  Source source = params.Has("prob") ? FromProbability(params) : FromTruth(params);
  GroundLength length(source.grid.georef);
  const graph::Graph& g = source.graph;
  if (outputs.Has("out")) WriteGeoJson(outputs.Path("out"), g, length);
  if (outputs.Has("wkt_out")) {
    fs::path input = params.Has("prob") ? params.GetPath("prob") : params.GetPath("reference");
    WriteWkt(outputs.Path("wkt_out"), g, ImageIdFor(params, input));
  }
  if (outputs.Has("overlay")) WriteOverlay(outputs.Path("overlay"), source, params);
  nlohmann::json figures = source.figures;
  figures["nodes"] = boost::num_vertices(g);
  figures["edges"] = boost::num_edges(g);
  figures["length_m"] = graph::TotalLength(g);
  LogInfo("{} nodes, {} edges, {:.0f} m of road", boost::num_vertices(g), boost::num_edges(g),
          graph::TotalLength(g));
  return figures;
}

}  // namespace

cli::StageDescriptor GraphStage() {
  cli::StageDescriptor stage;
  stage.name = "rb-graph";
  stage.summary = "Road graphs from probability rasters or from ground truth.";
  stage.description =
      "--prob: threshold, drop small blobs, fill small holes, Zhang-Suen skeleton, nodes at ends "
      "and junctions, edges along the pixel paths, lengths in metres on the ground; then prune "
      "short spurs, close gaps ahead of road ends, drop short components, Douglas-Peucker. "
      "--labels (GeoJSON) or --wkt (SpaceNet CSV rows of --image-id) on the grid of --reference: "
      "the same graph type from ground truth. Outputs: GeoJSON LineStrings in lon/lat, SpaceNet "
      "WKT_Pix CSV (never anything the leaderboard scorer rejects), PNG overlay.";
  ParamSpecs& p = stage.params;
  p.Input("prob", "road probability raster (rb-infer output)");
  p.Input("labels", "ground-truth road GeoJSON (lon/lat)");
  p.Input("wkt", "ground-truth SpaceNet CSV (ImageId,WKT_Pix), e.g. summaryData");
  p.Input("reference", "raster whose grid --labels/--wkt lie on");
  p.Input("image", "image drawn under the graph in --overlay");
  p.String("image_id", "ImageId for the CSV (default: from the input file name)", "");
  p.Output("out", "graph as GeoJSON LineStrings (lon/lat)");
  p.Output("wkt_out", "graph as SpaceNet CSV rows (ImageId,WKT_Pix)");
  p.Output("overlay", "PNG of the graph over the image, for people");
  p.Float("threshold", "probability at or above which a pixel is road", 0.3).Range(0, 1);
  p.Int("min_blob", "road blobs smaller than this many pixels are dropped", 300).Range(0, 1e9);
  p.Int("max_hole", "holes up to this many pixels are filled", 100).Range(0, 1e9);
  p.Float("spur", "terminal spurs shorter than this many metres are pruned", 10).Range(0, 1e6);
  p.Float("min_component", "components shorter than this many metres are dropped", 30)
      .Range(0, 1e9);
  p.Float("gap", "road ends this many metres from the graph ahead of them are joined", 6)
      .Range(0, 1e4);
  p.Float("gap_angle", "largest angle in degrees between an end's heading and its join", 30)
      .Range(0, 180);
  p.Float("simplify", "Douglas-Peucker tolerance in pixels", 1.5).Range(0, 100);
  stage.run = RunGraph;
  return stage;
}

}  // namespace rb::graphs
