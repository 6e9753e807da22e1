// rb-synth as users run it: the files it writes, read back by roadbrew's readers and by GDAL's
// own command-line tools.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>

#include "common/geo/raster_io.hpp"
#include "common/geo/road_vectors.hpp"
#include "common/geo/spacenet_dataset.hpp"
#include "common/geo/wkt_pix.hpp"
#include "common/io/files.hpp"
#include "test/support/test_support.hpp"

namespace rb {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::TempDir;

ProcessResult Synth(std::vector<std::string> args) {
  args.insert(args.begin(), RB_SYNTH_PATH);
  return test::RunProcess(args);
}

// Relative path -> XXH3 digest of every file below `root`, reports excluded (they hold times).
std::map<std::string, std::string> Digests(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().string().ends_with(".report.json")) continue;
    out[fs::relative(entry.path(), root).string()] = io::DigestFile(entry.path()).xxh3_128;
  }
  return out;
}

TEST_CASE("rb-synth writes the original SpaceNet 3 layout that GDAL and roadbrew read back",
          "[synth][e2e]") {
  TempDir dir;
  ProcessResult run = Synth({"--city", "vegas", "--images", "2", "--out", dir.path().string(),
                             "--emit-truth", "--preview", "--seed", "5", "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);

  auto aois = geo::DiscoverSpaceNet(dir.path());
  REQUIRE(aois.size() == 1);
  const geo::SpaceNetAoi& aoi = aois[0];
  CHECK(aoi.dir.filename() == "AOI_2_Vegas_Roads_Train");
  CHECK(aoi.layout == geo::SpaceNetLayout::kOriginal);
  REQUIRE(aoi.images.size() == 2);
  REQUIRE(aoi.summary_csvs.size() == 1);
  auto rows = geo::GroupByImage(geo::ReadWktPixCsv(aoi.summary_csvs[0]));
  CHECK(rows.size() == 2);

  for (const geo::SpaceNetImage& image : aoi.images) {
    INFO(image.image_id);
    REQUIRE(image.rasters.size() == 4);
    REQUIRE(image.labels);
    const fs::path& ms = image.rasters.at(geo::SpaceNetProduct::kMulPanSharpen);
    geo::RasterInfo info = geo::ReadRasterInfo(ms);
    CHECK(info.width == 1300);
    CHECK(info.bands == 8);
    CHECK(info.type == geo::PixelType::kUInt16);
    CHECK(info.nodata == 0.0);
    CHECK(info.band_names[5] == "RedEdge");
    CHECK(geo::ReadRasterInfo(image.rasters.at(geo::SpaceNetProduct::kMul)).width == 325);
    CHECK(geo::ReadRasterInfo(image.rasters.at(geo::SpaceNetProduct::kRgbPanSharpen)).bands == 3);
    geo::Raster pan = geo::ReadRaster(image.rasters.at(geo::SpaceNetProduct::kPan));
    auto values = pan.Band<uint16_t>(0);
    CHECK(*std::max_element(values.begin(), values.end()) <= 2047);  // 11-bit

    // GDAL's own tools agree on size, type, CRS and pixel size.
    ProcessResult gdalinfo = test::RunProcess({"/usr/bin/gdalinfo", "-json", ms.string()});
    REQUIRE(gdalinfo.exit_code == 0);
    auto json = nlohmann::json::parse(gdalinfo.out);
    CHECK(json["size"] == nlohmann::json::array({1300, 1300}));
    CHECK(json["bands"].size() == 8);
    CHECK(json["bands"][0]["type"] == "UInt16");
    CHECK(json["geoTransform"][1].get<double>() == Approx(2.7e-6).epsilon(1e-9));
    CHECK(json["geoTransform"][5].get<double>() == Approx(-2.7e-6).epsilon(1e-9));
    CHECK_THAT(json["coordinateSystem"]["wkt"].get<std::string>(), Catch::Contains("4326"));
    ProcessResult ogrinfo =
        test::RunProcess({"/usr/bin/ogrinfo", "-so", "-al", image.labels->string()});
    REQUIRE(ogrinfo.exit_code == 0);
    CHECK_THAT(ogrinfo.out, Catch::Contains("road_type: String"));
    CHECK_THAT(ogrinfo.out, Catch::Contains("lane_number: String"));

    // summaryData rows are the GeoJSON parts converted to pixels.
    const geo::GeoTransform& gt = *info.georef.transform;
    std::vector<geo::LineString> parts;
    for (const geo::RoadFeature& feature : geo::ReadRoadGeoJson(*image.labels)) {
      for (const geo::LineString& part : feature.parts) {
        geo::LineString pixels;
        for (const geo::Point2& p : part) pixels.push_back(gt.GeoToPixel(p));
        parts.push_back(pixels);
      }
    }
    const std::vector<geo::LineString>& truth = rows.at(image.image_id);
    REQUIRE(parts.size() == truth.size());
    for (size_t i = 0; i < parts.size(); ++i) {
      REQUIRE(parts[i].size() == truth[i].size());
      for (size_t k = 0; k < parts[i].size(); ++k) {
        CHECK(std::hypot(parts[i][k].x - truth[i][k].x, parts[i][k].y - truth[i][k].y) <= 0.01);
      }
    }
    fs::path truth_raster =
        dir / "truth" / "AOI_2_Vegas_Roads_Train" / ("truth_" + image.image_id + ".tif");
    geo::RasterInfo truth_info = geo::ReadRasterInfo(truth_raster);
    CHECK(truth_info.bands == 3);
    CHECK(truth_info.type == geo::PixelType::kUInt8);
    CHECK(truth_info.georef == info.georef);
    CHECK(fs::exists(dir / "previews" / "AOI_2_Vegas_Roads_Train" / (image.image_id + ".png")));
  }
  CHECK(fs::exists(dir / "AOI_2_Vegas_Roads_Train.report.json"));

  // The same arguments on one thread give the same bytes.
  TempDir again;
  REQUIRE(Synth({"--city", "vegas", "--images", "2", "--out", again.path().string(), "--emit-truth",
                 "--preview", "--seed", "5", "--threads", "1", "-q"})
              .exit_code == 0);
  CHECK(Digests(again.path()) == Digests(dir.path()));

  // Another city joins the same dataset root without touching the first.
  auto before = Digests(dir / "AOI_2_Vegas_Roads_Train");
  REQUIRE(Synth({"--city", "khartoum", "--images", "1", "--out", dir.path().string(), "-q"})
              .exit_code == 0);
  CHECK(geo::DiscoverSpaceNet(dir.path()).size() == 2);
  CHECK(Digests(dir / "AOI_2_Vegas_Roads_Train") == before);
}

TEST_CASE("rb-synth writes the 2019 layout and test splits with their truth kept apart",
          "[synth][e2e]") {
  TempDir dir;
  ProcessResult run = Synth({"--city", "shanghai", "--images", "1", "--layout", "sn3-2019",
                             "--split", "test_public", "--roads", "procedural", "--size", "400",
                             "--out", dir.path().string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto aois = geo::DiscoverSpaceNet(dir.path());
  REQUIRE(aois.size() == 2);  // the imagery, and the truth folder holding the labels
  const geo::SpaceNetAoi* imagery = nullptr;
  for (const auto& aoi : aois) {
    if (aoi.dir == dir / "test_public" / "AOI_4_Shanghai") imagery = &aoi;
  }
  REQUIRE(imagery != nullptr);
  CHECK(imagery->layout == geo::SpaceNetLayout::kRelease2019);
  CHECK(imagery->split == "test_public");
  REQUIRE(imagery->images.size() == 1);
  CHECK_FALSE(imagery->images[0].labels);
  CHECK(imagery->images[0].rasters.size() == 4);
  fs::path ps_ms = imagery->images[0].rasters.at(geo::SpaceNetProduct::kMulPanSharpen);
  CHECK(ps_ms.filename().string().rfind("SN3_roads_test_public_AOI_4_Shanghai_PS-MS_img", 0) == 0);
  CHECK(geo::ReadRasterInfo(ps_ms).width == 400);
  fs::path truth = dir / "truth" / "test_public" / "AOI_4_Shanghai";
  CHECK(fs::exists(truth / "summaryData" / "SN3_roads_test_public_AOI_4_Shanghai.csv"));
  CHECK(fs::is_directory(truth / "geojson_roads"));
}

TEST_CASE("rb-synth rejects requests it cannot honour before writing anything", "[synth]") {
  TempDir dir;
  ProcessResult too_many =
      Synth({"--city", "khartoum", "--images", "300", "--out", (dir / "x").string()});
  CHECK(too_many.exit_code == 2);
  CHECK_THAT(too_many.err, Catch::Contains("exceeds the 283 real khartoum road graphs"));
  ProcessResult size = Synth({"--size", "512", "--out", (dir / "x").string()});
  CHECK(size.exit_code == 2);
  CHECK_THAT(size.err, Catch::Contains("--roads procedural"));
  ProcessResult city = Synth({"--city", "rome", "--out", (dir / "x").string()});
  CHECK(city.exit_code == 2);
  CHECK(fs::is_empty(dir / "x"));
}

}  // namespace
}  // namespace rb
