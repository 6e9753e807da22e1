// rb-crf as a process on an rb-synth scene: road IoU against thresholding, georeference and
// nodata through the outputs, thread-count independence, tiles, folders, and bad inputs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>

#include "common/core/rng.hpp"
#include "common/geo/raster_io.hpp"
#include "test/support/test_support.hpp"

namespace rb {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::TempDir;

void CheckOneLineError(const ProcessResult& result, const std::string& fragment) {
  test::CheckOneLineError(result, "rb-crf: error: ", fragment);
}

// One procedural rb-synth scene (384 x 384), prepared to 8-bit RGB by rb-prep, its road-surface
// truth, and a road probability that is the truth drowned in noise, with a 20 x 20 nodata block.
struct Scene {
  TempDir dir;
  fs::path image;
  fs::path prob;
  std::vector<uint8_t> road;
  static constexpr int kSize = 384;

  Scene() {
    const fs::path synth = dir / "synth";
    REQUIRE(test::RunBinary(RB_SYNTH_PATH,
                            {"--city", "vegas", "--images", "1", "--seed", "3", "--roads",
                             "procedural", "--size", std::to_string(kSize), "--emit-truth", "--out",
                             synth.string(), "-q", "--no-report"})
                .exit_code == 0);
    const fs::path aoi = synth / "AOI_2_Vegas_Roads_Train";
    const fs::path mul = aoi / "MUL-PanSharpen" / "MUL-PanSharpen_AOI_2_Vegas_img4.tif";
    image = dir / "prep" / "AOI_2_Vegas_img4.tif";
    fs::create_directories(image.parent_path());
    ProcessResult prep =
        test::RunBinary(RB_PREP_PATH, {"image", "--input", mul.string(), "--bands", "rgb", "--out",
                                       image.string(), "-q", "--no-report"});
    INFO(prep.err);
    REQUIRE(prep.exit_code == 0);
    geo::Raster truth = geo::ReadRaster(
        synth / "truth" / "AOI_2_Vegas_Roads_Train" / "truth_AOI_2_Vegas_img4.tif", {.bands = {1}});
    road.assign(truth.Band<uint8_t>(0).begin(), truth.Band<uint8_t>(0).end());
    prob = dir / "pred" / "AOI_2_Vegas_img4.prob.tif";
    fs::create_directories(prob.parent_path());
    geo::WriteGeoTiff(prob, NoisyProbability(geo::ReadRasterInfo(image).georef, 1));
  }

  geo::Raster NoisyProbability(const geo::GeoReference& georef, uint64_t seed) const {
    geo::Raster p(geo::PixelType::kFloat32, 1, kSize, kSize);
    p.georef = georef;
    p.nodata = std::nan("");
    RandomStream random(seed, 0);
    std::span<float> values = p.Band<float>(0);
    for (size_t i = 0; i < values.size(); ++i) {
      const double logit = 1.2 * (road[i] ? 1 : -1) + 1.6 * random.Normal();
      values[i] = static_cast<float>(1 / (1 + std::exp(-logit)));
      if (i / kSize >= 100 && i / kSize < 120 && i % kSize < 20) values[i] = std::nanf("");
    }
    return p;
  }
};

const Scene& SharedScene() {
  static Scene scene;
  return scene;
}

double RoadIoU(std::span<const uint8_t> labels, const std::vector<uint8_t>& truth) {
  int64_t both = 0, either = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    both += labels[i] == 1 && truth[i] == 1;
    either += labels[i] == 1 || truth[i] == 1;
  }
  return static_cast<double>(both) / static_cast<double>(either);
}

std::vector<uint8_t> Threshold(const fs::path& prob) {
  geo::Raster p = geo::ReadRaster(prob);
  std::vector<uint8_t> labels;
  for (float v : p.Band<float>(0)) labels.push_back(v > 0.5f);
  return labels;
}

TEST_CASE("rb-crf raises road IoU over thresholding on an rb-synth scene", "[crf][e2e]") {
  const Scene& scene = SharedScene();
  TempDir out;
  ProcessResult run = test::RunBinary(
      RB_CRF_PATH, {"--prob", scene.prob.string(), "--image", scene.image.string(), "--out",
                    out.path().string(), "--compare", "--threads", "1", "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(out.List() == std::vector<std::string>{
                          "AOI_2_Vegas_img4.compare.png", "AOI_2_Vegas_img4.mask.tif",
                          "AOI_2_Vegas_img4.prob.tif", "AOI_2_Vegas_img4.prob.tif.report.json"});
  geo::Raster mask = geo::ReadRaster(out / "AOI_2_Vegas_img4.mask.tif");
  const double before = RoadIoU(Threshold(scene.prob), scene.road);
  const double after = RoadIoU(mask.Band<uint8_t>(0), scene.road);
  CAPTURE(before, after);
  CHECK(after > before + 0.2);
  // Georeference preserved; the nodata block stays nodata.
  const geo::RasterInfo info = geo::ReadRasterInfo(out / "AOI_2_Vegas_img4.prob.tif");
  CHECK(info.georef == geo::ReadRasterInfo(scene.image).georef);
  CHECK(info.type == geo::PixelType::kFloat32);
  geo::Raster refined = geo::ReadRaster(out / "AOI_2_Vegas_img4.prob.tif");
  const size_t inside = 110 * Scene::kSize + 10;
  CHECK(std::isnan(refined.Band<float>(0)[inside]));
  CHECK(mask.Band<uint8_t>(0)[inside] == 255);
  CHECK(mask.nodata == 255.0);
  auto report =
      nlohmann::json::parse(test::ReadText(out / "AOI_2_Vegas_img4.prob.tif.report.json"));
  const auto& figures = report["figures"]["files"][0];
  CHECK(figures["crf_pixels"] == Scene::kSize * Scene::kSize - 400);
  CHECK(figures["kernel_dims"] == nlohmann::json{2, 5});
  CHECK(figures["changed"].get<int64_t>() > 1000);
  geo::RasterInfo png = geo::ReadRasterInfo(out / "AOI_2_Vegas_img4.compare.png");
  CHECK(png.width == 3 * Scene::kSize + 16);
  CHECK(png.height == Scene::kSize);
}

TEST_CASE("rb-crf gives the same values whatever the thread count and tiles large rasters",
          "[crf][e2e]") {
  const Scene& scene = SharedScene();
  TempDir out;
  auto run = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "--prob", scene.prob.string(),   "--image", scene.image.string(),
        "--out",  (out / name).string(), "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult result = test::RunBinary(RB_CRF_PATH, args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return geo::ReadRaster(out / name / "AOI_2_Vegas_img4.prob.tif");
  };
  geo::Raster one = run("one", {"--threads", "1"});
  geo::Raster two = run("two", {"--threads", "2"});
  CHECK(std::equal(one.bytes().begin(), one.bytes().end(), two.bytes().begin(),
                   [](std::byte a, std::byte b) { return a == b; }));
  geo::Raster tiled = run("tiled", {"--tile", "160", "--margin", "96", "--threads", "1"});
  auto report = nlohmann::json::parse(
      test::ReadText(out / "tiled" / "AOI_2_Vegas_img4.prob.tif.report.json"));
  CHECK(report["figures"]["files"][0]["windows"] == 9);
  int64_t same = 0, valid = 0;
  std::span<const float> a = one.Band<float>(0), b = tiled.Band<float>(0);
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i])) continue;
    ++valid;
    same += (a[i] > 0.5f) == (b[i] > 0.5f);
  }
  CHECK(static_cast<double>(same) / valid > 0.98);
}

TEST_CASE("rb-crf pairs folders of probabilities and images by ImageId", "[crf][e2e]") {
  const Scene& scene = SharedScene();
  TempDir dir;
  fs::create_directories(dir / "pred");
  fs::create_directories(dir / "prep");
  geo::GeoReference georef = geo::ReadRasterInfo(scene.image).georef;
  for (int k : {4, 12}) {
    const std::string id = "AOI_2_Vegas_img" + std::to_string(k);
    fs::copy_file(scene.image, dir / "prep" / (id + ".tif"));
    geo::WriteGeoTiff(dir / "pred" / (id + ".prob.tif"), scene.NoisyProbability(georef, k));
  }
  ProcessResult run = test::RunBinary(
      RB_CRF_PATH, {"--prob", (dir / "pred").string(), "--image", (dir / "prep").string(), "--out",
                    (dir / "crf").string(), "--iterations", "2", "--threads", "1", "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  for (const char* name : {"AOI_2_Vegas_img4.prob.tif", "AOI_2_Vegas_img4.mask.tif",
                           "AOI_2_Vegas_img12.prob.tif", "AOI_2_Vegas_img12.mask.tif"}) {
    CHECK(fs::exists(dir / "crf" / name));
  }
  fs::remove(dir / "prep" / "AOI_2_Vegas_img12.tif");
  ProcessResult unpaired = test::RunBinary(
      RB_CRF_PATH, {"--prob", (dir / "pred").string(), "--image", (dir / "prep").string(), "--out",
                    (dir / "crf2").string(), "-q"});
  CHECK(unpaired.exit_code == 1);
  CheckOneLineError(unpaired, "no image for probabilities");
  CHECK(!fs::exists(dir / "crf2" / "AOI_2_Vegas_img4.prob.tif"));
}

TEST_CASE("rb-crf rejects bad inputs with one line and no output", "[crf][e2e]") {
  const Scene& scene = SharedScene();
  TempDir dir;
  const std::string out = (dir / "out").string();
  // An image on another grid.
  geo::Raster small(geo::PixelType::kUInt8, 3, 100, 120);
  small.georef = geo::ReadRasterInfo(scene.image).georef;
  geo::WriteGeoTiff(dir / "small.tif", small);
  ProcessResult grid = test::RunBinary(
      RB_CRF_PATH,
      {"--prob", scene.prob.string(), "--image", (dir / "small.tif").string(), "--out", out, "-q"});
  CHECK(grid.exit_code == 2);
  CheckOneLineError(grid, "is not on the grid of probabilities");
  // A probability above one, named by its pixel.
  geo::Raster bad = geo::ReadRaster(scene.prob);
  bad.At<float>(0, 7, 5) = 1.5f;
  geo::WriteGeoTiff(dir / "bad.tif", bad);
  ProcessResult range = test::RunBinary(
      RB_CRF_PATH,
      {"--prob", (dir / "bad.tif").string(), "--image", scene.image.string(), "--out", out, "-q"});
  CHECK(range.exit_code == 1);
  CheckOneLineError(range, "probability 1.5 at (col 5, row 7)");
  // The appearance kernel without an image; srgb values that fit no band count.
  ProcessResult no_image =
      test::RunBinary(RB_CRF_PATH, {"--prob", scene.prob.string(), "--out", out});
  CHECK(no_image.exit_code == 2);
  CheckOneLineError(no_image, "needs --image");
  ProcessResult srgb =
      test::RunBinary(RB_CRF_PATH, {"--prob", scene.prob.string(), "--image", scene.image.string(),
                                    "--appearance-srgb", "10,20", "--out", out, "-q"});
  CHECK(srgb.exit_code == 2);
  CheckOneLineError(srgb, "2 srgb values for 3 image bands");
  CHECK(!fs::exists(dir / "out" / "AOI_2_Vegas_img4.prob.tif"));
  CHECK(!fs::exists(dir / "out" / "bad.prob.tif"));
  // Without the appearance kernel no image is needed.
  ProcessResult smooth_only =
      test::RunBinary(RB_CRF_PATH, {"--prob", scene.prob.string(), "--appearance-compat", "0",
                                    "--out", out, "--threads", "1", "-q"});
  INFO(smooth_only.err);
  CHECK(smooth_only.exit_code == 0);
}

}  // namespace
}  // namespace rb
