#include "common/geo/probability_map.hpp"

#include <limits>

#include "common/core/check.hpp"
#include "common/geo/crs.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/npy.hpp"

namespace rb::geo {
namespace fs = std::filesystem;
namespace {

// Checks every sample; the first bad one is reported with its place.
void Validate(const ProbabilityMap& map, bool nan_is_nodata) {
  for (size_t i = 0; i < map.p.size(); ++i) {
    float v = map.p[i];
    if (v >= 0.0f && v <= 1.0f) continue;
    int column = static_cast<int>(i % map.width), row = static_cast<int>(i / map.width);
    if (std::isnan(v)) {
      RB_CHECK_NUMERIC(nan_is_nodata,
                       "NaN at pixel (col {}, row {}) of '{}', which does not declare NaN as "
                       "nodata",
                       column, row, map.source);
      continue;
    }
    Throw(ErrorCode::kNumerical,
          "probability {} at pixel (col {}, row {}) of '{}' is outside [0, 1]", v, column, row,
          map.source);
  }
}

template <class Samples>
std::vector<float> ToFloat(const Samples& values) {
  std::vector<float> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) out[i] = static_cast<float>(values[i]);
  return out;
}

ProbabilityMap ReadNpyMap(const fs::path& path) {
  io::NpyArray array = io::ReadNpy(path);
  std::vector<int64_t> shape = array.shape;
  if (shape.size() == 3 && shape[0] == 1) shape.erase(shape.begin());
  RB_CHECK_IO(shape.size() == 2 && shape[0] > 0 && shape[1] > 0,
              "'{}' must hold a 2-D (height, width) array", path.string());
  RB_CHECK_IO(shape[0] < (1 << 30) && shape[1] < (1 << 30), "'{}' is too large", path.string());
  std::vector<float> values;
  switch (array.dtype) {
    case io::DType::kFloat32:
      values = ToFloat(array.as<float>());
      break;
    case io::DType::kFloat64:
      values = ToFloat(array.as<double>());
      break;
    case io::DType::kUInt8:
      values = ToFloat(array.as<uint8_t>());
      break;
    case io::DType::kBool:
      values = ToFloat(array.as<bool>());
      break;
    default:
      Throw(ErrorCode::kIo, "'{}' holds {} samples; probabilities must be float or a 0/1 mask",
            path.string(), io::DTypeName(array.dtype));
  }
  return MakeProbabilityMap(values, static_cast<int>(shape[1]), static_cast<int>(shape[0]),
                            /*nan_is_nodata=*/true, path.string());
}

}  // namespace

ProbabilityMap MakeProbabilityMap(std::span<const float> values, int width, int height,
                                  bool nan_is_nodata, std::string source, GeoReference georef) {
  RB_CHECK_ARG(width > 0 && height > 0, "'{}' is empty ({}x{})", source, width, height);
  RB_CHECK_EQ(values.size(), static_cast<size_t>(width) * height);
  ProbabilityMap map;
  map.width = width;
  map.height = height;
  map.p.assign(values.begin(), values.end());
  map.georef = std::move(georef);
  map.source = std::move(source);
  Validate(map, nan_is_nodata);
  for (float v : map.p) map.nodata_pixels += std::isnan(v);
  return map;
}

ProbabilityMap ReadProbabilityMap(const fs::path& path, int band) {
  if (path.extension() == ".npy") {
    RB_CHECK_ARG(band == 1, "'{}' is an NPY array: it has one band, not band {}", path.string(),
                 band);
    return ReadNpyMap(path);
  }
  RasterInfo info = ReadRasterInfo(path);
  RB_CHECK_ARG(band >= 1 && band <= info.bands, "'{}' has {} band(s), no band {}", path.string(),
               info.bands, band);
  Raster raster = ReadRaster(path, {.bands = {band}, .as_type = PixelType::kFloat64});
  auto samples = raster.Band<double>(0);
  std::optional<double> nodata = info.nodata;
  bool nan_nodata = nodata && std::isnan(*nodata);
  std::vector<float> values(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    double v = samples[i];
    bool missing = nodata && !nan_nodata && v == *nodata;
    values[i] = missing ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(v);
  }
  // A numeric nodata has been turned into NaN above; only a NaN nodata tag allows NaN samples.
  if (nodata && !nan_nodata) {
    for (size_t i = 0; i < samples.size(); ++i) {
      RB_CHECK_NUMERIC(!std::isnan(samples[i]),
                       "NaN at pixel (col {}, row {}) of '{}', whose nodata is {}, not NaN",
                       i % info.width, i / info.width, path.string(), *nodata);
    }
  }
  return MakeProbabilityMap(values, info.width, info.height, nodata.has_value(), path.string(),
                            info.georef);
}

PointUnits ParsePointUnits(std::string_view name) {
  if (name == "pixel") return PointUnits::kPixel;
  if (name == "lonlat") return PointUnits::kLonLat;
  Throw(ErrorCode::kInvalidArgument, "point units must be 'pixel' or 'lonlat', got '{}'", name);
}

std::vector<PixelPoint> LocatePoints(const ProbabilityMap& map, std::span<const Point2> points,
                                     PointUnits units, std::string_view label) {
  std::vector<PixelPoint> out;
  out.reserve(points.size());
  std::optional<CrsTransform> to_map;
  if (units == PointUnits::kLonLat && !points.empty()) {
    RB_CHECK_ARG(map.georef.complete(),
                 "{} points are given in lon/lat but '{}' has no georeferencing; give pixels",
                 label, map.source);
    to_map.emplace("OGC:CRS84", map.georef.crs_wkt);
  }
  for (size_t i = 0; i < points.size(); ++i) {
    Point2 p = points[i];
    double column = p.x, row = p.y;
    if (to_map) {
      Point2 pixel = map.georef.transform->GeoToPixel(to_map->Forward(p));
      column = std::floor(pixel.x);
      row = std::floor(pixel.y);
    } else {
      RB_CHECK_ARG(column == std::floor(column) && row == std::floor(row),
                   "{}{} = ({}, {}) must be integer pixel (col, row)", label, i + 1, p.x, p.y);
    }
    bool inside = column >= 0 && row >= 0 && column < map.width && row < map.height;
    if (!inside && to_map) {
      Throw(ErrorCode::kInvalidArgument,
            "{}{} = (lon {}, lat {}) falls at pixel (col {}, row {}), outside the {}x{} raster "
            "'{}'",
            label, i + 1, p.x, p.y, column, row, map.width, map.height, map.source);
    }
    RB_CHECK_ARG(inside, "{}{} = (col {}, row {}) is outside the {}x{} raster '{}'", label, i + 1,
                 column, row, map.width, map.height, map.source);
    out.push_back({static_cast<int>(column), static_cast<int>(row)});
  }
  return out;
}

std::vector<Point2> PixelCentresLonLat(const ProbabilityMap& map,
                                       std::span<const PixelPoint> pixels) {
  if (!map.georef.complete()) return {};
  CrsTransform to_lon_lat(map.georef.crs_wkt, "OGC:CRS84");
  std::vector<Point2> out;
  for (const PixelPoint& pixel : pixels) {
    Point2 geo = map.georef.transform->PixelToGeo({pixel.column + 0.5, pixel.row + 0.5});
    out.push_back(to_lon_lat.Forward(geo));
  }
  return out;
}

std::vector<Point2> PairUp(std::span<const double> flat, std::string_view what) {
  RB_CHECK_ARG(flat.size() % 2 == 0, "{} needs x,y pairs, got {} numbers", what, flat.size());
  std::vector<Point2> out;
  for (size_t i = 0; i < flat.size(); i += 2) out.push_back({flat[i], flat[i + 1]});
  return out;
}

}  // namespace rb::geo
