#include "test/stages/learning_fixtures.hpp"

#include "common/core/rng.hpp"
#include "common/geo/bands.hpp"
#include "common/geo/crs.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/files.hpp"

namespace rb::test {
namespace fs = std::filesystem;

RoadTile MakeRoadTile(int size, int bands, uint64_t seed, double lon0, double lat0) {
  RandomStream random(seed, 7);
  RoadTile tile{geo::Raster(geo::PixelType::kUInt8, bands, size, size),
                geo::Raster(geo::PixelType::kUInt8, 1, size, size)};
  bool vertical = random.Bernoulli(0.5);
  int centre = static_cast<int>(random.UniformInt(3, size - 4));
  for (int row = 0; row < size; ++row) {
    for (int column = 0; column < size; ++column) {
      int across = vertical ? column : row;
      bool road = std::abs(across - centre) <= 2;
      tile.mask.At<uint8_t>(0, row, column) = road ? 1 : 0;
      for (int b = 0; b < bands; ++b) {
        tile.image.At<uint8_t>(b, row, column) =
            road ? 200 : static_cast<uint8_t>(random.UniformInt(20, 90));
      }
    }
  }
  geo::GeoReference georef{geo::GeoTransform::NorthUp(lon0, lat0, 2.7e-6, 2.7e-6),
                           geo::CrsWkt("EPSG:4326")};
  tile.image.georef = tile.mask.georef = georef;
  for (int b = 1; b <= bands; ++b) tile.image.band_names.push_back(geo::WorldView3BandName(b));
  return tile;
}

fs::path WriteTileSet(const fs::path& folder, int count, int size, int bands, uint64_t seed) {
  fs::create_directories(folder / "tiles");
  nlohmann::json tiles = nlohmann::json::array();
  for (int i = 0; i < count; ++i) {
    RoadTile tile = MakeRoadTile(size, bands, seed * 1000 + i);
    std::string name = "AOI_2_Vegas_img" + std::to_string(i + 1);
    geo::WriteGeoTiff(folder / "tiles" / (name + ".tif"), tile.image);
    geo::WriteGeoTiff(folder / "tiles" / (name + "_mask.tif"), tile.mask);
    double road = 0;
    for (uint8_t v : tile.mask.Band<uint8_t>(0)) road += v;
    tiles.push_back({{"image", "tiles/" + name + ".tif"},
                     {"mask", "tiles/" + name + "_mask.tif"},
                     {"image_id", name},
                     {"road_fraction", road / (size * size)}});
  }
  std::vector<std::string> names;
  for (int b = 1; b <= bands; ++b) names.push_back(geo::WorldView3BandName(b));
  nlohmann::json manifest = {{"schema_version", 1},
                             {"kind", "tiles"},
                             {"tile_size", size},
                             {"bands", names},
                             {"tiles", tiles}};
  fs::path path = folder / "manifest.json";
  io::WriteFileAtomic(path, manifest.dump(1));
  return path;
}

nlohmann::json TinyModel(int bands, int size) {
  nlohmann::json filler = {{"type", "msra"}, {"distribution", "uniform"}};
  nlohmann::json block = {{"growth", 4}, {"layers", 1}, {"dropout", 0.0}};
  return {
      {"schema_version", 1},
      {"name", "test_tiny"},
      {"layers",
       {{{"name", "data"},
         {"type", "Input"},
         {"top", "data"},
         {"input", {{"shape", {{2, bands, size, size}}}}}},
        {{"name", "label"},
         {"type", "Input"},
         {"top", "label"},
         {"input", {{"shape", {{2, 1, size, size}}}}},
         {"exclude", {{"phase", "DEPLOY"}}}},
        {{"name", "conv0"},
         {"type", "Convolution"},
         {"bottom", "data"},
         {"top", "conv0"},
         {"convolution",
          {{"num_output", 8}, {"kernel_size", 3}, {"pad", 1}, {"weight_filler", filler}}}},
        {{"name", "down"},
         {"type", "DenseBlock"},
         {"bottom", "conv0"},
         {"top", "down"},
         {"dense_block", block}},
        {{"name", "td"},
         {"type", "TransitionDown"},
         {"bottom", "down"},
         {"top", "td"},
         {"transition_down", {{"dropout", 0.0}}}},
        {{"name", "mid"},
         {"type", "DenseBlock"},
         {"bottom", "td"},
         {"top", {"mid", "mid_new"}},
         {"dense_block", block}},
        {{"name", "tu"}, {"type", "TransitionUp"}, {"bottom", {"mid_new", "down"}}, {"top", "tu"}},
        {{"name", "up"},
         {"type", "DenseBlock"},
         {"bottom", "tu"},
         {"top", "up"},
         {"dense_block", block}},
        {{"name", "score"},
         {"type", "Convolution"},
         {"bottom", "up"},
         {"top", "score"},
         {"convolution", {{"num_output", 2}, {"kernel_size", 1}, {"weight_filler", filler}}}},
        {{"name", "loss"},
         {"type", "SoftmaxWithLoss"},
         {"bottom", {"score", "label"}},
         {"top", "loss"},
         {"softmax_with_loss", {{"ignore_label", 255}}},
         {"exclude", {{"phase", "DEPLOY"}}}},
        {{"name", "prob"}, {"type", "Softmax"}, {"bottom", "score"}, {"top", "prob"}}}}};
}

nlohmann::json QuickSolver(int max_iter) {
  return {{"schema_version", 1}, {"type", "Adam"}, {"base_lr", 0.01},    {"max_iter", max_iter},
          {"batch_size", 2},     {"display", 2},   {"test_interval", 6}, {"snapshot", 6},
          {"random_seed", 3},    {"momentum", 0.9}};
}

}  // namespace rb::test
