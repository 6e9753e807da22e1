// rb-infer (windows, blending, whole vs windowed scenes, outputs on the input's grid) and
// rb-eval (confusion counts by hand, pairing, both aggregates).
#include <catch2/catch.hpp>

#include <cmath>

#include "common/geo/raster_io.hpp"
#include "common/nn/net.hpp"
#include "common/nn/segmentation_metrics.hpp"
#include "common/nn/solver.hpp"
#include "stages/eval/eval.hpp"
#include "stages/infer/infer.hpp"
#include "test/stages/learning_fixtures.hpp"
#include "test/support/test_support.hpp"

namespace rb {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::TempDir;

TEST_CASE("Windows cover an axis and blend weights ramp across the overlap", "[infer]") {
  CHECK(infer::WindowOrigins(100, 128, 16) == std::vector<int>{0});
  CHECK(infer::WindowOrigins(300, 128, 32) == std::vector<int>{0, 96, 172});
  CHECK(infer::WindowOrigins(224, 128, 32) == std::vector<int>{0, 96});
  CHECK(infer::WindowSize(1300, 1024, 128, 32) == 736);   // two windows, not two of 1024
  CHECK(infer::WindowSize(1300, 1344, 128, 32) == 1312);  // whole, padded
  CHECK(infer::WindowSize(5000, 512, 128, 32) == 512);
  CHECK(infer::BlendWeight(0, 128, 3, true, true) == Approx(0.25));
  CHECK(infer::BlendWeight(2, 128, 3, true, true) == Approx(0.75));
  CHECK(infer::BlendWeight(3, 128, 3, true, true) == 1.0f);
  CHECK(infer::BlendWeight(127, 128, 3, true, true) == Approx(0.25));
  CHECK(infer::BlendWeight(0, 128, 3, false, true) == 1.0f);
}

// A pointwise model (1x1 convolution and softmax): every pixel's probability depends on that
// pixel alone, so windowed and whole inference must agree everywhere.
infer::InferModel PointwiseModel(const fs::path& folder) {
  nlohmann::json model = {
      {"schema_version", 1},
      {"name", "pointwise"},
      {"layers",
       {{{"name", "data"},
         {"type", "Input"},
         {"top", "data"},
         {"input", {{"shape", {{1, 3, 8, 8}}}}}},
        {{"name", "score"},
         {"type", "Convolution"},
         {"bottom", "data"},
         {"top", "score"},
         {"convolution",
          {{"num_output", 2}, {"kernel_size", 1}, {"weight_filler", {{"type", "gaussian"}}}}}},
        {{"name", "prob"}, {"type", "Softmax"}, {"bottom", "score"}, {"top", "prob"}}}}};
  nn::NetSpec spec = nn::ParseNetSpec(model, "pointwise");
  nn::Net net(spec, {nn::Phase::kDeploy, nn::Backend::kReference, 4});
  fs::path weights = folder / "pointwise.safetensors";
  nn::SaveWeights(net, weights,
                  {{"model", model.dump()},
                   {"input", {{"bands", {"Coastal", "Blue", "Green"}}, {"scale", 1.0 / 255}}}});
  return infer::LoadInferModel(weights, {});
}

std::vector<float> Scene(const infer::InferModel& model, const geo::Raster& image, int window,
                         int overlap) {
  infer::ScenePlan plan{image.width(), image.height(), image.bands(), window, overlap, false};
  std::vector<float> out(image.band_pixels(), -1.0f);
  int next_row = 0;
  auto read = [&](int row, int rows) {
    std::vector<uint8_t> hwc(static_cast<size_t>(rows) * image.width() * image.bands());
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < image.width(); ++c)
        for (int b = 0; b < image.bands(); ++b)
          hwc[(static_cast<size_t>(r) * image.width() + c) * image.bands() + b] =
              image.At<uint8_t>(b, row + r, c);
    return hwc;
  };
  auto emit = [&](int row, int rows, const std::vector<float>& p) {
    REQUIRE(row == next_row);  // strips arrive in order, each once
    next_row = row + rows;
    std::copy(p.begin(), p.end(), out.begin() + static_cast<size_t>(row) * image.width());
  };
  infer::PredictScene(model, plan, nn::Backend::kReference, read, emit);
  CHECK(next_row == image.height());
  return out;
}

TEST_CASE("Windowed inference of a scene blends to what whole inference gives", "[infer]") {
  TempDir dir;
  infer::InferModel model = PointwiseModel(dir.path());
  test::RoadTile tile = test::MakeRoadTile(150, 3, 8);
  std::vector<float> whole = Scene(model, tile.image, 256, 0);
  std::vector<float> windowed = Scene(model, tile.image, 48, 12);
  for (size_t i = 0; i < whole.size(); ++i) {
    REQUIRE(whole[i] >= 0.0f);
    REQUIRE(windowed[i] == Approx(whole[i]).margin(1e-6));
  }
}

TEST_CASE("rb-infer writes probabilities and masks on the input's grid", "[infer][e2e]") {
  TempDir dir;
  infer::InferModel model = PointwiseModel(dir.path());
  test::RoadTile tile = test::MakeRoadTile(200, 3, 9);
  for (int c = 0; c < 10; ++c)  // a nodata corner
    for (int b = 0; b < 3; ++b) tile.image.At<uint8_t>(b, 0, c) = 0;
  tile.image.nodata = 0;
  geo::WriteGeoTiff(dir / "AOI_2_Vegas_img5.tif", tile.image);
  const geo::GeoReference input_georef = geo::ReadRasterInfo(dir / "AOI_2_Vegas_img5.tif").georef;
  for (const std::string window : {"1024", "64"}) {
    fs::path out = dir / ("out" + window);
    ProcessResult run =
        test::RunProcess({RB_INFER_PATH, "--images", (dir / "AOI_2_Vegas_img5.tif").string(),
                          "--weights", model.weights.string(), "--out", out.string(), "--window",
                          window, "--overlap", "16", "--mask", "--npy", "-q"});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    geo::RasterInfo info = geo::ReadRasterInfo(out / "AOI_2_Vegas_img5.prob.tif");
    CHECK(info.georef == input_georef);
    CHECK(info.type == geo::PixelType::kFloat32);
    geo::Raster prob = geo::ReadRaster(out / "AOI_2_Vegas_img5.prob.tif");
    geo::Raster mask = geo::ReadRaster(out / "AOI_2_Vegas_img5.mask.tif");
    CHECK(std::isnan(prob.At<float>(0, 0, 3)));
    CHECK(mask.At<uint8_t>(0, 0, 3) == 255);
    float p = prob.At<float>(0, 100, 100);
    CHECK((p >= 0.0f && p <= 1.0f));
    CHECK(mask.At<uint8_t>(0, 100, 100) == (p > 0.5f ? 1 : 0));
    CHECK(geo::ReadRasterInfo(out / "AOI_2_Vegas_img5.mask.tif").georef == input_georef);
    CHECK(fs::file_size(out / "AOI_2_Vegas_img5.prob.npy") > 200u * 200 * 4);
  }
  // Wrong inputs: unnamed bands of another count, a 16-bit image.
  geo::Raster wide(geo::PixelType::kUInt16, 3, 20, 20);
  wide.georef = tile.image.georef;
  geo::WriteGeoTiff(dir / "wide.tif", wide);
  ProcessResult bad =
      test::RunProcess({RB_INFER_PATH, "--images", (dir / "wide.tif").string(), "--weights",
                        model.weights.string(), "--out", (dir / "bad").string(), "-q"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("has UInt16 samples; rb-infer reads the Byte images"));
}

TEST_CASE("Confusion counts give IoU, precision, recall and F1", "[eval]") {
  nn::Confusion c(2);
  std::vector<uint8_t> predicted = {1, 1, 0, 0, 1, 0, 1};
  std::vector<uint8_t> truth = {1, 0, 1, 0, 1, 255, 255};
  c.Count(predicted, truth, 255);
  CHECK(c.pixels() == 5);
  CHECK(c.tp(1) == 2);
  CHECK(c.fp(1) == 1);
  CHECK(c.fn(1) == 1);
  CHECK(c.IoU(1) == Approx(0.5));
  CHECK(c.IoU(0) == Approx(1.0 / 3));
  CHECK(c.MeanIoU() == Approx((0.5 + 1.0 / 3) / 2));
  CHECK(c.Precision(1) == Approx(2.0 / 3));
  CHECK(c.F1(1) == Approx(2.0 / 3));
  nn::Confusion layer(2);
  layer.AddCounters(std::vector<int64_t>{1, 2, 1, 1, 1, 1});  // tp, fp, fn of both classes
  CHECK(layer.tp(1) == c.tp(1));
  CHECK(layer.pixels() == c.pixels());
  CHECK(std::isnan(nn::Confusion(2).IoU(1)));
}

TEST_CASE("rb-eval pairs images and reports per image and both aggregates", "[eval][e2e]") {
  TempDir dir;
  fs::create_directories(dir / "pred");
  fs::create_directories(dir / "labels");
  test::RoadTile a = test::MakeRoadTile(20, 1, 1), b = test::MakeRoadTile(20, 1, 2);
  // Image 1: a perfect prediction. Image 2: nothing predicted.
  geo::Raster pa(geo::PixelType::kFloat32, 1, 20, 20), pb(geo::PixelType::kFloat32, 1, 20, 20);
  for (int i = 0; i < 400; ++i) {
    pa.Band<float>(0)[i] = a.mask.Band<uint8_t>(0)[i] ? 0.9f : 0.1f;
    pb.Band<float>(0)[i] = 0.2f;
  }
  pa.georef = a.mask.georef;
  pb.georef = b.mask.georef;
  geo::WriteGeoTiff(dir / "pred/AOI_2_Vegas_img1.prob.tif", pa);
  geo::WriteGeoTiff(dir / "pred/AOI_2_Vegas_img2.prob.tif", pb);
  geo::WriteGeoTiff(dir / "labels/AOI_2_Vegas_img1.tif", a.mask);
  geo::WriteGeoTiff(dir / "labels/AOI_2_Vegas_img2.tif", b.mask);
  ProcessResult run =
      test::RunProcess({RB_EVAL_PATH, "--predictions", (dir / "pred").string(), "--labels",
                        (dir / "labels").string(), "--out", (dir / "m.json").string(), "--csv",
                        (dir / "m.csv").string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto m = nlohmann::json::parse(test::ReadText(dir / "m.json"));
  REQUIRE(m["images"].size() == 2);
  CHECK(m["images"][0]["image_id"] == "AOI_2_Vegas_img1");
  CHECK(m["images"][0]["iou"]["road"] == 1.0);
  CHECK(m["images"][1]["iou"]["road"] == 0.0);
  CHECK(m["mean_of_images"]["iou"]["road"] == Approx(0.5));
  double road_a = 0, road_b = 0;
  for (uint8_t v : a.mask.Band<uint8_t>(0)) road_a += v;
  for (uint8_t v : b.mask.Band<uint8_t>(0)) road_b += v;
  CHECK(m["dataset"]["iou"]["road"] == Approx(road_a / (road_a + road_b)));
  CHECK_THAT(test::ReadText(dir / "m.csv"),
             Catch::StartsWith("image_id,iou_road") && Catch::Contains("\nmean_of_images,0.5"));

  fs::remove(dir / "labels/AOI_2_Vegas_img2.tif");
  ProcessResult unpaired =
      test::RunProcess({RB_EVAL_PATH, "--predictions", (dir / "pred").string(), "--labels",
                        (dir / "labels").string(), "--out", (dir / "n.json").string(), "-q"});
  CHECK(unpaired.exit_code == 1);
  CHECK_THAT(unpaired.err, Catch::Contains("no label for prediction") &&
                               Catch::Contains("(image 'AOI_2_Vegas_img2')"));
  CHECK_FALSE(fs::exists(dir / "n.json"));
}

}  // namespace
}  // namespace rb
