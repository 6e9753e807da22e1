#include "stages/crf/crf_windows.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "common/core/check.hpp"
#include "common/geo/bands.hpp"

namespace rb::crf {
namespace fs = std::filesystem;
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Geotransforms equal to a thousandth of a pixel (origins) and 1e-6 (sizes and rotations).
bool SameGrid(const geo::GeoReference& a, const geo::GeoReference& b) {
  if (!a.transform || !b.transform) return true;
  const auto& x = a.transform->coefficients();
  const auto& y = b.transform->coefficients();
  const double pixel = std::max(std::abs(x[1]), std::abs(x[5]));
  for (int k : {0, 3}) {
    if (std::abs(x[k] - y[k]) > 1e-3 * pixel) return false;
  }
  for (int k : {1, 2, 4, 5}) {
    if (std::abs(x[k] - y[k]) > 1e-6 * pixel) return false;
  }
  return true;
}

// WorldView-3 Red, Green, Blue by name when the image has them; else its first bands.
std::vector<int> DisplayBands(const geo::RasterInfo& info, const std::vector<int>& selected) {
  std::vector<int> rgb;
  for (const char* wanted : {"red", "green", "blue"}) {
    for (size_t b = 0; b < info.band_names.size(); ++b) {
      if (Lower(info.band_names[b]) == wanted) rgb.push_back(static_cast<int>(b) + 1);
    }
  }
  if (rgb.size() == 3) return rgb;
  return {selected.begin(), selected.begin() + std::min<size_t>(3, selected.size())};
}

// Pixels whose bands all equal the nodata value become NaN in every band.
void MarkNodata(geo::Raster& raster, std::optional<double> nodata) {
  if (!nodata || std::isnan(*nodata)) return;
  const float value = static_cast<float>(*nodata);
  for (size_t i = 0; i < raster.band_pixels(); ++i) {
    bool empty = true;
    for (int b = 0; b < raster.bands() && empty; ++b) empty = raster.Band<float>(b)[i] == value;
    if (!empty) continue;
    for (int b = 0; b < raster.bands(); ++b) raster.Band<float>(b)[i] = kNaN;
  }
}

}  // namespace

std::vector<WindowPlan> PlanWindows(int width, int height, int tile, int margin) {
  RB_CHECK_ARG(tile > 0 && margin >= 0, "tile {} must be > 0 and margin {} >= 0", tile, margin);
  if (width <= tile && height <= tile) {
    geo::PixelWindow all{0, 0, width, height};
    return {{all, all}};
  }
  std::vector<WindowPlan> plans;
  for (int row = 0; row < height; row += tile) {
    for (int column = 0; column < width; column += tile) {
      geo::PixelWindow core{column, row, std::min(tile, width - column),
                            std::min(tile, height - row)};
      const int c0 = std::max(0, column - margin);
      const int r0 = std::max(0, row - margin);
      const int c1 = std::min(width, core.column + core.width + margin);
      const int r1 = std::min(height, core.row + core.height + margin);
      plans.push_back({core, {c0, r0, c1 - c0, r1 - r0}});
    }
  }
  return plans;
}

geo::Raster Crop(geo::Raster window, const WindowPlan& plan) {
  const geo::PixelWindow& core = plan.core;
  const int dc = core.column - plan.context.column;
  const int dr = core.row - plan.context.row;
  if (dc == 0 && dr == 0 && core.width == window.width() && core.height == window.height()) {
    return window;
  }
  geo::Raster out(window.type(), window.bands(), core.height, core.width);
  out.nodata = window.nodata;
  out.band_names = window.band_names;
  if (window.georef.transform) out.georef.transform = window.georef.transform->Window(dc, dr);
  out.georef.crs_wkt = window.georef.crs_wkt;
  const size_t sample = geo::PixelTypeSize(window.type());
  for (int b = 0; b < window.bands(); ++b) {
    for (int r = 0; r < core.height; ++r) {
      const size_t src =
          ((static_cast<size_t>(b) * window.height() + dr + r) * window.width() + dc);
      const size_t dst = (static_cast<size_t>(b) * core.height + r) * core.width;
      std::copy_n(window.bytes().data() + src * sample, core.width * sample,
                  out.bytes().data() + dst * sample);
    }
  }
  return out;
}

WindowSource::WindowSource(const fs::path& prob, const fs::path& image, std::string_view bands)
    : prob_(geo::RasterReader::Open(prob)) {
  if (image.empty()) return;
  image_.emplace(geo::RasterReader::Open(image));
  const geo::RasterInfo& p = prob_.info();
  const geo::RasterInfo& i = image_->info();
  RB_CHECK_ARG(p.width == i.width && p.height == i.height && SameGrid(p.georef, i.georef),
               "image '{}' ({}x{}) is not on the grid of probabilities '{}' ({}x{})",
               image.string(), i.width, i.height, prob.string(), p.width, p.height);
  try {
    bands_ = i.band_names.empty() ? geo::ParseBandSelection(bands, i.bands)
                                  : geo::SelectNamedBands(bands, i.band_names);
  } catch (const Error& error) {
    Throw(ErrorCode::kInvalidArgument, "--bands of image '{}': {}", image.string(), error.what());
  }
  display_bands_ = DisplayBands(i, bands_);
}

SourceWindow WindowSource::Read(const geo::PixelWindow& window, bool display) const {
  SourceWindow out;
  out.probability = prob_.Read({.window = window, .as_type = geo::PixelType::kFloat32});
  const std::optional<double> nodata = prob_.info().nodata;
  for (int b = 0; b < out.probability.bands(); ++b) {
    std::span<float> values = out.probability.Band<float>(b);
    for (size_t k = 0; k < values.size(); ++k) {
      float& v = values[k];
      if (nodata && !std::isnan(*nodata) && v == static_cast<float>(*nodata)) v = kNaN;
      if (std::isnan(v) || (v >= 0.0f && v <= 1.0f)) continue;
      Throw(ErrorCode::kNumerical,
            "probability {} at (col {}, row {}) of band {} of '{}' is "
            "outside [0, 1]",
            v, window.column + k % window.width, window.row + k / window.width, b + 1,
            prob_.path().string());
    }
  }
  if (!image_) return out;
  out.image =
      image_->Read({.window = window, .bands = bands_, .as_type = geo::PixelType::kFloat32});
  MarkNodata(*out.image, image_->info().nodata);
  if (display) {
    out.display = image_->Read(
        {.window = window, .bands = display_bands_, .as_type = geo::PixelType::kFloat32});
    MarkNodata(*out.display, image_->info().nodata);
  }
  return out;
}

}  // namespace rb::crf
