#include "common/geo/raster_io.hpp"

#include <cpl_string.h>
#include <gdal_priv.h>
#include <gdal_utils.h>

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

Resampling ParseResampling(std::string_view name) {
  if (name == "nearest") return Resampling::kNearest;
  if (name == "bilinear") return Resampling::kBilinear;
  if (name == "cubic") return Resampling::kCubic;
  if (name == "lanczos") return Resampling::kLanczos;
  if (name == "average") return Resampling::kAverage;
  Throw(ErrorCode::kInvalidArgument,
        "unknown resampling '{}' (nearest, bilinear, cubic, lanczos, average)", name);
}

namespace {
const char* GdalResamplingName(Resampling resampling) {
  switch (resampling) {
    case Resampling::kNearest:
      return "near";
    case Resampling::kBilinear:
      return "bilinear";
    case Resampling::kCubic:
      return "cubic";
    case Resampling::kLanczos:
      return "lanczos";
    case Resampling::kAverage:
      return "average";
  }
  return "near";
}
}  // namespace

struct RasterReader::Datasets {
  GDALDatasetUniquePtr source;
  GDALDatasetUniquePtr warped;  // a VRT over `source`, when warping
  GDALDataset& active() const { return warped ? *warped : *source; }
};

RasterReader::RasterReader(RasterReader&&) noexcept = default;
RasterReader& RasterReader::operator=(RasterReader&&) noexcept = default;
RasterReader::~RasterReader() = default;

RasterReader RasterReader::Open(const std::filesystem::path& path) {
  GdalErrorTrap trap;
  RasterReader reader;
  reader.path_ = path;
  reader.datasets_ = std::make_unique<Datasets>();
  reader.datasets_->source = OpenRaster(path, trap);
  reader.info_ = InfoOf(*reader.datasets_->source, path);
  return reader;
}

RasterReader RasterReader::OpenWarped(const std::filesystem::path& path, const WarpSpec& warp) {
  RasterReader reader = Open(path);
  RB_CHECK_ARG(warp.resolution == 0 || (warp.width == 0 && warp.height == 0),
               "a warp sets either a resolution or a size, not both");
  RB_CHECK_ARG((warp.width == 0) == (warp.height == 0), "a warp size needs a width and a height");
  RB_CHECK_ARG(warp.resolution >= 0 && warp.width >= 0 && warp.height >= 0,
               "warp resolution and size must be positive");
  if (warp.target_crs.empty() && warp.resolution == 0 && warp.width == 0) return reader;
  if (!warp.target_crs.empty() || reader.info_.georef.crs_wkt.empty()) {
    RequireGeoreferenced(reader.info_, path);
  }
  std::vector<std::string> args = {"-of", "VRT", "-r", GdalResamplingName(warp.resampling)};
  if (!warp.target_crs.empty()) args.insert(args.end(), {"-t_srs", warp.target_crs});
  if (warp.resolution > 0) {
    std::string r = fmt::format("{:.17g}", warp.resolution);
    args.insert(args.end(), {"-tr", r, r});
  }
  if (warp.width > 0) {
    args.insert(args.end(), {"-ts", std::to_string(warp.width), std::to_string(warp.height)});
  }
  CPLStringList argv;
  for (const std::string& arg : args) argv.AddString(arg.c_str());
  GdalErrorTrap trap;
  GDALWarpAppOptions* options = GDALWarpAppOptionsNew(argv.List(), nullptr);
  RB_CHECK(options != nullptr);
  GDALDatasetH source = GDALDataset::ToHandle(reader.datasets_->source.get());
  int usage_error = 0;
  GDALDatasetH warped = GDALWarp("", nullptr, 1, &source, options, &usage_error);
  GDALWarpAppOptionsFree(options);
  if (warped == nullptr) ThrowGdalError(trap, "cannot warp", path);
  reader.datasets_->warped.reset(GDALDataset::FromHandle(warped));
  reader.info_ = InfoOf(*reader.datasets_->warped, path);
  return reader;
}

Raster RasterReader::Read(const RasterReadOptions& options) const {
  GdalErrorTrap trap;
  const RasterInfo& info = info_;
  PixelWindow window = options.window.value_or(PixelWindow{0, 0, info.width, info.height});
  if (window.width <= 0 || window.height <= 0 || window.column < 0 || window.row < 0 ||
      window.column + window.width > info.width || window.row + window.height > info.height) {
    Throw(ErrorCode::kInvalidArgument,
          "window {}x{} at ({}, {}) is outside raster '{}' of {}x{} pixels", window.width,
          window.height, window.column, window.row, path_.string(), info.width, info.height);
  }
  std::vector<int> bands = options.bands;
  if (bands.empty()) {
    for (int b = 1; b <= info.bands; ++b) bands.push_back(b);
  }
  for (int b : bands) {
    if (b < 1 || b > info.bands) {
      Throw(ErrorCode::kInvalidArgument, "band {} does not exist in '{}' ({} bands)", b,
            path_.string(), info.bands);
    }
  }
  PixelType type = options.as_type.value_or(info.type);
  Raster raster(type, static_cast<int>(bands.size()), window.height, window.width);
  size_t sample = PixelTypeSize(type);
  CPLErr status = datasets_->active().RasterIO(
      GF_Read, window.column, window.row, window.width, window.height, raster.bytes().data(),
      window.width, window.height, ToGdal(type), static_cast<int>(bands.size()), bands.data(),
      static_cast<GSpacing>(sample), static_cast<GSpacing>(sample) * window.width,
      static_cast<GSpacing>(raster.band_pixels() * sample), nullptr);
  if (status != CE_None) ThrowGdalError(trap, "cannot read pixels of", path_);

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

Raster ReadRaster(const std::filesystem::path& path, const RasterReadOptions& options) {
  return RasterReader::Open(path).Read(options);
}

struct GeoTiffWriter::Dataset {
  GDALDatasetUniquePtr handle;
};

GeoTiffWriter::GeoTiffWriter(const std::filesystem::path& path, const Layout& layout,
                             const RasterWriteOptions& options)
    : dataset_(std::make_unique<Dataset>()), path_(path), layout_(layout) {
  RB_CHECK_ARG(layout.width > 0 && layout.height > 0 && layout.bands > 0,
               "cannot write an empty raster to '{}'", path.string());
  RB_CHECK_ARG(
      layout.band_names.empty() || static_cast<int>(layout.band_names.size()) == layout.bands,
      "raster has {} bands but {} band names", layout.bands, layout.band_names.size());
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
    bool floating = layout.type == PixelType::kFloat32 || layout.type == PixelType::kFloat64;
    int predictor = options.predictor != 0 ? options.predictor : (floating ? 3 : 2);
    creation.SetNameValue("PREDICTOR", fmt::format("{}", predictor).c_str());
  }
  if (layout.bands > 1) creation.SetNameValue("INTERLEAVE", "BAND");
  creation.SetNameValue("BIGTIFF", "IF_SAFER");
  for (const std::string& option : options.creation_options) creation.AddString(option.c_str());

  dataset_->handle.reset(driver->Create(path.c_str(), layout.width, layout.height, layout.bands,
                                        ToGdal(layout.type), creation.List()));
  GDALDataset* dataset = dataset_->handle.get();
  if (!dataset) ThrowGdalError(trap, "cannot create GeoTIFF", path);
  if (layout.georef.transform) {
    std::array<double, 6> gt = layout.georef.transform->coefficients();
    if (dataset->SetGeoTransform(gt.data()) != CE_None) {
      ThrowGdalError(trap, "cannot set the geotransform of", path);
    }
  }
  if (!layout.georef.crs_wkt.empty()) {
    OGRSpatialReference srs;
    if (srs.importFromWkt(layout.georef.crs_wkt.c_str()) != OGRERR_NONE ||
        dataset->SetSpatialRef(&srs) != CE_None) {
      ThrowGdalError(trap, "cannot set the CRS of", path);
    }
  }
  for (int b = 1; b <= layout.bands; ++b) {
    GDALRasterBand* band = dataset->GetRasterBand(b);
    if (layout.nodata && band->SetNoDataValue(*layout.nodata) != CE_None) {
      ThrowGdalError(trap, "cannot set the nodata value of", path);
    }
    if (!layout.band_names.empty()) band->SetDescription(layout.band_names[b - 1].c_str());
  }
}

GeoTiffWriter::~GeoTiffWriter() {
  if (dataset_->handle) {
    GdalErrorTrap trap;  // errors on this path are already being reported
    dataset_->handle.reset();
  }
}

void GeoTiffWriter::Write(const Raster& window, int column, int row) {
  RB_CHECK_ARG(window.type() == layout_.type && window.bands() == layout_.bands,
               "window of {} {} bands does not fit '{}' ({} {} bands)", window.bands(),
               PixelTypeName(window.type()), path_.string(), layout_.bands,
               PixelTypeName(layout_.type));
  RB_CHECK_ARG(column >= 0 && row >= 0 && column + window.width() <= layout_.width &&
                   row + window.height() <= layout_.height,
               "window {}x{} at ({}, {}) is outside '{}'", window.width(), window.height(), column,
               row, path_.string());
  RB_CHECK(dataset_->handle);
  GdalErrorTrap trap;
  size_t sample = PixelTypeSize(window.type());
  CPLErr status = dataset_->handle->RasterIO(
      GF_Write, column, row, window.width(), window.height(),
      const_cast<std::byte*>(window.bytes().data()), window.width(), window.height(),
      ToGdal(window.type()), window.bands(), nullptr, static_cast<GSpacing>(sample),
      static_cast<GSpacing>(sample) * window.width(),
      static_cast<GSpacing>(window.band_pixels() * sample), nullptr);
  if (status != CE_None) ThrowGdalError(trap, "cannot write pixels to", path_);
}

void GeoTiffWriter::Close() {
  RB_CHECK(dataset_->handle);
  GdalErrorTrap trap;
  // Closing flushes compressed blocks; a failure there (disk full) is a write error too.
  CPLErrorReset();
  dataset_->handle.reset();
  if (CPLGetLastErrorType() == CE_Failure || !trap.last_error().empty()) {
    ThrowGdalError(trap, "cannot finish writing", path_);
  }
}

void WriteGeoTiff(const std::filesystem::path& path, const Raster& raster,
                  const RasterWriteOptions& options) {
  RB_CHECK_ARG(!raster.empty(), "cannot write an empty raster to '{}'", path.string());
  GeoTiffWriter writer(path,
                       {raster.width(), raster.height(), raster.bands(), raster.type(),
                        raster.georef, raster.nodata, raster.band_names},
                       options);
  writer.Write(raster, 0, 0);
  writer.Close();
}

}  // namespace rb::geo
