// rb-prep's commands for the driver: image, stats, tiles.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/geo/bands.hpp"
#include "common/geo/image_id.hpp"
#include "common/geo/nodata.hpp"
#include "common/geo/spacenet_dataset.hpp"
#include "common/io/files.hpp"
#include "common/io/json_config.hpp"
#include "stages/prep/prep.hpp"
#include "stages/prep/prep_tiles.hpp"

namespace rb::prep {
namespace fs = std::filesystem;
namespace {

constexpr int kStatsSchemaVersion = 1;
constexpr int kManifestSchemaVersion = 1;

OutputType ParseOutputType(const std::string& name) {
  if (name == "byte") return OutputType::kByte;
  if (name == "uint16") return OutputType::kUInt16;
  return OutputType::kFloat32;
}

// Per-band histograms saved by `rb-prep stats`, in the order of `bands`.
std::vector<geo::Histogram16> LoadHistograms(const fs::path& path, const std::vector<int>& bands) {
  nlohmann::json json = io::LoadJsonFile(path);
  io::ConfigReader reader(json, path.string());
  reader.CheckSchemaVersion(kStatsSchemaVersion);
  RB_CHECK_ARG(reader.Require<std::string>("kind") == "band_histograms",
               "'{}' is not an rb-prep stats file", path.string());
  auto stored = reader.Require<std::vector<int>>("bands");
  const nlohmann::json& histograms = reader.Raw("histograms");
  RB_CHECK_ARG(histograms.is_array() && histograms.size() == stored.size(),
               "'{}' holds {} histograms for {} bands", path.string(), histograms.size(),
               stored.size());
  std::vector<geo::Histogram16> out;
  for (int band : bands) {
    auto it = std::find(stored.begin(), stored.end(), band);
    if (it == stored.end()) {
      Throw(ErrorCode::kInvalidArgument, "stats file '{}' has no histogram for band {} (it has {})",
            path.string(), band, fmt::join(stored, ", "));
    }
    out.push_back(geo::Histogram16::FromJson(histograms[static_cast<size_t>(it - stored.begin())]));
  }
  return out;
}

nlohmann::json RunImage(const Params& params, cli::StageOutputs& outputs, RunContext&) {
  ImageSpec spec;
  fs::path input = params.GetPath("input");
  spec.bands = params.GetString("bands");
  spec.stretch = params.GetString("stretch") == "percentile";
  const auto& clip = params.GetFloatList("clip");
  RB_CHECK_ARG(clip.size() == 2 && clip[0] < clip[1], "--clip needs two percentiles low,high");
  spec.low_percent = clip[0];
  spec.high_percent = clip[1];
  spec.type = ParseOutputType(params.GetString("type"));
  spec.nodata = params.GetString("nodata");
  spec.utm = params.GetBool("utm");
  spec.warp.resampling = geo::ParseResampling(params.GetString("resample"));
  spec.warp.resolution = params.GetFloat("resolution");
  const auto& size = params.GetIntList("size");
  double scale = params.GetFloat("scale");
  RB_CHECK_ARG(size.empty() || size.size() == 2, "--size needs width,height");
  RB_CHECK_ARG(size.empty() || scale == 0, "--size and --scale exclude each other");
  if (size.size() == 2) {
    spec.warp.width = static_cast<int>(size[0]);
    spec.warp.height = static_cast<int>(size[1]);
  } else if (scale > 0) {
    geo::RasterInfo info = geo::ReadRasterInfo(input);
    spec.warp.width = std::max(1, static_cast<int>(std::lround(info.width * scale)));
    spec.warp.height = std::max(1, static_cast<int>(std::lround(info.height * scale)));
  }
  if (params.Has("stats")) {
    RB_CHECK_ARG(spec.stretch, "--stats needs --stretch percentile");
    geo::RasterInfo info = geo::ReadRasterInfo(input);
    spec.aoi_histograms =
        LoadHistograms(params.GetPath("stats"), geo::ParseBandSelection(spec.bands, info.bands));
  }
  ImageReport report = PrepareImage(input, outputs.Path("out"), spec);
  nlohmann::json ranges = nlohmann::json::array();
  for (const geo::StretchRange& range : report.ranges) ranges.push_back({range.lo, range.hi});
  return {{"bands", report.bands},
          {"stretch_ranges", ranges},
          {"stretch_scope", params.Has("stats") ? "aoi" : "image"},
          {"width", report.width},
          {"height", report.height}};
}

// The rasters to take statistics from: a SpaceNet AOI's product, or every .tif of a folder.
std::vector<fs::path> StatsInputs(const fs::path& folder, const std::string& product) {
  std::vector<fs::path> files;
  try {
    static const std::map<std::string, geo::SpaceNetProduct> kProducts = {
        {"ms", geo::SpaceNetProduct::kMulPanSharpen},
        {"rgb", geo::SpaceNetProduct::kRgbPanSharpen},
        {"pan", geo::SpaceNetProduct::kPan},
        {"mul", geo::SpaceNetProduct::kMul}};
    for (const geo::SpaceNetAoi& aoi : geo::DiscoverSpaceNet(folder)) {
      for (const geo::SpaceNetImage& image : aoi.images) {
        auto it = image.rasters.find(kProducts.at(product));
        if (it != image.rasters.end()) files.push_back(it->second);
      }
    }
  } catch (const Error&) {
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (entry.is_regular_file() && entry.path().extension() == ".tif")
        files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  RB_CHECK_IO(!files.empty(), "no rasters found in '{}'", folder.string());
  return files;
}

nlohmann::json RunStats(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  std::vector<fs::path> files = StatsInputs(params.GetPath("images"), params.GetString("product"));
  geo::RasterInfo first = geo::ReadRasterInfo(files[0]);
  std::vector<int> bands = geo::ParseBandSelection(params.GetString("bands"), first.bands);
  std::optional<uint16_t> nodata = geo::ResolveNodata(params.GetString("nodata"), first);
  auto progress = context.StartProgress("histograms", static_cast<int64_t>(files.size()));
  std::vector<std::vector<geo::Histogram16>> per_image(files.size());
  tbb::parallel_for(size_t{0}, files.size(), [&](size_t i) {
    geo::RasterReader reader = geo::RasterReader::Open(files[i]);
    RB_CHECK_IO(reader.info().bands == first.bands, "'{}' has {} bands, '{}' has {}",
                files[i].string(), reader.info().bands, files[0].string(), first.bands);
    per_image[i] = BandHistograms(reader, bands, nodata);
    progress->Advance();
  });
  progress->Finish();
  std::vector<geo::Histogram16> total(bands.size());
  for (const auto& histograms : per_image) {
    for (size_t b = 0; b < bands.size(); ++b) total[b].Merge(histograms[b]);
  }
  nlohmann::json histograms = nlohmann::json::array(), p2 = nlohmann::json::array(),
                 p98 = nlohmann::json::array(), names = nlohmann::json::array();
  for (size_t b = 0; b < bands.size(); ++b) {
    histograms.push_back(total[b].ToJson());
    p2.push_back(total[b].Percentile(2));
    p98.push_back(total[b].Percentile(98));
    names.push_back(first.band_names.empty() ? geo::WorldView3BandName(bands[b])
                                             : first.band_names[bands[b] - 1]);
  }
  nlohmann::json stats = {{"schema_version", kStatsSchemaVersion},
                          {"kind", "band_histograms"},
                          {"bands", bands},
                          {"band_names", names},
                          {"nodata", nodata ? nlohmann::json(*nodata) : nlohmann::json(nullptr)},
                          {"images", files.size()},
                          {"percentile_2", p2},
                          {"percentile_98", p98},
                          {"histograms", histograms}};
  io::WriteFileAtomic(outputs.Path("out"), stats.dump() + "\n");
  return {{"images", files.size()}, {"bands", bands}, {"percentile_2", p2}, {"percentile_98", p98}};
}

// Prepared images and masks paired by ImageId.
std::vector<std::tuple<std::string, fs::path, fs::path>> PairImagesAndMasks(const fs::path& images,
                                                                            const fs::path& masks) {
  auto by_id = [](const fs::path& folder) {
    std::map<std::string, fs::path, geo::ImageIdLess> found;
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".tif") continue;
      std::string name = entry.path().filename().string();
      auto id = geo::CanonicalImageId(name);
      found[id ? *id : entry.path().stem().string()] = entry.path();
    }
    return found;
  };
  auto image_files = by_id(images), mask_files = by_id(masks);
  std::vector<std::tuple<std::string, fs::path, fs::path>> pairs;
  for (const auto& [id, image] : image_files) {
    auto mask = mask_files.find(id);
    RB_CHECK_IO(mask != mask_files.end(), "no mask for image '{}' in '{}'", id, masks.string());
    pairs.emplace_back(id, image, mask->second);
  }
  RB_CHECK_IO(!pairs.empty(), "no .tif images in '{}'", images.string());
  return pairs;
}

// A window of `raster` starting at (column, row), `tile` pixels square, padded past the edges.
geo::Raster TileWindow(const geo::RasterReader& reader, int column, int row, int tile,
                       EdgeMode mode, double pad_value) {
  const geo::RasterInfo& info = reader.info();
  int width = std::min(tile, info.width - column), height = std::min(tile, info.height - row);
  geo::Raster inside = reader.Read({.window = geo::PixelWindow{column, row, width, height}});
  if (width == tile && height == tile) return inside;
  geo::Raster padded(inside.type(), inside.bands(), tile, tile);
  padded.georef = inside.georef;
  padded.nodata = inside.nodata;
  padded.band_names = inside.band_names;
  int cv_type = inside.type() == geo::PixelType::kUInt8 ? CV_8U : CV_16U;
  RB_CHECK_ARG(inside.type() == geo::PixelType::kUInt8 || inside.type() == geo::PixelType::kUInt16,
               "tiles need 8- or 16-bit rasters, '{}' is {}", reader.path().string(),
               geo::PixelTypeName(inside.type()));
  bool reflect = mode == EdgeMode::kReflect && width > tile - width && height > tile - height;
  for (int b = 0; b < inside.bands(); ++b) {
    size_t sample = geo::PixelTypeSize(inside.type());
    cv::Mat from(height, width, cv_type, inside.bytes().data() + inside.band_pixels() * sample * b);
    cv::Mat to(tile, tile, cv_type, padded.bytes().data() + padded.band_pixels() * sample * b);
    cv::copyMakeBorder(from, to, 0, tile - height, 0, tile - width,
                       reflect ? cv::BORDER_REFLECT_101 : cv::BORDER_CONSTANT,
                       cv::Scalar(pad_value));
  }
  return padded;
}

nlohmann::json RunTiles(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  int tile = static_cast<int>(params.GetInt("tile_size"));
  int overlap = static_cast<int>(params.GetInt("overlap"));
  EdgeMode mode = ParseEdgeMode(params.GetString("edge"));
  auto pairs = PairImagesAndMasks(params.GetPath("images"), params.GetPath("masks"));
  std::vector<std::string> ids;
  for (const auto& pair : pairs) ids.push_back(std::get<0>(pair));
  std::vector<std::string> splits = SplitImages(ids, params.GetFloatList("split"), context.seed());

  fs::path root = outputs.Path("out");
  fs::path tiles_temp = outputs.Add(root / "tiles");
  fs::create_directories(tiles_temp / "images");
  fs::create_directories(tiles_temp / "masks");

  std::vector<nlohmann::json> per_image(pairs.size());
  auto progress = context.StartProgress("tiling", static_cast<int64_t>(pairs.size()));
  tbb::parallel_for(size_t{0}, pairs.size(), [&](size_t i) {
    const auto& [id, image_path, mask_path] = pairs[i];
    geo::RasterReader image = geo::RasterReader::Open(image_path);
    geo::RasterReader mask = geo::RasterReader::Open(mask_path);
    RB_CHECK_IO(
        image.info().width == mask.info().width && image.info().height == mask.info().height &&
            image.info().georef == mask.info().georef,
        "mask '{}' is not on the grid of image '{}'", mask_path.string(), image_path.string());
    RB_CHECK_IO(mask.info().bands == 1 && mask.info().type == geo::PixelType::kUInt8,
                "mask '{}' must be one Byte band", mask_path.string());
    nlohmann::json tiles = nlohmann::json::array();
    for (int row : TileOrigins(image.info().height, tile, overlap, mode)) {
      for (int column : TileOrigins(image.info().width, tile, overlap, mode)) {
        std::string name = fmt::format("{}_r{}_c{}.tif", id, row, column);
        geo::Raster image_tile = TileWindow(image, column, row, tile, mode, 0);
        geo::Raster mask_tile = TileWindow(mask, column, row, tile, mode, 255);
        geo::WriteGeoTiff(tiles_temp / "images" / name, image_tile);
        geo::WriteGeoTiff(tiles_temp / "masks" / name, mask_tile);
        auto labels = mask_tile.Band<uint8_t>(0);
        int64_t road = std::count(labels.begin(), labels.end(), 1);
        int64_t valid =
            static_cast<int64_t>(labels.size()) - std::count(labels.begin(), labels.end(), 255);
        tiles.push_back({{"image", "tiles/images/" + name},
                         {"mask", "tiles/masks/" + name},
                         {"image_id", id},
                         {"split", splits[i]},
                         {"window", {column, row, tile, tile}},
                         {"road_fraction", valid > 0 ? static_cast<double>(road) / valid : 0.0}});
      }
    }
    per_image[i] = {{"image_id", id},
                    {"split", splits[i]},
                    {"image", fs::absolute(image_path).string()},
                    {"mask", fs::absolute(mask_path).string()},
                    {"tiles", std::move(tiles)}};
    progress->Advance();
  });
  progress->Finish();

  // One manifest for everything, one per split; paths relative to each manifest's folder.
  geo::RasterInfo first = geo::ReadRasterInfo(std::get<1>(pairs[0]));
  auto manifest_for = [&](const std::string& split, const std::string& prefix) {
    nlohmann::json images = nlohmann::json::array(), tiles = nlohmann::json::array();
    for (const nlohmann::json& entry : per_image) {
      if (!split.empty() && entry["split"] != split) continue;
      images.push_back({{"image_id", entry["image_id"]},
                        {"split", entry["split"]},
                        {"image", entry["image"]},
                        {"mask", entry["mask"]}});
      for (nlohmann::json t : entry["tiles"]) {
        t["image"] = prefix + t["image"].get<std::string>();
        t["mask"] = prefix + t["mask"].get<std::string>();
        tiles.push_back(std::move(t));
      }
    }
    return nlohmann::json{{"schema_version", kManifestSchemaVersion},
                          {"kind", "tiles"},
                          {"split", split.empty() ? "all" : split},
                          {"tile_size", tile},
                          {"overlap", overlap},
                          {"edge", params.GetString("edge")},
                          {"split_ratios", params.GetFloatList("split")},
                          {"seed", context.seed()},
                          {"bands", first.band_names},
                          {"image_type", geo::PixelTypeName(first.type)},
                          {"mask_values", {{"background", 0}, {"road", 1}, {"ignore", 255}}},
                          {"images", images},
                          {"tiles", tiles}};
  };
  io::WriteFileAtomic(outputs.Add(root / "manifest.json", /*report=*/true),
                      manifest_for("", "").dump(1) + "\n");
  nlohmann::json counts;
  for (const char* split : {"train", "val", "test"}) {
    fs::path folder = outputs.Add(root / split);
    fs::create_directories(folder);
    nlohmann::json manifest = manifest_for(split, "../");
    counts[split] = {{"images", manifest["images"].size()}, {"tiles", manifest["tiles"].size()}};
    io::WriteFileAtomic(folder / "manifest.json", manifest.dump(1) + "\n");
  }
  LogInfo("{} images -> {} train, {} val, {} test images", pairs.size(),
          counts["train"]["images"].get<int>(), counts["val"]["images"].get<int>(),
          counts["test"]["images"].get<int>());
  return {{"images", pairs.size()}, {"splits", counts}};
}

cli::StageDescriptor ImageCommand() {
  cli::StageDescriptor stage;
  stage.name = "image";
  stage.summary = "Select bands, stretch to 8 bits, resize or reproject one raster.";
  ParamSpecs& p = stage.params;
  p.Input("input", "raster to prepare (e.g. MUL-PanSharpen_<id>.tif)").Required();
  p.Output("out", "prepared GeoTIFF").Required();
  p.String("bands",
           "bands: all, ms8, rgb (5,3,2), rnir (RedEdge,NIR1,NIR2), or numbers/names "
           "like 5,3,2 or red,nir1",
           "all");
  p.Choice("stretch", "percentile stretch or raw values", {"percentile", "none"}, "percentile");
  p.FloatList("clip", "low,high clip percentiles (the seed's R/NIR model used 2,90)", {2, 98})
      .Range(0, 100);
  p.Input("stats", "AOI-wide histograms from `rb-prep stats` (default: this image's own)");
  p.Choice("type", "output samples: byte 1..255, uint16 1..65535 (0 = nodata), float32 0..1 (NaN)",
           {"byte", "uint16", "float32"}, "byte");
  p.String("nodata", "input nodata: auto (the raster's, else 0 as in SpaceNet), none, or a value",
           "auto");
  p.Float("scale", "resize by this factor through GDAL's warper (0 = no resize)", 0).Range(0, 64);
  p.IntList("size", "resize to width,height pixels", {}).Range(1, 1 << 20);
  p.Bool("utm", "reproject to the local UTM zone, square pixels of the mean ground size");
  p.Float("resolution", "target pixel size in target CRS units (metres with --utm)", 0)
      .Range(0, 1e6);
  p.Choice("resample", "warp resampling", {"nearest", "bilinear", "cubic", "lanczos", "average"},
           "bilinear");
  stage.run = RunImage;
  return stage;
}

cli::StageDescriptor StatsCommand() {
  cli::StageDescriptor stage;
  stage.name = "stats";
  stage.summary = "AOI-wide band histograms, so every tile of an AOI shares one stretch.";
  ParamSpecs& p = stage.params;
  p.Input("images", "a SpaceNet AOI folder (or dataset root), or a folder of .tif rasters")
      .Directory()
      .Required();
  p.Choice("product", "SpaceNet product to read", {"ms", "rgb", "pan", "mul"}, "ms");
  p.String("bands", "bands to take statistics of (see rb-prep image --bands)", "all");
  p.String("nodata", "nodata: auto, none or a value", "auto");
  p.Output("out", "stats JSON (histograms and 2/98 percentiles per band)").Required();
  stage.run = RunStats;
  return stage;
}

cli::StageDescriptor TilesCommand() {
  cli::StageDescriptor stage;
  stage.name = "tiles";
  stage.summary = "Tile prepared images and masks; split train/val/test by image.";
  ParamSpecs& p = stage.params;
  p.Input("images", "folder of prepared images (<...ImageId...>.tif)").Directory().Required();
  p.Input("masks", "folder of masks with the same ImageIds").Directory().Required();
  p.Output("out", "folder for tiles/, manifest.json and train|val|test/manifest.json")
      .Directory()
      .Required();
  p.Int("tile_size", "tile side in pixels", 512).Range(8, 65536);
  p.Int("overlap", "pixels shared by neighbouring tiles", 0).Range(0, 65535);
  p.Choice("edge", "last tile: shift back to the edge, or pad with zero (masks 255) or reflect",
           {"shift", "zero", "reflect"}, "shift");
  p.FloatList("split", "train,val,test ratios (by image)", {70, 15, 15}).Range(0, 1e9);
  stage.run = RunTiles;
  return stage;
}

}  // namespace

cli::CommandSet PrepCommands() {
  return {"rb-prep",
          "Prepare imagery: bands, stretch, warps, tiles and splits.",
          {ImageCommand(), StatsCommand(), TilesCommand(), ListCommand()}};
}

}  // namespace rb::prep
