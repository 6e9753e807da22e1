#include "stages/gridworld/gridworld_io.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/core/check.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/npy.hpp"

namespace rb::gridworld {
namespace fs = std::filesystem;
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Grid {
  int width = 0, height = 0;
  std::vector<double> values;  // NaN = nodata
};

template <class T>
void Append(const io::NpyArray& array, std::vector<double>& out) {
  for (T x : array.as<T>()) out.push_back(static_cast<double>(x));
}

Grid ReadNpyGrid(const fs::path& path) {
  io::NpyArray array = io::ReadNpy(path);
  RB_CHECK_IO(array.shape.size() == 2, "'{}' must hold a 2-D (height, width) array", path.string());
  Grid grid{static_cast<int>(array.shape[1]), static_cast<int>(array.shape[0]), {}};
  switch (array.dtype) {
    case io::DType::kBool:
      Append<bool>(array, grid.values);
      break;
    case io::DType::kUInt8:
      Append<uint8_t>(array, grid.values);
      break;
    case io::DType::kUInt16:
      Append<uint16_t>(array, grid.values);
      break;
    case io::DType::kInt32:
      Append<int32_t>(array, grid.values);
      break;
    case io::DType::kInt64:
      Append<int64_t>(array, grid.values);
      break;
    case io::DType::kFloat32:
      Append<float>(array, grid.values);
      break;
    case io::DType::kFloat64:
      Append<double>(array, grid.values);
      break;
  }
  return grid;
}

// Band 1 of a raster or a 2-D NPY as doubles, nodata as NaN.
Grid ReadGrid(const fs::path& path) {
  if (path.extension() == ".npy") return ReadNpyGrid(path);
  geo::RasterInfo info = geo::ReadRasterInfo(path);
  geo::Raster raster = geo::ReadRaster(path, {.bands = {1}, .as_type = geo::PixelType::kFloat64});
  Grid grid{info.width, info.height, {}};
  auto samples = raster.Band<double>(0);
  grid.values.assign(samples.begin(), samples.end());
  if (info.nodata) {
    for (double& x : grid.values) x = x == *info.nodata ? kNaN : x;
  }
  return grid;
}

template <class T>
void WriteGrid(const fs::path& path, std::span<const T> samples, const GridWorld& world,
               const geo::GeoReference& georef, double nodata, const char* name) {
  if (path.extension() == ".npy") {
    io::WriteNpy(path, io::NpyArray::From(samples, {world.height, world.width}));
    return;
  }
  geo::Raster raster(geo::PixelTypeOf<T>(), 1, world.height, world.width);
  std::copy(samples.begin(), samples.end(), raster.Band<T>(0).begin());
  raster.georef = georef;
  raster.nodata = nodata;
  raster.band_names = {name};
  geo::WriteGeoTiff(path, raster);
}

cv::Scalar Bgr(uint8_t r, uint8_t g, uint8_t b) { return cv::Scalar(b, g, r); }

// The background as a BGR canvas `scale` times the map's size, obstacle cells shaded.
cv::Mat Canvas(const geo::RgbImage& background, const GridWorld& world, int scale) {
  cv::Mat rgb(background.height, background.width, CV_8UC3,
              const_cast<uint8_t*>(background.rgb.data()));
  cv::Mat canvas;
  cv::cvtColor(rgb, canvas, cv::COLOR_RGB2BGR);
  const int cell = world.spec.cell;
  for (int y = 0; y < canvas.rows; ++y) {
    for (int x = 0; x < canvas.cols; ++x) {
      if (world.kind[world.Padded(x / cell, y / cell)] != CellKind::kObstacle) continue;
      cv::Vec3b& p = canvas.at<cv::Vec3b>(y, x);
      p = cv::Vec3b(p[0] / 3, p[1] / 3, static_cast<uint8_t>(p[2] / 3 + 110));
    }
  }
  if (scale > 1) cv::resize(canvas, canvas, {}, scale, scale, cv::INTER_NEAREST);
  return canvas;
}

}  // namespace

std::vector<uint8_t> ReadObstacleMask(const fs::path& path, const geo::ProbabilityMap& map) {
  Grid grid = ReadGrid(path);
  RB_CHECK_ARG(grid.width == map.width && grid.height == map.height,
               "obstacle raster '{}' is {}x{}, the probability map '{}' is {}x{}", path.string(),
               grid.width, grid.height, map.source, map.width, map.height);
  std::vector<uint8_t> mask(grid.values.size());
  for (size_t i = 0; i < mask.size(); ++i) mask[i] = !std::isnan(grid.values[i]) && grid.values[i];
  return mask;
}

std::vector<double> ReadCellValues(const fs::path& path, const GridWorld& world) {
  Grid grid = ReadGrid(path);
  RB_CHECK_ARG(grid.width == world.width && grid.height == world.height,
               "starting values '{}' are {}x{}, the cell grid is {}x{}", path.string(), grid.width,
               grid.height, world.width, world.height);
  for (int row = 0; row < world.height; ++row) {
    for (int column = 0; column < world.width; ++column) {
      double x = grid.values[static_cast<size_t>(row) * world.width + column];
      CellKind kind = world.kind[world.Padded(column, row)];
      bool needed = kind == CellKind::kOpen;
      RB_CHECK_ARG(std::isfinite(x) || !needed,
                   "starting value {} at cell (col {}, row {}) of '{}' is not finite", x, column,
                   row, path.string());
    }
  }
  return grid.values;
}

geo::GeoReference CellGeoReference(const geo::ProbabilityMap& map, int cell) {
  geo::GeoReference georef = map.georef;
  if (georef.transform && cell > 1) {
    georef.transform = georef.transform->Resampled(1.0 / cell, 1.0 / cell);
  }
  return georef;
}

void WriteValues(const fs::path& path, const GridSolution& solution, const GridWorld& world,
                 const geo::GeoReference& georef, bool float64) {
  if (float64) {
    WriteGrid<double>(path, solution.value, world, georef, kNaN, "value");
    return;
  }
  std::vector<float> values(solution.value.begin(), solution.value.end());
  WriteGrid<float>(path, values, world, georef, kNaN, "value");
}

void WritePolicy(const fs::path& path, const GridSolution& solution, const GridWorld& world,
                 const geo::GeoReference& georef) {
  WriteGrid<uint8_t>(path, solution.policy, world, georef, kNodataCode, "action");
}

void WriteQuiver(const fs::path& path, const geo::RgbImage& background, const GridWorld& world,
                 const GridSolution& solution, std::span<const geo::PixelPoint> goals,
                 int spacing) {
  const int cell = world.spec.cell;
  const int scale = std::max(1, 640 / std::max(background.width, background.height));
  if (spacing <= 0) {
    int pixels = std::max(8, std::max(background.width, background.height) / 48);
    spacing = std::max(1, (pixels + cell - 1) / cell);
  }
  cv::Mat canvas = Canvas(background, world, scale);
  const double block = static_cast<double>(spacing) * cell * scale;  // pixels between arrows
  const int thickness = std::max(1, static_cast<int>(std::lround(block / 12)));
  for (int row = spacing / 2; row < world.height; row += spacing) {
    for (int column = spacing / 2; column < world.width; column += spacing) {
      uint8_t code = solution.policy[static_cast<size_t>(row) * world.width + column];
      cv::Point2d centre((column + 0.5) * cell * scale, (row + 0.5) * cell * scale);
      if (code == kNoRouteCode) {
        cv::circle(canvas, centre, thickness + 1, Bgr(150, 150, 150), cv::FILLED, cv::LINE_AA);
      }
      if (code < 1 || code > 8) continue;
      Step step = StepOf(code);
      cv::Point2d d(step.dx, step.dy);
      d *= 0.4 * block / std::hypot(step.dx, step.dy);
      cv::arrowedLine(canvas, centre - d, centre + d, Bgr(0, 0, 0), thickness + 2, cv::LINE_AA, 0,
                      0.35);
      cv::arrowedLine(canvas, centre - d, centre + d, Bgr(255, 220, 0), thickness, cv::LINE_AA, 0,
                      0.35);
    }
  }
  for (const geo::PixelPoint& g : goals) {
    cv::Point2d centre((g.column + 0.5) * scale, (g.row + 0.5) * scale);
    int radius = std::max(6, static_cast<int>(block / 3));
    cv::circle(canvas, centre, radius + 2, Bgr(255, 255, 255), cv::FILLED, cv::LINE_AA);
    cv::circle(canvas, centre, radius, Bgr(230, 20, 20), cv::FILLED, cv::LINE_AA);
  }
  RB_CHECK_IO(cv::imwrite(path.string(), canvas), "cannot write quiver '{}'", path.string());
}

}  // namespace rb::gridworld
