// Probability raster -> mask -> skeleton -> pixel graph.
#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc.hpp>

#include "common/core/check.hpp"
#include "common/geo/crs.hpp"
#include "stages/graph/graph.hpp"

namespace rb::graphs {
namespace {

constexpr int kDx[8] = {-1, 0, 1, 1, 1, 0, -1, -1};
constexpr int kDy[8] = {-1, -1, -1, 0, 1, 1, 1, 0};

geo::Point2 Centre(int column, int row) { return {column + 0.5, row + 0.5}; }

}  // namespace

GroundLength::GroundLength(const geo::GeoReference& georef) : georef_(georef) {
  RB_CHECK_IO(georef.complete(), "the raster has no {}; ground lengths need a georeference",
              georef.crs_wkt.empty() ? "CRS" : "geotransform");
  if (!geo::IsGeographic(georef.crs_wkt)) to_lon_lat_.emplace(georef.crs_wkt, "OGC:CRS84");
  // The pixel size at the grid origin is a fair scale for tolerances on a tile.
  geo::Point2 a = ToLonLat({0, 0}), bx = ToLonLat({1, 0}), by = ToLonLat({0, 1});
  metres_per_pixel_ = 0.5 * (geo::GeodesicDistance(a, bx) + geo::GeodesicDistance(a, by));
}

geo::Point2 GroundLength::ToLonLat(geo::Point2 pixel) const {
  geo::Point2 p = georef_.transform->PixelToGeo(pixel);
  return to_lon_lat_ ? to_lon_lat_->Forward(p) : p;
}

double GroundLength::operator()(const geo::LineString& pixel_line) const {
  double metres = 0;
  geo::Point2 previous = ToLonLat(pixel_line.front());
  for (size_t i = 1; i < pixel_line.size(); ++i) {
    geo::Point2 next = ToLonLat(pixel_line[i]);
    metres += geo::GeodesicDistance(previous, next);
    previous = next;
  }
  return metres;
}

cv::Mat RoadMask(const cv::Mat& probability, const MaskSpec& spec) {
  RB_CHECK(probability.type() == CV_32F);
  cv::Mat mask = probability >= spec.threshold;  // NaN compares false: not road
  mask /= 255;
  // Small road blobs go, then small holes (background blobs not touching the border) fill.
  cv::Mat labels, stats, centroids;
  cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  for (int r = 0; r < mask.rows; ++r) {
    for (int c = 0; c < mask.cols; ++c) {
      int label = labels.at<int>(r, c);
      if (label > 0 && stats.at<int>(label, cv::CC_STAT_AREA) < spec.min_blob_pixels) {
        mask.at<uint8_t>(r, c) = 0;
      }
    }
  }
  cv::Mat background = 1 - mask;
  cv::connectedComponentsWithStats(background, labels, stats, centroids, 4, CV_32S);
  for (int r = 0; r < mask.rows; ++r) {
    for (int c = 0; c < mask.cols; ++c) {
      int label = labels.at<int>(r, c);
      if (label == 0) continue;
      const int* s = stats.ptr<int>(label);
      bool touches_border = s[cv::CC_STAT_LEFT] == 0 || s[cv::CC_STAT_TOP] == 0 ||
                            s[cv::CC_STAT_LEFT] + s[cv::CC_STAT_WIDTH] == mask.cols ||
                            s[cv::CC_STAT_TOP] + s[cv::CC_STAT_HEIGHT] == mask.rows;
      if (!touches_border && s[cv::CC_STAT_AREA] <= spec.max_hole_pixels)
        mask.at<uint8_t>(r, c) = 1;
    }
  }
  return mask;
}

cv::Mat Skeleton(const cv::Mat& mask) {
  constexpr int kPad = 8;
  cv::Mat padded, thin;
  cv::copyMakeBorder(mask * 255, padded, kPad, kPad, kPad, kPad, cv::BORDER_REPLICATE);
  cv::ximgproc::thinning(padded, thin, cv::ximgproc::THINNING_ZHANGSUEN);
  return thin(cv::Rect(kPad, kPad, mask.cols, mask.rows)) / 255;
}

namespace {

// Traces pixel paths between node clusters.
class Tracer {
 public:
  Tracer(const cv::Mat& skeleton, const graph::LengthFunction& length)
      : skeleton_(skeleton),
        length_(length),
        count_(skeleton.size(), CV_8U, cv::Scalar(0)),
        node_(skeleton.size(), CV_32S, cv::Scalar(-1)),
        visited_(skeleton.size(), CV_8U, cv::Scalar(0)) {}

  graph::Graph Run() {
    CountNeighbours();
    MakeNodes();
    for (const auto& [pixel, _] : node_pixels_) TraceFrom(pixel);
    TraceLoops();
    return std::move(graph_);
  }

 private:
  bool On(int c, int r) const {
    return c >= 0 && r >= 0 && c < skeleton_.cols && r < skeleton_.rows &&
           skeleton_.at<uint8_t>(r, c);
  }

  void CountNeighbours() {
    for (int r = 0; r < skeleton_.rows; ++r)
      for (int c = 0; c < skeleton_.cols; ++c) {
        if (!On(c, r)) continue;
        int n = 0;
        for (int k = 0; k < 8; ++k) n += On(c + kDx[k], r + kDy[k]);
        count_.at<uint8_t>(r, c) = static_cast<uint8_t>(n);
      }
  }

  // Pixels that are not plain path pixels (ends, junctions, isolated) grouped by 8-adjacency;
  // each group becomes one node at its centroid.
  void MakeNodes() {
    cv::Mat is_node(skeleton_.size(), CV_8U, cv::Scalar(0));
    for (int r = 0; r < skeleton_.rows; ++r)
      for (int c = 0; c < skeleton_.cols; ++c)
        if (On(c, r) && count_.at<uint8_t>(r, c) != 2) is_node.at<uint8_t>(r, c) = 1;
    cv::Mat labels;
    int groups = cv::connectedComponents(is_node, labels, 8, CV_32S);
    std::vector<geo::Point2> sums(groups);
    std::vector<int> sizes(groups, 0);
    for (int r = 0; r < skeleton_.rows; ++r)
      for (int c = 0; c < skeleton_.cols; ++c) {
        int g = labels.at<int>(r, c);
        if (g == 0) continue;
        sums[g].x += c + 0.5;
        sums[g].y += r + 0.5;
        ++sizes[g];
      }
    std::vector<graph::Vertex> vertex(groups);
    for (int g = 1; g < groups; ++g) {
      vertex[g] =
          boost::add_vertex(graph::NodeData{{sums[g].x / sizes[g], sums[g].y / sizes[g]}}, graph_);
    }
    for (int r = 0; r < skeleton_.rows; ++r)
      for (int c = 0; c < skeleton_.cols; ++c) {
        int g = labels.at<int>(r, c);
        if (g == 0) continue;
        node_.at<int>(r, c) = static_cast<int>(vertex[g]);
        node_pixels_.emplace_back(cv::Point(c, r), vertex[g]);
      }
  }

  // Walks from node pixel `start` along every unvisited path pixel next to it.
  void TraceFrom(cv::Point start) {
    const int from = node_.at<int>(start);
    for (int k = 0; k < 8; ++k) {
      cv::Point p(start.x + kDx[k], start.y + kDy[k]);
      if (!On(p.x, p.y) || node_.at<int>(p) >= 0 || visited_.at<uint8_t>(p)) continue;
      geo::LineString line = {graph_[from].point};
      cv::Point previous = start, current = p;
      int to = -1;
      while (true) {
        visited_.at<uint8_t>(current) = 1;
        line.push_back(Centre(current.x, current.y));
        cv::Point next(-1, -1);
        for (int j = 0; j < 8 && to < 0; ++j) {
          cv::Point q(current.x + kDx[j], current.y + kDy[j]);
          if (q == previous || !On(q.x, q.y)) continue;
          if (node_.at<int>(q) >= 0 && !(q == start && line.size() <= 2)) {
            to = node_.at<int>(q);
          } else if (node_.at<int>(q) < 0 && !visited_.at<uint8_t>(q)) {
            next = q;
          }
        }
        if (to >= 0 || next.x < 0) break;
        previous = current;
        current = next;
      }
      if (to < 0) continue;  // a dead path (cannot happen on a clean skeleton)
      line.push_back(graph_[to].point);
      // A path that returns to its own node over a few pixels is a thinning artefact.
      if (to == from && line.size() <= 4) continue;
      boost::add_edge(from, to, graph::EdgeData{line, length_(line)}, graph_);
    }
  }

  // Closed loops of path pixels with no node: one node where the loop starts.
  void TraceLoops() {
    for (int r = 0; r < skeleton_.rows; ++r)
      for (int c = 0; c < skeleton_.cols; ++c) {
        if (!On(c, r) || node_.at<int>(r, c) >= 0 || visited_.at<uint8_t>(r, c)) continue;
        graph::Vertex v = boost::add_vertex(graph::NodeData{Centre(c, r)}, graph_);
        node_.at<int>(r, c) = static_cast<int>(v);
        TraceFrom(cv::Point(c, r));
      }
  }

  const cv::Mat& skeleton_;
  const graph::LengthFunction& length_;
  cv::Mat count_, node_, visited_;
  std::vector<std::pair<cv::Point, graph::Vertex>> node_pixels_;
  graph::Graph graph_;
};

}  // namespace

graph::Graph SkeletonToGraph(const cv::Mat& skeleton, const graph::LengthFunction& length) {
  RB_CHECK(skeleton.type() == CV_8U);
  graph::Graph g = Tracer(skeleton, length).Run();
  graph::RemoveIsolatedNodes(g);
  return g;
}

}  // namespace rb::graphs
