// Georeferencing of a raster: GDAL's affine geotransform plus the CRS as WKT.
//
// Pixel coordinates are (column, row) with (0, 0) the upper-left CORNER of the first pixel, so the
// centre of pixel (i, j) is (i + 0.5, j + 0.5). This is GDAL's convention and the one SpaceNet's
// summaryData uses (x = (lon - x0) / 2.7e-6, y = (y0 - lat) / 2.7e-6).
#pragma once

#include <array>
#include <optional>
#include <string>

#include "common/geo/geometry.hpp"

namespace rb::geo {

class GeoTransform {
 public:
  // Identity: geo = pixel.
  GeoTransform() = default;
  // GDAL order: x0, pixel width, row rotation, y0, column rotation, pixel height (negative
  // north-up).
  explicit GeoTransform(const std::array<double, 6>& coefficients);
  // A north-up grid with its upper-left corner at (x0, y0) and square-or-not pixel sizes (> 0).
  static GeoTransform NorthUp(double x0, double y0, double pixel_width, double pixel_height);

  Point2 PixelToGeo(Point2 pixel) const;
  // Throws kInvalidArgument if the transform is degenerate.
  Point2 GeoToPixel(Point2 geo) const;

  // The transform of a window starting at pixel (column, row).
  GeoTransform Window(double column, double row) const;
  // The transform after resampling by factors (> 1 means smaller pixels).
  GeoTransform Resampled(double x_factor, double y_factor) const;

  bool IsNorthUp() const { return c_[2] == 0.0 && c_[4] == 0.0; }
  const std::array<double, 6>& coefficients() const { return c_; }
  friend bool operator==(const GeoTransform&, const GeoTransform&) = default;

 private:
  std::array<double, 6> c_{0, 1, 0, 0, 0, 1};
};

struct GeoReference {
  std::optional<GeoTransform> transform;  // absent: the file had no geotransform
  std::string crs_wkt;                    // empty: the file had no CRS

  bool complete() const { return transform.has_value() && !crs_wkt.empty(); }
  friend bool operator==(const GeoReference&, const GeoReference&) = default;
};

}  // namespace rb::geo
