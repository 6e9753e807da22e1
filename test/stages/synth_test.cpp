// rb-synth's core, in memory: scenes behave like the real data where the seed's ideas depend on
// it (materials separate in the bands, labels sit on the painted roads), and are deterministic.
#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "stages/synth/synth.hpp"

namespace rb::synth {
namespace {

struct Rendered {
  ImagePlan plan;
  SynthImage image;
};

SynthOptions Options(const char* city) {
  SynthOptions options;
  options.style = &CityStyleFor(city);
  options.images = 1;
  options.seed = 11;
  options.road_csv = std::filesystem::path(RB_TEST_DATA_DIR) / "spacenet" / "summaryData" /
                     (std::string(options.style->aoi) + "_Roads_Train.csv.gz");
  return options;
}

// The first planned image that has at least a few roads.
Rendered RenderWithRoads(const char* city) {
  SynthOptions options = Options(city);
  options.images = 6;
  for (ImagePlan& plan : PlanImages(options)) {
    if (plan.lines.size() >= 3) return {plan, RenderImage(plan, options)};
  }
  FAIL("no image with roads");
  throw;
}

cv::Mat BandMat(const geo::Raster& raster, int band) {
  return cv::Mat(raster.height(), raster.width(), CV_16U,
                 const_cast<uint16_t*>(raster.Band<uint16_t>(band).data()));
}

// Pixels within `half_width_m` of the label centerlines.
cv::Mat LabelBuffer(const Rendered& r, double half_width_m) {
  Canvas canvas(r.image.scene.canvas.size, r.plan.scale);
  for (const geo::LineString& line : r.plan.lines) {
    canvas.StrokeLine(line, 2 * half_width_m, {.road = 1});
  }
  return canvas.road;
}

double MeanWhere(const cv::Mat& band, const cv::Mat& mask) { return cv::mean(band, mask)[0]; }

TEST_CASE("Vegetation is bright and roads are dark in the near infrared", "[synth]") {
  for (const char* city : {"vegas", "paris", "shanghai"}) {
    INFO(city);
    Rendered r = RenderWithRoads(city);
    const Canvas& canvas = r.image.scene.canvas;
    const geo::Raster& ms = r.image.imagery.mul_pansharpen;
    cv::Mat sunlit = canvas.shade > 0.99f;
    cv::Mat vegetation = (canvas.material == static_cast<int>(Material::kTree)) |
                         (canvas.material == static_cast<int>(Material::kGrass));
    // Asphalt: the man-made surface the seed contrasts with vegetation.
    cv::Mat asphalt = (canvas.material == static_cast<int>(Material::kAsphaltFresh)) |
                      (canvas.material == static_cast<int>(Material::kAsphaltAged));
    cv::Mat road = (canvas.road == 1) & (canvas.occluder == 0) & sunlit & asphalt;
    vegetation &= sunlit;
    REQUIRE(cv::countNonZero(vegetation) > 500);
    REQUIRE(cv::countNonZero(road) > 500);
    double vegetation_nir = MeanWhere(BandMat(ms, kNir1), vegetation);
    double road_nir = MeanWhere(BandMat(ms, kNir1), road);
    double vegetation_red = MeanWhere(BandMat(ms, kRed), vegetation);
    CHECK(vegetation_nir > 2.0 * road_nir);
    CHECK(vegetation_nir > 3.0 * vegetation_red);  // the red edge
  }
}

// Kolmogorov-Smirnov distance between the values of `band` under two masks.
double KsDistance(const cv::Mat& band, const cv::Mat& a, const cv::Mat& b) {
  auto values = [&](const cv::Mat& mask) {
    std::vector<uint16_t> out;
    for (int y = 0; y < band.rows; ++y) {
      for (int x = 0; x < band.cols; ++x) {
        if (mask.at<uint8_t>(y, x)) out.push_back(band.at<uint16_t>(y, x));
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  std::vector<uint16_t> va = values(a), vb = values(b);
  double worst = 0;
  size_t i = 0, j = 0;
  while (i < va.size() && j < vb.size()) {
    uint16_t v = std::min(va[i], vb[j]);
    while (i < va.size() && va[i] == v) ++i;
    while (j < vb.size() && vb[j] == v) ++j;
    worst = std::max(
        worst, std::abs(static_cast<double>(i) / va.size() - static_cast<double>(j) / vb.size()));
  }
  return worst;
}

TEST_CASE("Road pixels under the label buffer differ from the background in red edge and NIR",
          "[synth]") {
  // The 2 m label buffer against ground more than 20 m from any label: clearly different
  // distributions in every city (Kolmogorov-Smirnov distance), and much darker on Vegas asphalt.
  for (const char* city : {"vegas", "paris", "shanghai", "khartoum"}) {
    INFO(city);
    Rendered r = RenderWithRoads(city);
    const geo::Raster& ms = r.image.imagery.mul_pansharpen;
    cv::Mat buffer = LabelBuffer(r, 2.0);
    cv::Mat near = LabelBuffer(r, 20.0);
    cv::Mat valid = r.image.imagery.nodata == 0;
    cv::Mat background = (near == 0) & valid;
    buffer &= valid;
    REQUIRE(cv::countNonZero(background) > 10000);
    for (int band : {kRedEdge, kNir1, kNir2}) {
      double distance = KsDistance(BandMat(ms, band), buffer, background);
      double on_road = MeanWhere(BandMat(ms, band), buffer);
      double off_road = MeanWhere(BandMat(ms, band), background);
      INFO("band " << band << ": road " << on_road << ", background " << off_road << ", KS "
                   << distance);
      CHECK(distance > 0.15);
      if (std::string(city) == "vegas") CHECK(on_road < 0.75 * off_road);
    }
  }
}

TEST_CASE("Labels lie on the painted road surface within SpaceNet's 2 m rule", "[synth]") {
  for (const char* city : {"vegas", "khartoum"}) {
    INFO(city);
    Rendered r = RenderWithRoads(city);
    const Canvas& canvas = r.image.scene.canvas;
    // Sample the label centerlines every metre: nearly all samples fall on the drawn surface,
    // and all within 2.5 m of it (the displacement field is at most 1.4 * sqrt(2) m).
    cv::Mat grown;
    double reach_px = 2.5 / std::min(r.plan.scale.x_m, r.plan.scale.y_m);
    cv::dilate(
        canvas.road, grown,
        cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * reach_px + 1, 2 * reach_px + 1)));
    int samples = 0, on_surface = 0, near_surface = 0;
    for (const geo::LineString& line : r.plan.lines) {
      for (size_t i = 0; i + 1 < line.size(); ++i) {
        double length = LengthMetres({line[i], line[i + 1]}, r.plan.scale);
        for (double t = 0; t < length; t += 1.0) {
          double f = t / length;
          int x = static_cast<int>(line[i].x + f * (line[i + 1].x - line[i].x));
          int y = static_cast<int>(line[i].y + f * (line[i + 1].y - line[i].y));
          if (x < 0 || y < 0 || x >= canvas.size || y >= canvas.size) continue;
          ++samples;
          on_surface += canvas.road.at<uint8_t>(y, x);
          near_surface += grown.at<uint8_t>(y, x);
        }
      }
    }
    REQUIRE(samples > 200);
    CHECK(on_surface > 0.9 * samples);
    CHECK(near_surface == samples);
  }
}

TEST_CASE("A rendered image depends only on the seed and the image", "[synth]") {
  SynthOptions options = Options("khartoum");
  options.images = 2;
  std::vector<ImagePlan> plans = PlanImages(options);
  SynthImage first = RenderImage(plans[1], options);
  SynthImage again = RenderImage(plans[1], options);
  auto bytes = [](const geo::Raster& raster) {
    return std::vector<std::byte>(raster.bytes().begin(), raster.bytes().end());
  };
  CHECK(bytes(first.imagery.mul_pansharpen) == bytes(again.imagery.mul_pansharpen));
  CHECK(bytes(first.imagery.pan) == bytes(again.imagery.pan));
  // Asking for more images keeps the ones already chosen identical.
  options.images = 3;
  std::vector<ImagePlan> more = PlanImages(options);
  bool found = false;
  for (const ImagePlan& plan : more) {
    if (plan.image_id == plans[1].image_id) {
      found = true;
      CHECK(bytes(RenderImage(plan, options).imagery.pan) == bytes(first.imagery.pan));
    }
  }
  CHECK(found);
  options.seed = 12;
  CHECK(bytes(RenderImage(plans[1], options).imagery.pan) != bytes(first.imagery.pan));
}

TEST_CASE("Images come from the city's real graphs or its procedural grid", "[synth]") {
  SynthOptions options = Options("paris");
  options.images = 5;
  std::vector<ImagePlan> plans = PlanImages(options);
  REQUIRE(plans.size() == 5);
  for (const ImagePlan& plan : plans) {
    CHECK(plan.image_id.rfind("AOI_3_Paris_img", 0) == 0);
    // Paris is at 48.9 N: pixels 0.30 m tall and 0.20 m wide on the ground.
    CHECK(plan.scale.y_m == Approx(0.2995).margin(0.001));
    CHECK(plan.scale.x_m == Approx(0.197).margin(0.002));
    auto gt = plan.georef.transform->coefficients();
    double steps = (gt[0] - CityStyleFor("paris").grid_lon0) / 0.00351;
    CHECK(steps == Approx(std::round(steps)).margin(1e-6));  // on the tile grid
  }
  options.images = 400;  // Paris has 310 real graphs
  CHECK_THROWS_WITH(PlanImages(options), Catch::Contains("exceeds the 310 real paris road graphs"));
  options.procedural = true;
  options.size = 512;
  std::vector<ImagePlan> procedural = PlanImages(options);
  CHECK(procedural.size() == 400);
  size_t lines = 0;
  for (const ImagePlan& plan : procedural) lines += plan.lines.size();
  CHECK(lines > 400);
  for (const geo::Point2& p : procedural[0].lines[0]) {
    CHECK(p.x >= 0);
    CHECK(p.x <= 512);
  }
}

}  // namespace
}  // namespace rb::synth
