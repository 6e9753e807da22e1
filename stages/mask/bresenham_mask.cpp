// One mask per LineString instance (Mask R-CNN training, the seed's section 3): OpenCV's
// Bresenham lines between the vertices, in pixel coordinates of the grid.
#include <opencv2/imgproc.hpp>

#include <cmath>

#include "common/core/check.hpp"
#include "stages/mask/mask.hpp"

namespace rb::mask {

Instances BresenhamInstances(const std::vector<geo::RoadFeature>& features, const Grid& grid,
                             int thickness) {
  RB_CHECK_ARG(thickness >= 1, "line thickness must be at least 1 pixel, got {}", thickness);
  Instances out;
  out.ids = cv::Mat(grid.height, grid.width, CV_16U, cv::Scalar(0));
  out.mask = cv::Mat(grid.height, grid.width, CV_8U, cv::Scalar(0));
  std::vector<cv::Mat> drawn;
  cv::Mat scratch(grid.height, grid.width, CV_8U);
  for (const geo::LineString& line : geo::PixelLines(features, grid.georef)) {
    scratch.setTo(0);
    // The pixel containing a vertex: corner convention, so 12.7 is in pixel 12.
    std::vector<cv::Point> points;
    for (const geo::Point2& p : line) {
      points.emplace_back(static_cast<int>(std::floor(p.x)), static_cast<int>(std::floor(p.y)));
    }
    if (points.size() == 1) points.push_back(points[0]);
    for (size_t i = 0; i + 1 < points.size(); ++i) {
      cv::line(scratch, points[i], points[i + 1], cv::Scalar(1), thickness, cv::LINE_8);
    }
    if (cv::countNonZero(scratch) == 0) continue;  // wholly outside the grid
    drawn.push_back(scratch.clone());
    RB_CHECK_ARG(drawn.size() < 65535, "more than 65534 line instances");
    out.ids.setTo(static_cast<int>(drawn.size()), scratch);
    out.mask.setTo(1, scratch);
  }
  out.stack = io::NpyArray{
      io::DType::kUInt8, {static_cast<int64_t>(drawn.size()), grid.height, grid.width}, {}};
  out.stack.data.reserve(drawn.size() * scratch.total());
  for (const cv::Mat& instance : drawn) {
    const std::byte* bytes = reinterpret_cast<const std::byte*>(instance.data);
    out.stack.data.insert(out.stack.data.end(), bytes, bytes + instance.total());
  }
  return out;
}

}  // namespace rb::mask
