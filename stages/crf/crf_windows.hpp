// rb-crf's inputs window by window: the probabilities (checked, nodata as NaN), the image bands
// of the appearance kernel and the bands shown in the comparison picture.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "common/geo/raster.hpp"
#include "common/geo/raster_io.hpp"

namespace rb::crf {

// A tile (`core`, written out) and the window read around it (`context`, core plus margin,
// clipped to the raster).
struct WindowPlan {
  geo::PixelWindow core;
  geo::PixelWindow context;
};

// One window covering everything when width and height are <= tile; otherwise a grid of tiles
// of at most tile x tile pixels with `margin` pixels of context on each side.
std::vector<WindowPlan> PlanWindows(int width, int height, int tile, int margin);

// The `plan.core` part of a raster read over `plan.context` (georeference of the core).
geo::Raster Crop(geo::Raster window, const WindowPlan& plan);

struct SourceWindow {
  geo::Raster probability;             // float32, input bands; NaN = nodata
  std::optional<geo::Raster> image;    // float32, selected bands; NaN where all are nodata
  std::optional<geo::Raster> display;  // float32, up to 3 bands for pictures (R, G, B or grey)
};

class WindowSource {
 public:
  // `image` may be empty (no appearance kernel). `bands`: rb-prep's selection syntax, names
  // resolved against the image's band descriptions when it has them. Throws kInvalidArgument
  // when the image is not on the probabilities' grid or a band is missing, kIo when a file
  // cannot be read.
  WindowSource(const std::filesystem::path& prob, const std::filesystem::path& image,
               std::string_view bands);

  const geo::RasterInfo& info() const { return prob_.info(); }
  // Bands of the appearance kernel (0 without an image).
  int image_bands() const { return static_cast<int>(bands_.size()); }

  // Reads a window. Throws kNumerical naming the file and pixel (column, row of the whole
  // raster) of the first probability outside [0, 1].
  SourceWindow Read(const geo::PixelWindow& window, bool display) const;

 private:
  geo::RasterReader prob_;
  std::optional<geo::RasterReader> image_;
  std::vector<int> bands_;          // 1-based, of the image
  std::vector<int> display_bands_;  // 1-based, of the image
};

}  // namespace rb::crf
