#include "common/geo/raster_io.hpp"

#include <cpl_string.h>
#include <gdal_priv.h>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "common/geo/gdal_env.hpp"

namespace rb::geo {
namespace {

std::optional<PixelType> FromGdal(GDALDataType type) {
  switch (type) {
    case GDT_Byte:
      return PixelType::kUInt8;
    case GDT_UInt16:
      return PixelType::kUInt16;
    case GDT_Int16:
      return PixelType::kInt16;
    case GDT_UInt32:
      return PixelType::kUInt32;
    case GDT_Int32:
      return PixelType::kInt32;
    case GDT_Float32:
      return PixelType::kFloat32;
    case GDT_Float64:
      return PixelType::kFloat64;
    default:
      return std::nullopt;
  }
}

GDALDataType ToGdal(PixelType type) {
  switch (type) {
    case PixelType::kUInt8:
      return GDT_Byte;
    case PixelType::kUInt16:
      return GDT_UInt16;
    case PixelType::kInt16:
      return GDT_Int16;
    case PixelType::kUInt32:
      return GDT_UInt32;
    case PixelType::kInt32:
      return GDT_Int32;
    case PixelType::kFloat32:
      return GDT_Float32;
    case PixelType::kFloat64:
      return GDT_Float64;
  }
  return GDT_Unknown;
}

GDALDatasetUniquePtr OpenRaster(const std::filesystem::path& path, GdalErrorTrap& trap) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    Throw(ErrorCode::kIo, "cannot open raster '{}': no such file", path.string());
  }
  GDALDatasetUniquePtr dataset(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (!dataset) ThrowGdalError(trap, "cannot open raster", path);
  if (dataset->GetRasterCount() == 0) {
    Throw(ErrorCode::kIo, "'{}' has no raster bands", path.string());
  }
  return dataset;
}

RasterInfo InfoOf(GDALDataset& dataset, const std::filesystem::path& path) {
  RasterInfo info;
  info.width = dataset.GetRasterXSize();
  info.height = dataset.GetRasterYSize();
  info.bands = dataset.GetRasterCount();
  GDALRasterBand* first = dataset.GetRasterBand(1);
  std::optional<PixelType> type = FromGdal(first->GetRasterDataType());
  if (!type) {
    Throw(ErrorCode::kIo, "raster '{}' has sample type {}, which roadbrew does not read",
          path.string(), GDALGetDataTypeName(first->GetRasterDataType()));
  }
  for (int b = 2; b <= info.bands; ++b) {
    if (dataset.GetRasterBand(b)->GetRasterDataType() != first->GetRasterDataType()) {
      Throw(ErrorCode::kIo, "raster '{}' mixes sample types across bands", path.string());
    }
  }
  info.type = *type;
  std::array<double, 6> gt{};
  if (dataset.GetGeoTransform(gt.data()) == CE_None) info.georef.transform = GeoTransform(gt);
  if (const OGRSpatialReference* srs = dataset.GetSpatialRef()) {
    char* wkt = nullptr;
    const char* options[] = {"FORMAT=WKT2_2019", nullptr};
    if (srs->exportToWkt(&wkt, options) == OGRERR_NONE && wkt != nullptr) info.georef.crs_wkt = wkt;
    CPLFree(wkt);
  }
  int has_nodata = 0;
  double nodata = first->GetNoDataValue(&has_nodata);
  if (has_nodata) info.nodata = nodata;
  bool any_name = false;
  for (int b = 1; b <= info.bands; ++b) {
    std::string name = dataset.GetRasterBand(b)->GetDescription();
    any_name = any_name || !name.empty();
    info.band_names.push_back(std::move(name));
  }
  if (!any_name) info.band_names.clear();
  first->GetBlockSize(&info.block_width, &info.block_height);
  info.driver = dataset.GetDriverName();
  return info;
}

}  // namespace

RasterInfo ReadRasterInfo(const std::filesystem::path& path) {
  GdalErrorTrap trap;
  GDALDatasetUniquePtr dataset = OpenRaster(path, trap);
  return InfoOf(*dataset, path);
}

void RequireGeoreferenced(const RasterInfo& info, const std::filesystem::path& path) {
  if (info.georef.crs_wkt.empty()) {
    Throw(ErrorCode::kIo, "raster '{}' has no CRS: cannot place it on the ground", path.string());
  }
  if (!info.georef.transform) {
    Throw(ErrorCode::kIo, "raster '{}' has no geotransform: cannot place it on the ground",
          path.string());
  }
}

Raster ReadRaster(const std::filesystem::path& path, const RasterReadOptions& options) {
  GdalErrorTrap trap;
  GDALDatasetUniquePtr dataset = OpenRaster(path, trap);
  RasterInfo info = InfoOf(*dataset, path);

  PixelWindow window = options.window.value_or(PixelWindow{0, 0, info.width, info.height});
  if (window.width <= 0 || window.height <= 0 || window.column < 0 || window.row < 0 ||
      window.column + window.width > info.width || window.row + window.height > info.height) {
    Throw(ErrorCode::kInvalidArgument,
          "window {}x{} at ({}, {}) is outside raster '{}' of {}x{} pixels", window.width,
          window.height, window.column, window.row, path.string(), info.width, info.height);
  }
  std::vector<int> bands = options.bands;
  if (bands.empty()) {
    for (int b = 1; b <= info.bands; ++b) bands.push_back(b);
  }
  for (int b : bands) {
    if (b < 1 || b > info.bands) {
      Throw(ErrorCode::kInvalidArgument, "band {} does not exist in '{}' ({} bands)", b,
            path.string(), info.bands);
    }
  }

  PixelType type = options.as_type.value_or(info.type);
  Raster raster(type, static_cast<int>(bands.size()), window.height, window.width);
  size_t sample = PixelTypeSize(type);
  CPLErr status = dataset->RasterIO(
      GF_Read, window.column, window.row, window.width, window.height, raster.bytes().data(),
      window.width, window.height, ToGdal(type), static_cast<int>(bands.size()), bands.data(),
      static_cast<GSpacing>(sample), static_cast<GSpacing>(sample) * window.width,
      static_cast<GSpacing>(raster.band_pixels() * sample), nullptr);
  if (status != CE_None) ThrowGdalError(trap, "cannot read pixels of", path);

  raster.georef.crs_wkt = info.georef.crs_wkt;
  if (info.georef.transform) {
    raster.georef.transform = info.georef.transform->Window(window.column, window.row);
  }
  raster.nodata = info.nodata;
  if (!info.band_names.empty()) {
    for (int b : bands) raster.band_names.push_back(info.band_names[b - 1]);
  }
  return raster;
}

void WriteGeoTiff(const std::filesystem::path& path, const Raster& raster,
                  const RasterWriteOptions& options) {
  RB_CHECK_ARG(!raster.empty(), "cannot write an empty raster to '{}'", path.string());
  RB_CHECK_ARG(
      raster.band_names.empty() || static_cast<int>(raster.band_names.size()) == raster.bands(),
      "raster has {} bands but {} band names", raster.bands(), raster.band_names.size());
  GdalErrorTrap trap;
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  RB_CHECK(driver != nullptr);

  CPLStringList creation;
  creation.SetNameValue("COMPRESS", options.compress.c_str());
  if (options.tiled) {
    creation.SetNameValue("TILED", "YES");
    creation.SetNameValue("BLOCKXSIZE", fmt::format("{}", options.block_size).c_str());
    creation.SetNameValue("BLOCKYSIZE", fmt::format("{}", options.block_size).c_str());
  }
  if (options.compress != "NONE") {
    bool floating = raster.type() == PixelType::kFloat32 || raster.type() == PixelType::kFloat64;
    int predictor = options.predictor != 0 ? options.predictor : (floating ? 3 : 2);
    creation.SetNameValue("PREDICTOR", fmt::format("{}", predictor).c_str());
  }
  if (raster.bands() > 1) creation.SetNameValue("INTERLEAVE", "BAND");
  creation.SetNameValue("BIGTIFF", "IF_SAFER");
  for (const std::string& option : options.creation_options) creation.AddString(option.c_str());

  GDALDatasetUniquePtr dataset(driver->Create(path.c_str(), raster.width(), raster.height(),
                                              raster.bands(), ToGdal(raster.type()),
                                              creation.List()));
  if (!dataset) ThrowGdalError(trap, "cannot create GeoTIFF", path);
  if (raster.georef.transform) {
    std::array<double, 6> gt = raster.georef.transform->coefficients();
    if (dataset->SetGeoTransform(gt.data()) != CE_None) {
      ThrowGdalError(trap, "cannot set the geotransform of", path);
    }
  }
  if (!raster.georef.crs_wkt.empty()) {
    OGRSpatialReference srs;
    if (srs.importFromWkt(raster.georef.crs_wkt.c_str()) != OGRERR_NONE ||
        dataset->SetSpatialRef(&srs) != CE_None) {
      ThrowGdalError(trap, "cannot set the CRS of", path);
    }
  }
  for (int b = 1; b <= raster.bands(); ++b) {
    GDALRasterBand* band = dataset->GetRasterBand(b);
    if (raster.nodata && band->SetNoDataValue(*raster.nodata) != CE_None) {
      ThrowGdalError(trap, "cannot set the nodata value of", path);
    }
    if (!raster.band_names.empty()) band->SetDescription(raster.band_names[b - 1].c_str());
  }
  size_t sample = PixelTypeSize(raster.type());
  CPLErr status = dataset->RasterIO(GF_Write, 0, 0, raster.width(), raster.height(),
                                    const_cast<std::byte*>(raster.bytes().data()), raster.width(),
                                    raster.height(), ToGdal(raster.type()), raster.bands(), nullptr,
                                    static_cast<GSpacing>(sample),
                                    static_cast<GSpacing>(sample) * raster.width(),
                                    static_cast<GSpacing>(raster.band_pixels() * sample), nullptr);
  if (status != CE_None) ThrowGdalError(trap, "cannot write pixels to", path);
  // Closing flushes compressed blocks; a failure there (disk full) is a write error too.
  CPLErrorReset();
  dataset.reset();
  if (CPLGetLastErrorType() == CE_Failure || !trap.last_error().empty()) {
    ThrowGdalError(trap, "cannot finish writing", path);
  }
}

}  // namespace rb::geo
