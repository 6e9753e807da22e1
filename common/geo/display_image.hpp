// 8-bit RGB pictures of rasters, as backgrounds for the PNG overlays people look at (connectivity
// heatmaps, routes, policy arrows). Not for analysis: values are stretched for the eye.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "common/geo/probability_map.hpp"

namespace rb::geo {

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // (height, width, 3) row-major, R G B
};

// The image at `path` on a width x height grid: Byte rasters as they are, other types stretched
// per band between the 2nd and 98th percentile of their valid samples. Bands: 8-band WorldView-3
// MUL as 5,3,2 (true colour), else 1,2,3, and one band as grey. Throws kInvalidArgument when the
// raster is not width x height pixels.
RgbImage ReadDisplayImage(const std::filesystem::path& path, int width, int height);

// The probability map in grey (0 black .. 1 white), nodata dark blue.
RgbImage ProbabilityDisplay(const ProbabilityMap& map);

}  // namespace rb::geo
