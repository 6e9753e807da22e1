// rb-prep: imagery preparation for training and inference (the seed's section 2): band
// selection, percentile stretch to 8 bits with per-image or AOI-wide statistics, GDAL warps
// (resize, reprojection to the local UTM zone), and tiling with train/val/test splits by image.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/cli/stage.hpp"
#include "common/geo/raster.hpp"
#include "common/geo/raster_io.hpp"
#include "common/geo/stretch.hpp"

namespace rb::prep {

enum class OutputType { kByte, kUInt16, kFloat32 };

// Per-band histograms of `bands` (1-based) read window by window, ignoring `nodata`.
std::vector<geo::Histogram16> BandHistograms(const geo::RasterReader& reader,
                                             const std::vector<int>& bands,
                                             std::optional<uint16_t> nodata);

// Maps each band of `window` (UInt16 or Byte samples) through its range: Byte to 1..255 and
// UInt16 to 1..65535 with 0 for nodata (0..255 / 0..65535 when there is no nodata), Float32 to
// 0..1 with NaN for nodata. Bands are processed in parallel.
geo::Raster StretchWindow(const geo::Raster& window, const std::vector<geo::StretchRange>& ranges,
                          OutputType type, std::optional<uint16_t> nodata);

struct ImageSpec {
  std::string bands = "all";  // see geo::ParseBandSelection
  bool stretch = true;        // percentile stretch, or raw values
  double low_percent = 2;
  double high_percent = 98;
  std::optional<std::vector<geo::Histogram16>> aoi_histograms;  // per selected band
  OutputType type = OutputType::kByte;
  geo::WarpSpec warp;  // identity when empty
  bool utm = false;    // reproject to the local UTM zone (square metre pixels)
  std::string nodata = "auto";
};

struct ImageReport {
  std::vector<int> bands;
  std::vector<geo::StretchRange> ranges;  // empty without stretch
  int width = 0;
  int height = 0;
  std::string crs_wkt;
};

// Prepares `input` into a GeoTIFF at `output`, streaming windows so memory stays bounded.
ImageReport PrepareImage(const std::filesystem::path& input, const std::filesystem::path& output,
                         const ImageSpec& spec);

// `rb-prep list` (prep_list.cpp).
cli::StageDescriptor ListCommand();

cli::CommandSet PrepCommands();

}  // namespace rb::prep
