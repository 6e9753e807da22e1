// rb-prep and rb-mask as processes: the pipeline from rb-synth output to training tiles, and
// what bad inputs do.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>

#include "common/geo/crs.hpp"
#include "common/geo/raster_io.hpp"
#include "common/geo/spacenet_dataset.hpp"
#include "common/io/npy.hpp"
#include "test/support/test_support.hpp"

namespace rb {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::TempDir;

void CheckOneLineError(const ProcessResult& result, const std::string& fragment) {
  test::CheckOneLineError(result, "error: ", fragment);
}

TEST_CASE("rb-synth output becomes AOI-stretched images, masks and split tiles", "[prep][e2e]") {
  TempDir dir;
  REQUIRE(test::RunBinary(RB_SYNTH_PATH, {"--city", "vegas", "--images", "3", "--seed", "2",
                                          "--out", (dir / "synth").string(), "-q"})
              .exit_code == 0);
  ProcessResult stats =
      test::RunBinary(RB_PREP_PATH, {"stats", "--images", (dir / "synth").string(), "--bands",
                                     "ms8", "--out", (dir / "stats.json").string(), "-q"});
  INFO(stats.err);
  REQUIRE(stats.exit_code == 0);
  auto aoi = geo::DiscoverSpaceNet(dir / "synth")[0];
  fs::create_directories(dir / "prep");
  fs::create_directories(dir / "masks");
  std::vector<std::vector<double>> ranges;
  for (const geo::SpaceNetImage& image : aoi.images) {
    fs::path prepared = dir / "prep" / (image.image_id + ".tif");
    ProcessResult prep = test::RunBinary(
        RB_PREP_PATH,
        {"image", "--input", image.rasters.at(geo::SpaceNetProduct::kMulPanSharpen).string(),
         "--bands", "ms8", "--stats", (dir / "stats.json").string(), "--out", prepared.string(),
         "-q"});
    INFO(prep.err);
    REQUIRE(prep.exit_code == 0);
    auto report = nlohmann::json::parse(test::ReadText(prepared.string() + ".report.json"));
    CHECK(report["figures"]["stretch_scope"] == "aoi");
    ranges.push_back(report["figures"]["stretch_ranges"][6].get<std::vector<double>>());
    ProcessResult mask =
        test::RunBinary(RB_MASK_PATH, {"--labels", image.labels->string(), "--reference",
                                       prepared.string(), "--method", "floodfill", "--out",
                                       (dir / "masks" / (image.image_id + ".tif")).string(), "-q"});
    INFO(mask.err);
    REQUIRE(mask.exit_code == 0);
    CHECK(geo::ReadRasterInfo(dir / "masks" / (image.image_id + ".tif")).georef ==
          geo::ReadRasterInfo(prepared).georef);
  }
  CHECK(ranges[0] == ranges[1]);  // one AOI-wide mapping for every image
  CHECK(ranges[1] == ranges[2]);

  ProcessResult tiles =
      test::RunBinary(RB_PREP_PATH, {"tiles", "--images", (dir / "prep").string(), "--masks",
                                     (dir / "masks").string(), "--out", (dir / "tiles").string(),
                                     "--edge", "zero", "-q"});
  INFO(tiles.err);
  REQUIRE(tiles.exit_code == 0);
  auto manifest = nlohmann::json::parse(test::ReadText(dir / "tiles" / "manifest.json"));
  CHECK(manifest["images"].size() == 3);
  CHECK(manifest["tiles"].size() == 27);  // 3 x 3 tiles of 512 px per 1300 px image
  std::map<std::string, std::string> split_of;
  std::set<std::string> splits;
  for (const auto& image : manifest["images"]) {
    split_of[image["image_id"]] = image["split"];
    splits.insert(image["split"].get<std::string>());
  }
  CHECK(splits == std::set<std::string>{"train", "val", "test"});
  size_t listed = 0;
  for (const char* split : {"train", "val", "test"}) {
    fs::path folder = dir / "tiles" / split;
    auto part = nlohmann::json::parse(test::ReadText(folder / "manifest.json"));
    for (const auto& tile : part["tiles"]) {
      CHECK(split_of.at(tile["image_id"]) == split);  // never a tile in another image's split
      CHECK(fs::exists(folder / tile["image"].get<std::string>()));
      CHECK(fs::exists(folder / tile["mask"].get<std::string>()));
      ++listed;
    }
  }
  CHECK(listed == 27);
  // The corner tile reaches past the image: its mask is padded with 255 (ignore), its image
  // with 0, and its georeference continues the image's.
  const auto& corner = manifest["tiles"][8];
  CHECK(corner["window"] == nlohmann::json::array({1024, 1024, 512, 512}));
  geo::Raster mask = geo::ReadRaster(dir / "tiles" / corner["mask"].get<std::string>());
  CHECK(mask.At<uint8_t>(0, 511, 511) == 255);
  geo::Raster tile = geo::ReadRaster(dir / "tiles" / corner["image"].get<std::string>());
  CHECK(tile.bands() == 8);
  CHECK(tile.At<uint8_t>(3, 511, 511) == 0);
  geo::RasterInfo full =
      geo::ReadRasterInfo(dir / "prep" / (corner["image_id"].get<std::string>() + ".tif"));
  CHECK(tile.georef.transform->coefficients() ==
        full.georef.transform->Window(1024, 1024).coefficients());
}

TEST_CASE("rb-mask turns bad inputs into clear errors or empty masks", "[mask]") {
  TempDir dir;
  std::string pan = test::DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif").string();
  std::string labels =
      test::DataSample("spacenet/labels/spacenetroads_AOI_2_Vegas_img699.geojson").string();
  test::WriteText(dir / "corrupt.geojson", "{\"type\": \"FeatureCollection\", \"features\": [");
  test::WriteText(dir / "empty.geojson", R"({"type": "FeatureCollection", "features": []})");
  auto out = [&](const char* name) { return (dir / "out" / name).string(); };

  ProcessResult corrupt = test::RunBinary(
      RB_MASK_PATH,
      {"--labels", (dir / "corrupt.geojson").string(), "--reference", pan, "--out", out("a.tif")});
  CHECK(corrupt.exit_code == 1);
  CheckOneLineError(corrupt, "corrupt.geojson");

  geo::Raster plain(geo::PixelType::kUInt16, 1, 64, 64);
  geo::WriteGeoTiff(dir / "no_crs.tif", plain);
  ProcessResult no_crs = test::RunBinary(
      RB_MASK_PATH,
      {"--labels", labels, "--reference", (dir / "no_crs.tif").string(), "--out", out("b.tif")});
  CHECK(no_crs.exit_code == 1);
  CheckOneLineError(no_crs, "has no CRS");
  CHECK_FALSE(fs::exists(dir / "out" / "a.tif"));
  CHECK_FALSE(fs::exists(dir / "out" / "b.tif"));

  ProcessResult empty = test::RunBinary(RB_MASK_PATH, {"--labels", (dir / "empty.geojson").string(),
                                                       "--reference", pan, "--out", out("c.tif")});
  CHECK(empty.exit_code == 0);
  geo::Raster blank = geo::ReadRaster(out("c.tif"));
  auto values = blank.Band<uint8_t>(0);
  CHECK(std::all_of(values.begin(), values.end(), [](uint8_t v) { return v == 0; }));

  // Labels of another tile fall outside this one: an empty mask and a warning.
  std::string elsewhere =
      test::DataSample("spacenet/labels/spacenetroads_AOI_2_Vegas_img990.geojson").string();
  ProcessResult outside = test::RunBinary(
      RB_MASK_PATH, {"--labels", elsewhere, "--reference", pan, "--out", out("d.tif")});
  CHECK(outside.exit_code == 0);
  CHECK_THAT(outside.err, Catch::Contains("warning: no label"));

  ProcessResult instances =
      test::RunBinary(RB_MASK_PATH, {"--labels", labels, "--reference", pan, "--method",
                                     "bresenham", "--out", out("e.tif"), "--npy", out("e.npy"),
                                     "--instances", out("e_ids.tif"), "--overlay", out("e.png")});
  INFO(instances.err);
  REQUIRE(instances.exit_code == 0);
  io::NpyArray stack = io::ReadNpy(out("e.npy"));
  CHECK(stack.shape == std::vector<int64_t>{9, 1300, 1300});
  CHECK(geo::ReadRasterInfo(out("e_ids.tif")).type == geo::PixelType::kUInt16);
  CHECK(fs::exists(out("e.png")));
}

TEST_CASE("rb-prep rejects bad band selections and statistics before writing", "[prep]") {
  TempDir dir;
  std::string pan = test::DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif").string();
  ProcessResult bands = test::RunBinary(RB_PREP_PATH, {"image", "--input", pan, "--bands", "nir3",
                                                       "--out", (dir / "a.tif").string()});
  CHECK(bands.exit_code == 2);
  CheckOneLineError(bands, "unknown band 'nir3'");
  ProcessResult missing = test::RunBinary(
      RB_PREP_PATH, {"image", "--input", pan, "--bands", "rgb", "--out", (dir / "b.tif").string()});
  CHECK(missing.exit_code == 2);
  CheckOneLineError(missing, "does not exist in a 1-band raster");
  ProcessResult command = test::RunBinary(RB_PREP_PATH, {"imgae"});
  CHECK(command.exit_code == 2);
  CheckOneLineError(command, "unknown command 'imgae'");
  CHECK(dir.List().empty());
}

}  // namespace
}  // namespace rb
