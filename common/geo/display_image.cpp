#include "common/geo/display_image.hpp"

#include <algorithm>
#include <cmath>

#include "common/core/check.hpp"
#include "common/geo/raster_io.hpp"

namespace rb::geo {
namespace {

// The [2%, 98%] range of the valid samples (NaN and nodata left out).
std::pair<double, double> StretchRange2to98(std::span<const double> samples,
                                            std::optional<double> nodata) {
  std::vector<double> valid;
  valid.reserve(samples.size());
  for (double v : samples) {
    if (!std::isnan(v) && !(nodata && v == *nodata)) valid.push_back(v);
  }
  if (valid.empty()) return {0.0, 1.0};
  auto at = [&](double fraction) {
    auto k = static_cast<size_t>(fraction * static_cast<double>(valid.size() - 1));
    std::nth_element(valid.begin(), valid.begin() + static_cast<ptrdiff_t>(k), valid.end());
    return valid[k];
  };
  double lo = at(0.02), hi = at(0.98);
  return {lo, hi > lo ? hi : lo + 1.0};
}

}  // namespace

RgbImage ReadDisplayImage(const std::filesystem::path& path, int width, int height) {
  RasterInfo info = ReadRasterInfo(path);
  RB_CHECK_ARG(info.width == width && info.height == height,
               "background image '{}' is {}x{}, the map is {}x{}", path.string(), info.width,
               info.height, width, height);
  std::vector<int> bands = info.bands >= 8   ? std::vector<int>{5, 3, 2}
                           : info.bands >= 3 ? std::vector<int>{1, 2, 3}
                                             : std::vector<int>{1, 1, 1};
  Raster raster = ReadRaster(path, {.bands = bands, .as_type = PixelType::kFloat64});
  RgbImage image{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  for (int b = 0; b < 3; ++b) {
    auto samples = raster.Band<double>(b);
    auto [lo, hi] = info.type == PixelType::kUInt8 ? std::pair<double, double>{0.0, 255.0}
                                                   : StretchRange2to98(samples, info.nodata);
    for (size_t i = 0; i < samples.size(); ++i) {
      double v = std::isnan(samples[i]) ? lo : samples[i];
      double scaled = std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
      image.rgb[i * 3 + b] = static_cast<uint8_t>(std::lround(255.0 * scaled));
    }
  }
  return image;
}

RgbImage ProbabilityDisplay(const ProbabilityMap& map) {
  RgbImage image{map.width, map.height, std::vector<uint8_t>(map.p.size() * 3)};
  for (size_t i = 0; i < map.p.size(); ++i) {
    if (map.IsNodata(i)) {
      image.rgb[i * 3] = 10;
      image.rgb[i * 3 + 1] = 20;
      image.rgb[i * 3 + 2] = 60;
      continue;
    }
    auto grey = static_cast<uint8_t>(std::lround(255.0f * map.p[i]));
    std::fill_n(image.rgb.begin() + static_cast<ptrdiff_t>(i * 3), 3, grey);
  }
  return image;
}

}  // namespace rb::geo
