// The raster layers a synthetic scene is painted into, and the painting primitives in ground
// units: sizes are metres and are converted per axis, since SpaceNet's pixels are not square on
// the ground (a 4 m circle is an ellipse in pixels).
#pragma once

#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "common/geo/geometry.hpp"
#include "stages/synth/materials.hpp"
#include "stages/synth/road_network.hpp"

namespace rb::synth {

// What a paint operation writes; unset fields leave their layer alone.
struct Brush {
  std::optional<Material> material;
  std::optional<float> tint;
  std::optional<float> shade;
  std::optional<uint8_t> road;      // labelled road surface truth
  std::optional<uint8_t> paved;     // drivable paved surface truth
  std::optional<uint8_t> occupied;  // taken: later objects avoid it
  std::optional<uint8_t> occluder;  // trees, cars (shadows are added at the end)
};

struct Canvas {
  Canvas(int size, GroundScale scale);

  int size;
  GroundScale scale;
  cv::Mat material;  // CV_8U Material
  cv::Mat tint;      // CV_32F brightness factor of the object under each pixel
  cv::Mat shade;     // CV_32F 1 = sunlit .. 0 = full shadow
  cv::Mat road;      // CV_8U truth: surface of labelled roads
  cv::Mat paved;     // CV_8U truth: all drivable paved surface
  cv::Mat occupied;  // CV_8U placement bookkeeping
  cv::Mat occluder;  // CV_8U truth: trees, cars, shadows

  // Pixel offset of a ground vector given in metres (east, south).
  cv::Point2d Offset(double east_m, double south_m) const {
    return {east_m / scale.x_m, south_m / scale.y_m};
  }

  void FillPolygon(const std::vector<cv::Point2d>& pixels, const Brush& brush);
  // A circle of `radius_m` on the ground around `centre` (pixels).
  void FillCircle(cv::Point2d centre, double radius_m, const Brush& brush);
  // A band of `width_m` along the polyline with round joins and caps.
  void StrokeLine(const geo::LineString& pixels, double width_m, const Brush& brush);
  // A thin line one pixel wide (paint marks, walls).
  void ThinLine(cv::Point2d a, cv::Point2d b, const Brush& brush);

  // Corners of a rectangle `length_m` along `heading` (radians from east, clockwise as rows
  // grow) and `width_m` across it, centred on `centre`.
  std::vector<cv::Point2d> Rectangle(cv::Point2d centre, double heading, double length_m,
                                     double width_m) const;
  // Fraction of the polygon's pixels already marked in `occupied`.
  double OccupiedFraction(const std::vector<cv::Point2d>& pixels) const;
  bool Inside(cv::Point2d p, double margin_px = 0) const {
    return p.x >= margin_px && p.y >= margin_px && p.x < size - margin_px && p.y < size - margin_px;
  }

 private:
  template <class Draw>
  void Apply(const Brush& brush, Draw&& draw);
};

}  // namespace rb::synth
