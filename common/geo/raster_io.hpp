// Raster files through GDAL: metadata, whole or windowed reads of chosen bands, and tiled,
// compressed GeoTIFF writes. Georeference and nodata travel unchanged.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

enum class Resampling { kNearest, kBilinear, kCubic, kLanczos, kAverage };
// "nearest", "bilinear", "cubic", "lanczos", "average"; throws kInvalidArgument otherwise.
Resampling ParseResampling(std::string_view name);

// A warp through GDAL's warper (gdalwarp's engine): reprojection, resizing or both.
struct WarpSpec {
  std::string target_crs;  // anything GDAL accepts ("EPSG:32611", WKT); "" keeps the source CRS
  double resolution = 0;   // square pixels of this size in target CRS units; 0: not set
  int width = 0;           // target size in pixels (with height); 0: not set
  int height = 0;
  Resampling resampling = Resampling::kBilinear;
};

// An open raster for repeated windowed reads, so memory stays bounded on scenes of any size.
// A warped reader is a lazily evaluated GDAL warped VRT: each read warps just its window.
// Not thread-safe: use one reader per thread.
class RasterReader {
 public:
  static RasterReader Open(const std::filesystem::path& path);
  static RasterReader OpenWarped(const std::filesystem::path& path, const WarpSpec& warp);
  RasterReader(RasterReader&&) noexcept;
  RasterReader& operator=(RasterReader&&) noexcept;
  ~RasterReader();

  const RasterInfo& info() const { return info_; }
  const std::filesystem::path& path() const { return path_; }
  Raster Read(const RasterReadOptions& options = {}) const;

 private:
  RasterReader() = default;
  struct Datasets;
  std::unique_ptr<Datasets> datasets_;
  std::filesystem::path path_;
  RasterInfo info_;
};

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

// A GeoTIFF written window by window. `layout` gives the size (width, height, bands), sample
// type, georeference, nodata and band names; its samples are not used.
class GeoTiffWriter {
 public:
  struct Layout {
    int width = 0;
    int height = 0;
    int bands = 0;
    PixelType type = PixelType::kUInt8;
    GeoReference georef;
    std::optional<double> nodata;
    std::vector<std::string> band_names;
  };
  GeoTiffWriter(const std::filesystem::path& path, const Layout& layout,
                const RasterWriteOptions& options = {});
  GeoTiffWriter(const GeoTiffWriter&) = delete;
  GeoTiffWriter& operator=(const GeoTiffWriter&) = delete;
  ~GeoTiffWriter();

  // Writes all bands of `window` with its upper-left corner at (column, row).
  void Write(const Raster& window, int column, int row);
  // Flushes and closes; throws kIo if GDAL could not finish the file.
  void Close();

 private:
  struct Dataset;
  std::unique_ptr<Dataset> dataset_;
  std::filesystem::path path_;
  Layout layout_;
};

}  // namespace rb::geo
