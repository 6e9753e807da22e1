// Raster files through GDAL: metadata, whole or windowed reads of chosen bands, and tiled,
// compressed GeoTIFF writes. Georeference and nodata travel unchanged.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/geo/raster.hpp"

namespace rb::geo {

struct PixelWindow {
  int column = 0;
  int row = 0;
  int width = 0;
  int height = 0;
};

struct RasterInfo {
  int width = 0;
  int height = 0;
  int bands = 0;
  PixelType type = PixelType::kUInt8;
  GeoReference georef;
  std::optional<double> nodata;  // of band 1
  std::vector<std::string> band_names;
  int block_width = 0;
  int block_height = 0;
  std::string driver;
};

// Throws kIo naming the file when it is missing, not a raster GDAL can read, or of a sample type
// roadbrew does not handle (complex, 64-bit integers).
RasterInfo ReadRasterInfo(const std::filesystem::path& path);

struct RasterReadOptions {
  std::optional<PixelWindow> window;  // whole raster when absent; must lie inside it
  std::vector<int> bands;             // 1-based band numbers; all bands when empty
  std::optional<PixelType> as_type;   // convert samples (GDAL's rules) instead of the file's type
};

// Reads samples; the result's geotransform is that of the window.
Raster ReadRaster(const std::filesystem::path& path, const RasterReadOptions& options = {});

// Throws kIo "raster 'x' has no CRS" / "no geotransform" when georeferencing is missing.
void RequireGeoreferenced(const RasterInfo& info, const std::filesystem::path& path);

struct RasterWriteOptions {
  std::string compress = "DEFLATE";  // NONE, LZW, DEFLATE, ZSTD
  bool tiled = true;
  int block_size = 256;
  // 0: horizontal differencing (2) for integers, floating point (3) for floats, when compressed.
  int predictor = 0;
  std::vector<std::string> creation_options;  // extra "KEY=VALUE" GTiff options
};

// Writes a GeoTIFF to `path` directly (callers provide atomicity, e.g. the driver's temp path).
void WriteGeoTiff(const std::filesystem::path& path, const Raster& raster,
                  const RasterWriteOptions& options = {});

}  // namespace rb::geo
