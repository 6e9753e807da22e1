#include "stages/train/tile_data.hpp"

#include <algorithm>

#include <fmt/ranges.h>

#include "common/core/check.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/json_config.hpp"

namespace rb::train {
namespace fs = std::filesystem;

namespace {

const nlohmann::json& Field(const nlohmann::json& object, const char* key, const fs::path& manifest,
                            const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) {
    Throw(ErrorCode::kInvalidArgument, "manifest '{}' has no '{}' in {}", manifest.string(), key,
          where);
  }
  return *it;
}

fs::path Resolve(const fs::path& manifest, const std::string& path) {
  fs::path p(path);
  return p.is_absolute() ? p : manifest.parent_path() / p;
}

// Headers only: every tile is checked before training starts, not when first drawn.
void CheckTile(const TileRecord& record, const TileSet& set) {
  geo::RasterInfo image = geo::ReadRasterInfo(record.image);
  geo::RasterInfo mask = geo::ReadRasterInfo(record.mask);
  const int bands = static_cast<int>(set.band_names.size());
  RB_CHECK_IO(image.bands == bands, "tile '{}' has {} bands, the manifest's tiles {} ({})",
              record.image.string(), image.bands, bands, fmt::join(set.band_names, ","));
  RB_CHECK_IO(image.type == geo::PixelType::kUInt8,
              "tile '{}' has {} samples; training reads the Byte tiles of rb-prep",
              record.image.string(), geo::PixelTypeName(image.type));
  RB_CHECK_IO(image.width == set.tile_size && image.height == set.tile_size,
              "tile '{}' is {}x{}, not {}x{} as the manifest says", record.image.string(),
              image.width, image.height, set.tile_size, set.tile_size);
  RB_CHECK_IO(mask.bands == 1 && mask.type == geo::PixelType::kUInt8 && mask.width == image.width &&
                  mask.height == image.height,
              "mask '{}' is not a single Byte band of its tile's size", record.mask.string());
}

}  // namespace

TileSet LoadTileManifest(const fs::path& manifest) {
  nlohmann::json json = io::LoadJsonFile(manifest);
  if (json.value("kind", "") != "tiles") {
    Throw(ErrorCode::kInvalidArgument, "'{}' is not an rb-prep tiles manifest (kind '{}')",
          manifest.string(), json.value("kind", ""));
  }
  TileSet set;
  set.manifest = manifest;
  set.tile_size = Field(json, "tile_size", manifest, "the header").get<int>();
  set.band_names = Field(json, "bands", manifest, "the header").get<std::vector<std::string>>();
  const nlohmann::json& tiles = Field(json, "tiles", manifest, "the header");
  for (size_t i = 0; i < tiles.size(); ++i) {
    std::string where = fmt::format("tiles[{}]", i);
    TileRecord record;
    record.image = Resolve(manifest, Field(tiles[i], "image", manifest, where).get<std::string>());
    record.mask = Resolve(manifest, Field(tiles[i], "mask", manifest, where).get<std::string>());
    record.image_id = tiles[i].value("image_id", "");
    record.road_fraction = tiles[i].value("road_fraction", 0.0);
    for (const fs::path& file : {record.image, record.mask}) {
      std::error_code ec;
      if (!fs::is_regular_file(file, ec)) {
        Throw(ErrorCode::kIo, "manifest '{}' names '{}' ({}), which does not exist",
              manifest.string(), file.string(), where);
      }
    }
    CheckTile(record, set);
    set.tiles.push_back(std::move(record));
  }
  RB_CHECK_ARG(!set.tiles.empty(), "manifest '{}' lists no tiles", manifest.string());
  return set;
}

TileReader::TileReader(const TileSet& set, std::vector<int> bands, int64_t budget_bytes)
    : set_(set), bands_(std::move(bands)), budget_bytes_(budget_bytes), cache_(set.tiles.size()) {}

Sample TileReader::Read(size_t tile) const {
  const TileRecord& record = set_.tiles[tile];
  geo::Raster image = geo::ReadRaster(record.image, {.bands = bands_});
  geo::Raster mask = geo::ReadRaster(record.mask);
  const int size = set_.tile_size;  // sizes, bands and types were checked with the manifest
  Sample sample;
  sample.size = size;
  sample.bands = image.bands();
  sample.image.resize(static_cast<size_t>(size) * size * sample.bands);
  for (int b = 0; b < sample.bands; ++b) {
    auto band = image.Band<uint8_t>(b);
    for (size_t p = 0; p < band.size(); ++p) sample.image[p * sample.bands + b] = band[p];
  }
  auto labels = mask.Band<uint8_t>(0);
  sample.mask.assign(labels.begin(), labels.end());
  return sample;
}

std::shared_ptr<const Sample> TileReader::Get(size_t tile) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cache_[tile]) return cache_[tile];
  }
  auto sample = std::make_shared<const Sample>(Read(tile));
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t bytes = static_cast<int64_t>(sample->image.size() + sample->mask.size());
  if (!cache_[tile] && cached_bytes_ + bytes <= budget_bytes_) {
    cache_[tile] = sample;
    cached_bytes_ += bytes;
  }
  return sample;
}

namespace {

// Source pixel of output pixel (row, column) in a size x size window under `flip_h`, `flip_v`
// and `quarter_turns` counter-clockwise rotations.
struct Transform {
  int size;
  bool flip_h, flip_v;
  int quarter_turns;
  std::pair<int, int> Source(int row, int column) const {
    int r = row, c = column;
    for (int t = 0; t < quarter_turns; ++t) {
      int rotated_row = c, rotated_column = size - 1 - r;
      r = rotated_row;
      c = rotated_column;
    }
    if (flip_v) r = size - 1 - r;
    if (flip_h) c = size - 1 - c;
    return {r, c};
  }
};

}  // namespace

Sample Augment(const Sample& tile, const AugmentSpec& spec, RandomStream& random) {
  const int crop = spec.crop > 0 ? spec.crop : tile.size;
  RB_CHECK_ARG(crop <= tile.size, "crop {} is larger than the {}-pixel tiles", crop, tile.size);
  int top = static_cast<int>(random.UniformInt(0, tile.size - crop));
  int left = static_cast<int>(random.UniformInt(0, tile.size - crop));
  Transform transform{crop, spec.flips && random.Bernoulli(0.5),
                      spec.flips && random.Bernoulli(0.5),
                      spec.rotations ? static_cast<int>(random.UniformInt(0, 3)) : 0};
  Sample out;
  out.size = crop;
  out.bands = tile.bands;
  out.image.resize(static_cast<size_t>(crop) * crop * tile.bands);
  out.mask.resize(static_cast<size_t>(crop) * crop);
  for (int row = 0; row < crop; ++row) {
    for (int column = 0; column < crop; ++column) {
      auto [r, c] = transform.Source(row, column);
      size_t from = static_cast<size_t>(top + r) * tile.size + (left + c);
      size_t to = static_cast<size_t>(row) * crop + column;
      out.mask[to] = tile.mask[from];
      std::copy_n(tile.image.data() + from * tile.bands, tile.bands,
                  out.image.data() + to * tile.bands);
    }
  }
  return out;
}

}  // namespace rb::train
