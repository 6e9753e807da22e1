#include "common/geo/georef.hpp"

#include <gdal.h>

#include "common/core/check.hpp"

namespace rb::geo {

GeoTransform::GeoTransform(const std::array<double, 6>& coefficients) : c_(coefficients) {}

GeoTransform GeoTransform::NorthUp(double x0, double y0, double pixel_width, double pixel_height) {
  RB_CHECK_ARG(pixel_width > 0 && pixel_height > 0, "pixel sizes must be positive, got {} x {}",
               pixel_width, pixel_height);
  return GeoTransform({x0, pixel_width, 0.0, y0, 0.0, -pixel_height});
}

Point2 GeoTransform::PixelToGeo(Point2 pixel) const {
  return {c_[0] + pixel.x * c_[1] + pixel.y * c_[2], c_[3] + pixel.x * c_[4] + pixel.y * c_[5]};
}

Point2 GeoTransform::GeoToPixel(Point2 geo) const {
  if (IsNorthUp()) {
    // The common case, computed directly: exact for SpaceNet's round-number origins.
    RB_CHECK_ARG(c_[1] != 0.0 && c_[5] != 0.0, "geotransform has a zero pixel size");
    return {(geo.x - c_[0]) / c_[1], (geo.y - c_[3]) / c_[5]};
  }
  std::array<double, 6> coefficients = c_;
  std::array<double, 6> inverse{};
  RB_CHECK_ARG(GDALInvGeoTransform(coefficients.data(), inverse.data()),
               "geotransform is not invertible");
  return {inverse[0] + geo.x * inverse[1] + geo.y * inverse[2],
          inverse[3] + geo.x * inverse[4] + geo.y * inverse[5]};
}

GeoTransform GeoTransform::Window(double column, double row) const {
  Point2 origin = PixelToGeo({column, row});
  return GeoTransform({origin.x, c_[1], c_[2], origin.y, c_[4], c_[5]});
}

GeoTransform GeoTransform::Resampled(double x_factor, double y_factor) const {
  RB_CHECK_ARG(x_factor > 0 && y_factor > 0, "resampling factors must be positive");
  return GeoTransform(
      {c_[0], c_[1] / x_factor, c_[2] / y_factor, c_[3], c_[4] / x_factor, c_[5] / y_factor});
}

}  // namespace rb::geo
