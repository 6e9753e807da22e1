// Flood-fill label repair (the seed's section 1): a fixed-width buffer is too narrow on wide
// roads and too wide on narrow ones; growing from the centerline over pixels of the road's own
// colour follows the real edges. Fills are bounded by a maximum distance from the centerline so
// a fill cannot run over a whole parking lot or the background.
#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc.hpp>

#include <cmath>

#include "common/core/check.hpp"
#include "common/geo/crs.hpp"
#include "stages/mask/mask.hpp"

namespace rb::mask {

FloodResult FloodFillMask(const std::vector<geo::RoadFeature>& features, const Grid& grid,
                          const cv::Mat& image, const cv::Mat& blocked, const FloodSpec& spec) {
  RB_CHECK_ARG(image.rows == grid.height && image.cols == grid.width,
               "the flood-fill image is {}x{}, the grid {}x{}", image.cols, image.rows, grid.width,
               grid.height);
  RB_CHECK_ARG(image.type() == CV_8UC1 || image.type() == CV_8UC3,
               "flood fill needs an 8-bit image of 1 or 3 bands");
  RB_CHECK_ARG(spec.connectivity == 4 || spec.connectivity == 8, "connectivity is 4 or 8");
  RB_CHECK_ARG(spec.max_distance_m >= spec.core_half_width_m,
               "the fill bound ({} m) must not be narrower than the core buffer ({} m)",
               spec.max_distance_m, spec.core_half_width_m);
  FloodResult result;
  cv::Mat allowed = BufferMask(features, grid, {.half_width_m = spec.max_distance_m});
  cv::Mat core = BufferMask(features, grid, {.half_width_m = spec.core_half_width_m});
  if (!blocked.empty()) {
    allowed.setTo(0, blocked);
    core.setTo(0, blocked);
  }
  result.core_pixels = cv::countNonZero(core);

  // Seeds: the centerlines rasterised, thinned to one pixel (Zhang-Suen), sampled every step.
  cv::Mat centre(grid.height, grid.width, CV_8U, cv::Scalar(0));
  for (const geo::LineString& line : geo::PixelLines(features, grid.georef)) {
    std::vector<cv::Point> points;
    for (const geo::Point2& p : line) {
      points.emplace_back(static_cast<int>(std::floor(p.x)), static_cast<int>(std::floor(p.y)));
    }
    cv::polylines(centre, points, false, cv::Scalar(255), 1, cv::LINE_8);
  }
  cv::Mat thin;
  cv::ximgproc::thinning(centre, thin, cv::ximgproc::THINNING_ZHANGSUEN);

  // floodFill's mask is one pixel larger on each side; non-zero pixels stop a fill.
  cv::Mat fill_mask(grid.height + 2, grid.width + 2, CV_8U, cv::Scalar(1));
  cv::Mat inner = fill_mask(cv::Rect(1, 1, grid.width, grid.height));
  inner.setTo(0, allowed);
  constexpr int kFilled = 2;
  int flags = spec.connectivity | cv::FLOODFILL_MASK_ONLY | (kFilled << 8) |
              (spec.fixed_range ? cv::FLOODFILL_FIXED_RANGE : 0);
  cv::Scalar low = cv::Scalar::all(spec.low_diff), high = cv::Scalar::all(spec.high_diff);
  geo::GroundSize ground = geo::GroundPixelSize(grid.georef, {grid.width / 2.0, grid.height / 2.0});
  int step = std::max(1, static_cast<int>(std::lround(spec.seed_step_m /
                                                      std::min(ground.x_metres, ground.y_metres))));
  cv::Mat near_seed(grid.height, grid.width, CV_8U, cv::Scalar(0));
  for (int y = 0; y < grid.height; ++y) {
    const uint8_t* row = thin.ptr<uint8_t>(y);
    for (int x = 0; x < grid.width; ++x) {
      if (row[x] == 0 || near_seed.at<uint8_t>(y, x) != 0) continue;
      cv::circle(near_seed, {x, y}, step, cv::Scalar(1), cv::FILLED);
      if (fill_mask.at<uint8_t>(y + 1, x + 1) != 0) continue;  // filled already, or barred
      cv::floodFill(image, fill_mask, {x, y}, cv::Scalar(), nullptr, low, high, flags);
      ++result.seeds;
    }
  }
  cv::Mat filled = inner == kFilled;
  if (spec.close_m > 0) {
    // Cars and lane marks differ in colour from the road under them: close those holes, then
    // keep the result inside the allowed band.
    cv::Size kernel(2 * static_cast<int>(std::lround(spec.close_m / ground.x_metres)) + 1,
                    2 * static_cast<int>(std::lround(spec.close_m / ground.y_metres)) + 1);
    cv::morphologyEx(filled, filled, cv::MORPH_CLOSE,
                     cv::getStructuringElement(cv::MORPH_ELLIPSE, kernel));
    filled &= allowed;
  }
  cv::Mat added = filled & (core == 0);
  result.fill_added_pixels = cv::countNonZero(added);
  result.mask = core.clone();
  result.mask.setTo(1, filled);
  return result;
}

}  // namespace rb::mask
