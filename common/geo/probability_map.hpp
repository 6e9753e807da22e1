// Road-probability maps as the decision stages read them (rb-percolate, rb-gridworld, rb-route):
// one band of probabilities in [0, 1] on a georeferenced grid, nodata as NaN, and the points
// (pixel or lon/lat) that questions are asked about.
//
// Inputs are rb-infer's float32 GeoTIFF (nodata NaN), any GDAL raster with values in [0, 1]
// (integer 0/1 masks included), or a 2-D NPY array (C order, float32/float64/uint8/bool).
// Every value is checked: a probability outside [0, 1], or a NaN where the raster does not declare
// NaN as its nodata, is an error naming the value, the pixel and the file.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/geo/geometry.hpp"
#include "common/geo/georef.hpp"
#include "common/geo/raster.hpp"

namespace rb::geo {

struct ProbabilityMap {
  int width = 0;
  int height = 0;
  std::vector<float> p;  // (height, width) row-major; NaN = nodata, else in [0, 1]
  GeoReference georef;   // empty for NPY inputs (pixel coordinates only)
  std::string source;    // file name, for messages
  int64_t nodata_pixels = 0;

  size_t Index(int column, int row) const { return static_cast<size_t>(row) * width + column; }
  bool IsNodata(size_t index) const { return std::isnan(p[index]); }
  // The probability, 0 for nodata (a pixel nobody can say is road is treated as not road).
  float ValueOrZero(size_t index) const { return IsNodata(index) ? 0.0f : p[index]; }
  bool Contains(int column, int row) const {
    return column >= 0 && row >= 0 && column < width && row < height;
  }
};

// Reads band `band` (1-based) of a raster, or a 2-D NPY (`band` must be 1). Pixels equal to the
// raster's nodata value become NaN. Throws kIo for unreadable files and kNumerical for values
// outside [0, 1] or undeclared NaN, naming the first offending pixel as (col C, row R).
ProbabilityMap ReadProbabilityMap(const std::filesystem::path& path, int band = 1);

// Builds a map from samples (row-major, `width` * `height` values), with the same checks.
// `nan_is_nodata`: whether NaN means nodata (as in rb-infer's output) or is an error.
ProbabilityMap MakeProbabilityMap(std::span<const float> values, int width, int height,
                                  bool nan_is_nodata, std::string source, GeoReference georef = {});

// How the numbers of a point are to be read.
enum class PointUnits {
  kPixel,   // (column, row) of a pixel, 0-based integers
  kLonLat,  // WGS 84 degrees, converted through the map's CRS and geotransform
};
// "pixel" or "lonlat"; throws kInvalidArgument otherwise.
PointUnits ParsePointUnits(std::string_view name);

struct PixelPoint {
  int column = 0;
  int row = 0;
  friend bool operator==(const PixelPoint&, const PixelPoint&) = default;
};

// The pixels of `points` ((x, y) pairs in `units`). Throws kInvalidArgument naming the point
// (`label` + its 1-based number, e.g. "point B3") and its value when it lies outside the map,
// or when lon/lat is asked of a map without georeferencing.
std::vector<PixelPoint> LocatePoints(const ProbabilityMap& map, std::span<const Point2> points,
                                     PointUnits units, std::string_view label);

// The (lon, lat) of each pixel centre; empty when the map is not georeferenced.
std::vector<Point2> PixelCentresLonLat(const ProbabilityMap& map,
                                       std::span<const PixelPoint> pixels);

// Reads (x, y) pairs from a flat list x1,y1,x2,y2,...; throws kInvalidArgument naming `what`
// when the count is odd.
std::vector<Point2> PairUp(std::span<const double> flat, std::string_view what);

}  // namespace rb::geo
