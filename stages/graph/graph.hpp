// rb-graph: road graphs from probability rasters (threshold, blob and hole removal, Zhang-Suen
// skeleton, pixel-path tracing, cleaning) or from ground truth (GeoJSON labels, WKT_Pix rows),
// written as GeoJSON (lon/lat), SpaceNet WKT_Pix CSV and a PNG overlay.
//
// Graphs here are in pixel coordinates of the source raster, corner convention (the centre of
// pixel (c, r) is (c + 0.5, r + 0.5)), with edge lengths in metres on the ground.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "common/cli/stage.hpp"
#include "common/geo/crs.hpp"
#include "common/geo/georef.hpp"
#include "common/graph/road_graph.hpp"

namespace rb::graphs {

// Pixel polylines -> ground metres (geodesic, through the raster's georeference).
class GroundLength {
 public:
  explicit GroundLength(const geo::GeoReference& georef);
  double operator()(const geo::LineString& pixel_line) const;
  geo::Point2 ToLonLat(geo::Point2 pixel) const;
  // Metres per pixel around the raster's centre (mean of the two axes): converts metre
  // settings to pixel tolerances.
  double metres_per_pixel() const { return metres_per_pixel_; }

 private:
  geo::GeoReference georef_;
  std::optional<geo::CrsTransform> to_lon_lat_;  // when the raster's CRS is projected
  double metres_per_pixel_ = 1;
};

struct MaskSpec {
  double threshold = 0.3;     // probability at or above which a pixel is road
  int min_blob_pixels = 300;  // road blobs smaller than this are dropped
  int max_hole_pixels = 100;  // holes in the road smaller than this are filled
};
// A 0/1 road mask (CV_8U) from a probability raster (CV_32F; NaN is not road).
cv::Mat RoadMask(const cv::Mat& probability, const MaskSpec& spec);

// Zhang-Suen skeleton (0/1) of a 0/1 mask, thinned on a border-replicated copy so roads that
// reach the edge keep their ends at the edge.
cv::Mat Skeleton(const cv::Mat& mask);

// The graph of a one-pixel-wide skeleton: nodes at ends and junctions (touching junction
// pixels merge into one node at their centroid), edges along the pixel paths between them;
// closed loops without a junction get one node.
graph::Graph SkeletonToGraph(const cv::Mat& skeleton, const graph::LengthFunction& length);

struct CleanSpec {
  double spur_metres = 10;        // terminal spurs shorter than this are pruned
  double component_metres = 30;   // connected components shorter than this are dropped
  double gap_metres = 6;          // ends this close to another node or edge get joined...
  double gap_angle_degrees = 30;  // ...when the join continues the end's direction this closely
  double simplify_pixels = 1.5;   // Douglas-Peucker tolerance
};
// Prunes spurs, drops small components, closes gaps, merges degree-2 nodes and simplifies the
// polylines (lengths recomputed with `length`). Returns the number of gaps closed.
int CleanGraph(graph::Graph& graph, const CleanSpec& spec, const graph::LengthFunction& length,
               double metres_per_pixel);

// Lines a SpaceNet scorer accepts: consecutive vertices closer than 0.01 px, or that the scorer
// takes for one point (same 0.1 px cell, closer than 0.1 px), merged after rounding to
// `decimals`; lines shorter than two vertices dropped; a segment already present (either
// direction, ends compared on the scorer's 0.1 px grid) removed, splitting its line. No lines
// left = an image without roads.
std::vector<geo::LineString> SubmissionLines(const std::vector<geo::LineString>& lines,
                                             int decimals = 2);

cli::StageDescriptor GraphStage();

}  // namespace rb::graphs
