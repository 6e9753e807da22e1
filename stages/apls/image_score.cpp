// Scoring one image: its two sides read, placed in the variant's frame, built and compared.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "common/core/check.hpp"
#include "common/geo/raster_io.hpp"
#include "common/geo/road_vectors.hpp"
#include "stages/apls/apls_graph.hpp"
#include "stages/apls/apls_run.hpp"

namespace rb::apls {
namespace {

// SpaceNet's pixel: 2.7e-6 degrees; the grid GeoJSON-only pairs are placed on without a raster.
constexpr double kSpaceNetPixelDegrees = 2.7e-6;

// PROJ objects cost a database query each to make and are not thread-safe: each thread keeps
// the ones it made, by UTM zone and by CRS.
const geo::MetricFrame& UtmFrame(double lon, double lat) {
  thread_local std::map<int, geo::MetricFrame> frames;
  int epsg = geo::UtmEpsgFor(lon, lat);
  auto it = frames.find(epsg);
  if (it == frames.end()) it = frames.emplace(epsg, geo::MetricFrame::LocalUtm(lon, lat)).first;
  return it->second;
}
bool Geographic(const std::string& crs_wkt) {
  thread_local std::map<std::string, bool> known;
  auto it = known.find(crs_wkt);
  if (it == known.end()) it = known.emplace(crs_wkt, geo::IsGeographic(crs_wkt)).first;
  return it->second;
}
const std::string& LonLatWkt() {
  thread_local const std::string wkt = geo::CrsWkt("OGC:CRS84");
  return wkt;
}

// Lon/lat polylines of a GeoJSON side; nothing when the side is absent.
std::vector<geo::LineString> LonLatLines(const SideInput& side) {
  std::vector<geo::LineString> lines;
  if (!side.listed) return lines;
  for (geo::RoadFeature& feature : geo::ReadRoadGeoJson(side.geojson)) {
    for (geo::LineString& part : feature.parts) lines.push_back(std::move(part));
  }
  return lines;
}

std::vector<geo::LineString> WktLines(const SideInput& side) {
  std::vector<geo::LineString> lines;
  for (const geo::LineString& row : side.rows) {
    if (!row.empty()) lines.push_back(row);
  }
  return lines;
}

std::optional<geo::GeoReference> Georeference(const ImageJob& job) {
  if (job.raster.empty()) return std::nullopt;
  geo::RasterInfo info = geo::ReadRasterInfo(job.raster);
  geo::RequireGeoreferenced(info, job.raster);
  return info.georef;
}

// A north-up grid of SpaceNet pixels whose corner is the north-west of both sides' lines.
geo::GeoReference FallbackGrid(const std::vector<geo::LineString>& a,
                               const std::vector<geo::LineString>& b) {
  double west = INFINITY, north = -INFINITY;
  for (const auto* lines : {&a, &b}) {
    for (const geo::LineString& line : *lines) {
      for (const geo::Point2& p : line) west = std::min(west, p.x), north = std::max(north, p.y);
    }
  }
  if (!std::isfinite(west)) west = 0, north = 0;
  return {geo::GeoTransform::NorthUp(west, north, kSpaceNetPixelDegrees, kSpaceNetPixelDegrees),
          LonLatWkt()};
}

void CheckSubmission(const ImageJob& job, const SideInput& side, const char* what) {
  std::string error = SubmissionError(side.rows);
  RB_CHECK_IO(error.empty(),
              "{} '{}', image {}: {}; the SpaceNet 3 scorer rejects such a file "
              "(--no-check-submission scores it anyway)",
              what, side.source.string(), job.image_id, error);
}

// Both sides in pixels for the leaderboard variant.
std::pair<std::vector<geo::LineString>, std::vector<geo::LineString>> PixelSides(
    const ImageJob& job) {
  std::vector<geo::LineString> truth, proposal;
  if (job.truth.kind == SourceKind::kWkt) truth = WktLines(job.truth);
  if (job.proposal.kind == SourceKind::kWkt) proposal = WktLines(job.proposal);
  if (job.truth.kind == SourceKind::kWkt && job.proposal.kind == SourceKind::kWkt) {
    return {truth, proposal};
  }
  std::vector<geo::LineString> truth_ll, proposal_ll;
  if (job.truth.kind == SourceKind::kGeoJson) truth_ll = LonLatLines(job.truth);
  if (job.proposal.kind == SourceKind::kGeoJson) proposal_ll = LonLatLines(job.proposal);
  std::optional<geo::GeoReference> grid = Georeference(job);
  if (!grid) {
    RB_CHECK_ARG(job.truth.kind == job.proposal.kind,
                 "image {}: GeoJSON against WKT_Pix needs the image's raster (--images) to put "
                 "both on one pixel grid",
                 job.image_id);
    grid = FallbackGrid(truth_ll, proposal_ll);
  }
  auto to_pixels = [&](std::vector<geo::LineString> lines) {
    if (!Geographic(grid->crs_wkt)) {  // a projected grid: through PROJ
      std::vector<geo::RoadFeature> features(1);
      features[0].parts = std::move(lines);
      return geo::PixelLines(features, *grid);
    }
    for (geo::LineString& line : lines) {
      for (geo::Point2& p : line) p = grid->transform->GeoToPixel(p);
    }
    return lines;
  };
  if (job.truth.kind == SourceKind::kGeoJson) truth = to_pixels(truth_ll);
  if (job.proposal.kind == SourceKind::kGeoJson) proposal = to_pixels(proposal_ll);
  return {truth, proposal};
}

ImageResult ScoreLeaderboardImage(const ImageJob& job, const RunSettings& settings) {
  ImageResult result{job.image_id};
  if (!job.proposal.listed) {
    if (settings.missing == MissingPolicy::kSkip) {
      result.note = "not in the proposal";
      return result;
    }
    result.note = "not in the proposal: scored as an empty proposal";
  }
  if (settings.check_submission) {
    if (job.truth.kind == SourceKind::kWkt) CheckSubmission(job, job.truth, "truth");
    if (job.proposal.kind == SourceKind::kWkt) CheckSubmission(job, job.proposal, "proposal");
  }
  auto [truth_lines, proposal_lines] = PixelSides(job);
  graph::Graph truth = LeaderboardGraph(truth_lines);
  graph::Graph proposal = LeaderboardGraph(proposal_lines);
  const Options& o = settings.options;
  result.scored = true;
  result.score = ScoreGraphs(truth, proposal, o);
  const double radius = o.snap_metres / o.metres_per_pixel;
  result.overlap = MeasureLengthOverlap(truth, proposal, radius, radius / 4);
  result.overlap.truth_length *= o.metres_per_pixel;
  result.overlap.proposal_length *= o.metres_per_pixel;
  result.truth_nodes = static_cast<int64_t>(boost::num_vertices(truth));
  result.proposal_nodes = static_cast<int64_t>(boost::num_vertices(proposal));
  return result;
}

// Pixel -> lon/lat through the image's geotransform (the reference adds no half-pixel shift).
std::function<geo::Point2(geo::Point2)> PixelToLonLat(const ImageJob& job) {
  std::optional<geo::GeoReference> georef = Georeference(job);
  RB_CHECK_ARG(georef.has_value(),
               "image {}: the CosmiQ variant places WKT_Pix rows through the image's "
               "georeference; give its raster with --images",
               job.image_id);
  auto to_lon_lat = std::make_shared<std::optional<geo::CrsTransform>>();
  if (!Geographic(georef->crs_wkt)) to_lon_lat->emplace(georef->crs_wkt, "OGC:CRS84");
  geo::GeoTransform transform = *georef->transform;
  return [transform, to_lon_lat](geo::Point2 pixel) {
    geo::Point2 p = transform.PixelToGeo(pixel);
    return *to_lon_lat ? (*to_lon_lat)->Forward(p) : p;
  };
}

// The UTM zone of the truth's mean vertex (the reference takes the zone of each graph's node
// centroid; both graphs of an image share it away from zone borders).
const geo::MetricFrame& FrameFor(const std::vector<geo::LineString>& lon_lat) {
  double lon = 0, lat = 0, n = 0;
  for (const geo::LineString& line : lon_lat) {
    for (const geo::Point2& p : line) lon += p.x, lat += p.y, ++n;
  }
  return UtmFrame(lon / n, lat / n);
}

ImageResult ScoreCosmiqImage(const ImageJob& job, const RunSettings& settings) {
  ImageResult result{job.image_id};
  // The reference's own rules: no truth roads, or a CSV proposal without rows or with
  // LINESTRING EMPTY, and the pair is skipped; a GeoJSON proposal without roads scores 0.
  std::function<geo::Point2(geo::Point2)> to_lon_lat;
  std::vector<geo::LineString> truth_ll;
  if (job.truth.kind == SourceKind::kGeoJson) {
    truth_ll = LonLatLines(job.truth);
  } else if (!WktLines(job.truth).empty()) {
    to_lon_lat = PixelToLonLat(job);
    for (const geo::LineString& line : WktLines(job.truth)) {
      geo::LineString ll;
      for (const geo::Point2& p : line) ll.push_back(to_lon_lat(p));
      truth_ll.push_back(ll);
    }
  }
  if (truth_ll.empty()) {
    result.note = "truth has no roads (the reference skips the pair)";
    return result;
  }
  if (!job.proposal.listed ||
      (job.proposal.kind == SourceKind::kWkt && WktLines(job.proposal).empty())) {
    result.note = "proposal has no rows or LINESTRING EMPTY (the reference skips the pair)";
    return result;
  }
  const geo::MetricFrame& frame = FrameFor(truth_ll);
  graph::Graph truth = job.truth.kind == SourceKind::kGeoJson
                           ? CosmiqGraphFromLonLat(truth_ll, frame)
                           : CosmiqGraphFromPixels(WktLines(job.truth), to_lon_lat, frame, true);
  if (boost::num_vertices(truth) == 0) {
    result.note = "truth graph empty after cleaning (the reference skips the pair)";
    return result;
  }
  graph::Graph proposal;
  if (job.proposal.kind == SourceKind::kGeoJson) {
    proposal = CosmiqGraphFromLonLat(LonLatLines(job.proposal), frame);
  } else {
    if (!to_lon_lat) to_lon_lat = PixelToLonLat(job);
    proposal = CosmiqGraphFromPixels(WktLines(job.proposal), to_lon_lat, frame, false);
  }
  const Options& o = settings.options;
  result.scored = true;
  result.score = ScoreGraphs(truth, proposal, o);
  result.overlap = MeasureLengthOverlap(truth, proposal, o.snap_metres, o.snap_metres / 4);
  result.truth_nodes = static_cast<int64_t>(boost::num_vertices(truth));
  result.proposal_nodes = static_cast<int64_t>(boost::num_vertices(proposal));
  return result;
}

}  // namespace

ImageResult ScoreImage(const ImageJob& job, const RunSettings& settings) {
  return settings.options.variant == Variant::kLeaderboard ? ScoreLeaderboardImage(job, settings)
                                                           : ScoreCosmiqImage(job, settings);
}

}  // namespace rb::apls
