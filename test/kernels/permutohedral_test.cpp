// The permutohedral lattice against the explicit Gaussian filter it approximates, its linearity,
// its independence from the thread count, and its input checks.
#include <tbb/global_control.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common/core/rng.hpp"
#include "roadbrew/kernels/permutohedral.hpp"
#include "test/support/test_support.hpp"

namespace rb::kernels::cpu {
namespace {

// Features of a small image: (row, column) / sxy, then `bands` channels / 20 of a picture with
// two halves, a diagonal stripe and noise, as a bilateral kernel sees an image.
std::vector<float> ImageFeatures(int height, int width, float sxy, int bands, uint64_t seed) {
  RandomStream random(seed, 0);
  const int dims = 2 + bands;
  std::vector<float> features(static_cast<size_t>(height) * width * dims);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      float* f = &features[(static_cast<size_t>(r) * width + c) * dims];
      f[0] = r / sxy;
      f[1] = c / sxy;
      for (int b = 0; b < bands; ++b) {
        const double value = (c < width / 2 ? 40 : 200) + (std::abs(r - c) < 3 ? 80 : 0) + 30 * b +
                             8 * random.Normal();
        f[2 + b] = static_cast<float>(value / 20);
      }
    }
  }
  return features;
}

// Two channels per point: uniform noise and a step (the right half), both in [0, 1].
std::vector<float> TestValues(int height, int width, uint64_t seed) {
  RandomStream random(seed, 1);
  std::vector<float> values;
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      values.push_back(static_cast<float>(random.Uniform()));
      values.push_back(c < width / 2 ? 0.0f : 1.0f);
    }
  }
  return values;
}

// Each filter normalised by its response to ones: what a CRF uses.
std::vector<float> Normalised(const std::vector<float>& filtered, const std::vector<float>& ones) {
  std::vector<float> out(filtered.size());
  for (size_t i = 0; i < filtered.size(); ++i) out[i] = filtered[i] / ones[i / 2];
  return out;
}

struct Errors {
  double max = 0;
  double mean = 0;
};

Errors Compare(const std::vector<float>& a, const std::vector<float>& b) {
  Errors e;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::abs(a[i] - b[i]);
    e.max = std::max(e.max, d);
    e.mean += d / a.size();
  }
  return e;
}

TEST_CASE("Lattice filtering approximates the explicit Gaussian filter on small images",
          "[lattice]") {
  // Stated tolerance: for values in [0, 1] the normalised lattice filter is within 0.08 of the
  // normalised exact filter at every pixel and within 0.01 on average (measured: 0.06 and 0.008
  // at worst over these cases).
  const int height = 32, width = 32, n = height * width;
  const std::vector<float> values = TestValues(height, width, 7);
  const std::vector<float> ones(n, 1.0f);
  for (int bands : {0, 1, 3}) {
    for (float sxy : {3.0f, 10.0f}) {
      CAPTURE(bands, sxy);
      const int dims = 2 + bands;
      const std::vector<float> f = ImageFeatures(height, width, sxy, bands, 11);
      PermutohedralLattice lattice(f.data(), n, dims);
      std::vector<float> lv(2 * n), l1(n), ev(2 * n), e1(n);
      lattice.Filter(values.data(), lv.data(), 2);
      lattice.Filter(ones.data(), l1.data(), 1);
      GaussianFilterExact(f.data(), n, dims, values.data(), ev.data(), 2);
      GaussianFilterExact(f.data(), n, dims, ones.data(), e1.data(), 1);
      const std::vector<float> exact = Normalised(ev, e1);
      const Errors lattice_error = Compare(Normalised(lv, l1), exact);
      CHECK(lattice_error.max < 0.08);
      CHECK(lattice_error.mean < 0.01);
      // The lattice is closer to this Gaussian than Gaussians 30% narrower or wider are.
      for (float scale : {1.3f, 0.7f}) {
        std::vector<float> other = f;
        for (float& x : other) x *= scale;
        GaussianFilterExact(other.data(), n, dims, values.data(), ev.data(), 2);
        GaussianFilterExact(other.data(), n, dims, ones.data(), e1.data(), 1);
        const Errors other_error = Compare(Normalised(ev, e1), exact);
        CAPTURE(scale, lattice_error.mean, other_error.mean);
        CHECK(lattice_error.mean < other_error.mean);
      }
    }
  }
}

TEST_CASE("The lattice's kernel has unit standard deviation along each feature", "[lattice]") {
  // A dense line of points in 3-D: the response to one point spreads like exp(-x^2 / 2).
  const int n = 801;
  const float step = 0.05f;
  for (int axis = 0; axis < 3; ++axis) {
    std::vector<float> f(n * 3, 0.0f);
    for (int i = 0; i < n; ++i) f[i * 3 + axis] = (i - n / 2) * step;
    std::vector<float> delta(n, 0.0f), response(n);
    delta[n / 2] = 1.0f;
    PermutohedralLattice lattice(f.data(), n, 3);
    lattice.Filter(delta.data(), response.data(), 1);
    double m0 = 0, m2 = 0;
    for (int i = 0; i < n; ++i) {
      const double x = (i - n / 2) * step;
      m0 += response[i];
      m2 += response[i] * x * x;
    }
    CAPTURE(axis);
    CHECK(std::sqrt(m2 / m0) == Approx(1.0).margin(0.1));
  }
}

TEST_CASE("Lattice filtering is linear and channels are independent", "[lattice]") {
  const int height = 24, width = 20, n = height * width;
  const std::vector<float> f = ImageFeatures(height, width, 5, 3, 3);
  PermutohedralLattice lattice(f.data(), n, 5);
  const std::vector<float> two = TestValues(height, width, 5);  // (n, 2)
  std::vector<float> three(3 * n), combined(n);
  for (int i = 0; i < n; ++i) {
    three[3 * i] = two[2 * i];
    three[3 * i + 1] = two[2 * i + 1];
    three[3 * i + 2] = 2 * two[2 * i] - 3 * two[2 * i + 1];
    combined[i] = three[3 * i + 2];
  }
  std::vector<float> out3(3 * n), out2(2 * n), out1(n);
  lattice.Filter(three.data(), out3.data(), 3);  // the any-channel path
  lattice.Filter(two.data(), out2.data(), 2);    // the 2-channel path
  lattice.Filter(combined.data(), out1.data(), 1);
  for (int i = 0; i < n; ++i) {
    CHECK(out3[3 * i] == Approx(out2[2 * i]).margin(1e-4));
    CHECK(out3[3 * i + 1] == Approx(out2[2 * i + 1]).margin(1e-4));
    CHECK(out3[3 * i + 2] == Approx(out1[i]).margin(1e-4));
    CHECK(out1[i] == Approx(2 * out2[2 * i] - 3 * out2[2 * i + 1]).margin(1e-3));
  }
  // In place gives the same values.
  std::vector<float> in_place = two;
  lattice.Filter(in_place.data(), in_place.data(), 2);
  CHECK(in_place == out2);
}

TEST_CASE("Lattice results do not depend on the thread count", "[lattice]") {
  // 300k points: several splat chunks and many parallel pieces in every pass.
  const int height = 600, width = 500, n = height * width;
  const std::vector<float> f = ImageFeatures(height, width, 20, 2, 9);
  const std::vector<float> values = TestValues(height, width, 13);
  auto run = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    PermutohedralLattice lattice(f.data(), n, 4);
    std::vector<float> out(2 * n);
    lattice.Filter(values.data(), out.data(), 2);
    return std::make_pair(lattice.vertices(), out);
  };
  auto one = run(1);
  auto two = run(2);
  auto three = run(3);
  CHECK(one.first == two.first);
  CHECK(one.second == two.second);
  CHECK(one.second == three.second);
}

TEST_CASE("The lattice rejects features it cannot place", "[lattice]") {
  std::vector<float> f = {0, 0, 1, 1, 2, 2};
  CHECK_THAT(
      test::ErrorText(ErrorCode::kInvalidArgument, [&] { PermutohedralLattice(f.data(), 3, 0); }),
      Catch::Contains("dimension 0"));
  CHECK_THAT(
      test::ErrorText(ErrorCode::kInvalidArgument, [&] { PermutohedralLattice(f.data(), 1, 17); }),
      Catch::Contains("dimension 17"));
  f[3] = std::nanf("");
  CHECK_THAT(
      test::ErrorText(ErrorCode::kInvalidArgument, [&] { PermutohedralLattice(f.data(), 3, 2); }),
      Catch::Contains("point 1 is not finite"));
  f[3] = 1e6f;
  CHECK_THAT(
      test::ErrorText(ErrorCode::kInvalidArgument, [&] { PermutohedralLattice(f.data(), 3, 2); }),
      Catch::Contains("point 1"));
  // Among many points (built in parallel blocks), the first bad one is named.
  std::vector<float> many = ImageFeatures(100, 60, 4, 3, 5);
  many[4321 * 5 + 4] = std::numeric_limits<float>::infinity();
  many[1234 * 5 + 2] = std::nanf("");
  CHECK_THAT(test::ErrorText(ErrorCode::kInvalidArgument,
                             [&] { PermutohedralLattice(many.data(), 6000, 5); }),
             Catch::Contains("point 1234 is not finite"));
  PermutohedralLattice empty(f.data(), 0, 2);
  CHECK(empty.vertices() == 0);
}

}  // namespace
}  // namespace rb::kernels::cpu
