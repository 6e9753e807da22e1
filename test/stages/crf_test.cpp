// rb-crf's core in memory: mean-field inference (zero pairwise weight, energy over iterations,
// the two-label path against the general one) and window refinement on the committed rb-synth
// sample.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/core/rng.hpp"
#include "common/geo/raster_io.hpp"
#include "stages/crf/crf.hpp"
#include "stages/crf/crf_windows.hpp"
#include "stages/crf/dense_crf.hpp"
#include "test/support/test_support.hpp"

namespace rb::crf {
namespace {

// A 48 x 40 test image: a bright diagonal road of width 5 on a darker, textured background, and
// a noisy road probability that thresholding gets wrong in many places.
struct TestImage {
  static constexpr int kHeight = 48, kWidth = 40;
  std::vector<float> intensity;  // (H, W)
  std::vector<uint8_t> road;     // truth
  std::vector<float> probability;

  explicit TestImage(uint64_t seed) {
    RandomStream random(seed, 0);
    for (int r = 0; r < kHeight; ++r) {
      for (int c = 0; c < kWidth; ++c) {
        const bool on_road = std::abs(r - c - 4) <= 2;
        road.push_back(on_road);
        intensity.push_back(static_cast<float>((on_road ? 180 : 90) + 10 * random.Normal()));
        const double logit = (on_road ? 1.0 : -1.0) + 1.5 * random.Normal();
        probability.push_back(static_cast<float>(1 / (1 + std::exp(-logit))));
      }
    }
  }
  int points() const { return kHeight * kWidth; }
  // Features (row, column, intensity) divided by sxy, sxy, srgb.
  std::vector<float> Features(float sxy, float srgb) const {
    std::vector<float> f;
    for (int i = 0; i < points(); ++i) {
      f.push_back(static_cast<float>(i / kWidth) / sxy);
      f.push_back(static_cast<float>(i % kWidth) / sxy);
      if (srgb > 0) f.push_back(intensity[i] / srgb);
    }
    return f;
  }
  std::vector<float> Unary() const {
    std::vector<float> u;
    for (float p : probability) {
      u.push_back(-std::log(std::max(1 - p, 1e-5f)));
      u.push_back(-std::log(std::max(p, 1e-5f)));
    }
    return u;
  }
};

// Random unary energies for `labels` labels.
std::vector<float> RandomUnary(int points, int labels, uint64_t seed) {
  RandomStream random(seed, 2);
  std::vector<float> u;
  for (int i = 0; i < points * labels; ++i) u.push_back(static_cast<float>(3 * random.Uniform()));
  return u;
}

int Argmax(std::span<const float> values) {
  return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

TEST_CASE("Mean field with zero pairwise weight returns the unary argmax", "[crf]") {
  const TestImage image(1);
  for (int labels : {2, 3}) {
    CAPTURE(labels);
    const std::vector<float> unary = RandomUnary(image.points(), labels, labels);
    DenseCrf crf(unary, labels);
    crf.AddGaussian(image.Features(3, 0).data(), 2, 0.0f);
    crf.AddGaussian(image.Features(20, 13).data(), 3, 0.0f);
    const std::vector<float> q = crf.Infer(5);
    for (int i = 0; i < image.points(); ++i) {
      std::span<const float> u(&unary[i * labels], labels);
      std::span<const float> qi(&q[i * labels], labels);
      std::vector<float> minus_u(u.begin(), u.end());
      for (float& x : minus_u) x = -x;
      REQUIRE(Argmax(qi) == Argmax(minus_u));
      // And Q is softmax(-U) itself.
      double z = 0;
      for (float x : minus_u) z += std::exp(x);
      for (int l = 0; l < labels; ++l)
        REQUIRE(qi[l] == Approx(std::exp(minus_u[l]) / z).margin(1e-6));
    }
  }
}

TEST_CASE("Mean-field energy decreases over iterations on a test image", "[crf]") {
  const TestImage image(2);
  DenseCrf crf(image.Unary(), 2);
  crf.AddGaussian(image.Features(3, 0).data(), 2, 3.0f);
  crf.AddGaussian(image.Features(20, 13).data(), 3, 10.0f);
  std::vector<double> energy;
  crf.Infer(8, [&](int, std::span<const float> q) { energy.push_back(crf.FreeEnergy(q)); });
  REQUIRE(energy.size() == 9);
  for (size_t k = 1; k < energy.size(); ++k) {
    CAPTURE(k, energy[k - 1], energy[k]);
    CHECK(energy[k] <= energy[k - 1] + 1e-6 * std::abs(energy[k - 1]));
  }
  CHECK(energy.back() < energy.front() - 0.05 * std::abs(energy.front()));
}

TEST_CASE("The two-label update matches the general one", "[crf]") {
  // Three labels whose third is all but impossible behave like two; the general softmax path
  // and the two-label sigmoid path must agree.
  const TestImage image(3);
  const std::vector<float> two = image.Unary();
  std::vector<float> three;
  for (int i = 0; i < image.points(); ++i) {
    three.insert(three.end(), {two[2 * i], two[2 * i + 1], 60.0f});
  }
  DenseCrf crf2(two, 2), crf3(three, 3);
  for (DenseCrf* crf : {&crf2, &crf3}) {
    crf->AddGaussian(image.Features(3, 0).data(), 2, 3.0f);
    crf->AddGaussian(image.Features(20, 13).data(), 3, 10.0f);
  }
  const std::vector<float> q2 = crf2.Infer(5);
  const std::vector<float> q3 = crf3.Infer(5);
  for (int i = 0; i < image.points(); ++i) {
    REQUIRE(q2[2 * i + 1] == Approx(q3[3 * i + 1]).margin(1e-4));
    REQUIRE(q3[3 * i + 2] < 1e-20);
  }
}

double RoadIoU(const geo::Raster& labels, const std::vector<uint8_t>& truth) {
  int64_t both = 0, either = 0;
  std::span<const uint8_t> l = labels.Band<uint8_t>(0);
  for (size_t i = 0; i < truth.size(); ++i) {
    both += l[i] == 1 && truth[i] == 1;
    either += l[i] == 1 || truth[i] == 1;
  }
  return static_cast<double>(both) / static_cast<double>(either);
}

TEST_CASE("RefineWindow raises road IoU on the committed rb-synth sample", "[crf]") {
  // The committed sample's PAN band (11-bit) and its road-surface truth in a 400 x 400 window,
  // with a probability map that is the truth drowned in noise.
  const geo::PixelWindow window{300, 0, 400, 400};
  geo::Raster pan = geo::ReadRaster(
      test::DataSample("synth/AOI_2_Vegas_Roads_Train/PAN/PAN_AOI_2_Vegas_img806.tif"),
      {.window = window, .as_type = geo::PixelType::kFloat32});
  geo::Raster truth = geo::ReadRaster(
      test::DataSample("synth/truth/AOI_2_Vegas_Roads_Train/truth_AOI_2_Vegas_img806.tif"),
      {.window = window, .bands = {1}});
  std::vector<uint8_t> road(truth.Band<uint8_t>(0).begin(), truth.Band<uint8_t>(0).end());
  REQUIRE(std::count(road.begin(), road.end(), 1) > 4000);
  geo::Raster probability(geo::PixelType::kFloat32, 1, 400, 400);
  RandomStream random(5, 0);
  for (size_t i = 0; i < road.size(); ++i) {
    const double logit = 1.2 * (road[i] ? 1 : -1) + 1.6 * random.Normal();
    probability.Band<float>(0)[i] = static_cast<float>(1 / (1 + std::exp(-logit)));
  }
  CrfParams params;
  params.appearance_srgb = {13 * 8};  // 11-bit band: 8x the 8-bit default
  Refined refined = RefineWindow(probability, &pan, params);
  const double before = RoadIoU(ArgmaxLabels(probability), road);
  const double after = RoadIoU(refined.labels, road);
  CAPTURE(before, after);
  CHECK(after > before + 0.2);
  CHECK(refined.stats.crf_pixels == 400 * 400);
  CHECK(refined.stats.dims == std::vector<int>{2, 3});
  // Probabilities stay probabilities, labels follow them.
  std::span<const float> p = refined.probability.Band<float>(0);
  std::span<const uint8_t> l = refined.labels.Band<uint8_t>(0);
  for (size_t i = 0; i < p.size(); ++i) {
    REQUIRE(p[i] >= 0.0f);
    REQUIRE(p[i] <= 1.0f);
    REQUIRE(l[i] == (p[i] > 0.5f ? 1 : 0));
  }
}

TEST_CASE("RefineWindow keeps nodata and passes through pixels without image values", "[crf]") {
  geo::Raster probability(geo::PixelType::kFloat32, 3, 20, 30);
  geo::Raster image(geo::PixelType::kFloat32, 1, 20, 30);
  RandomStream random(9, 0);
  for (int b = 0; b < 3; ++b) {
    for (float& v : probability.Band<float>(b)) v = static_cast<float>(random.Uniform());
  }
  for (float& v : image.Band<float>(0)) v = static_cast<float>(255 * random.Uniform());
  probability.Band<float>(1)[5] = std::nanf("");  // nodata: every band of the output NaN
  image.Band<float>(0)[7] = std::nanf("");        // no image value: probabilities kept
  Refined refined = RefineWindow(probability, &image, CrfParams{});
  REQUIRE(refined.probability.bands() == 3);
  CHECK(refined.stats.crf_pixels == 20 * 30 - 2);
  for (int b = 0; b < 3; ++b) {
    CHECK(std::isnan(refined.probability.Band<float>(b)[5]));
    CHECK(refined.probability.Band<float>(b)[7] == probability.Band<float>(b)[7]);
  }
  CHECK(refined.labels.Band<uint8_t>(0)[5] == 255);
  // Three classes: refined probabilities sum to one where the CRF ran.
  for (int i : {0, 100, 599}) {
    float sum = 0;
    for (int b = 0; b < 3; ++b) sum += refined.probability.Band<float>(b)[i];
    CHECK(sum == Approx(1.0f).margin(1e-5));
  }
}

TEST_CASE("Windows cover a raster once with clipped context", "[crf]") {
  CHECK(PlanWindows(1300, 1300, 2048, 160).size() == 1);
  std::vector<WindowPlan> plans = PlanWindows(500, 300, 200, 50);
  REQUIRE(plans.size() == 6);
  int64_t area = 0;
  for (const WindowPlan& plan : plans) {
    area += int64_t{plan.core.width} * plan.core.height;
    CHECK(plan.context.column == std::max(0, plan.core.column - 50));
    CHECK(plan.context.column + plan.context.width ==
          std::min(500, plan.core.column + plan.core.width + 50));
  }
  CHECK(area == 500 * 300);
  CHECK(plans.back().core.width == 100);
  CHECK(plans.back().core.height == 100);
}

}  // namespace
}  // namespace rb::crf
