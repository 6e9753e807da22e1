#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "common/core/rng.hpp"

namespace rb {
namespace {

// Known-answer vectors of Philox4x32-10 from Random123's kat_vectors (counter, key -> output).
TEST_CASE("Philox reproduces Random123's known-answer vectors", "[core][rng]") {
  auto zero = Philox(0, 0).Block(0);
  CHECK(zero[0] == 0x6627e8d5u);
  CHECK(zero[1] == 0xe169c58du);
  CHECK(zero[2] == 0xbc57ac4cu);
  CHECK(zero[3] == 0x9b00dbd8u);
  auto pi = Philox(0x299f31d0a4093822ull, 0x0370734413198a2eull).Block(0x85a308d3243f6a88ull);
  CHECK(pi[0] == 0xd16cfe09u);
  CHECK(pi[1] == 0x94fdccebu);
  CHECK(pi[2] == 0x5001e420u);
  CHECK(pi[3] == 0x24126ea1u);
}

TEST_CASE("Counter-based draws have the right moments and depend only on their index",
          "[core][rng]") {
  Philox philox(42, 7);
  const int n = 200000;
  double sum = 0, sum_sq = 0, normal_sum = 0, normal_sq = 0;
  for (int i = 0; i < n; ++i) {
    float u = philox.Uniform(i);
    REQUIRE(u >= 0.0f);
    REQUIRE(u < 1.0f);
    sum += u;
    sum_sq += u * u;
    float z = philox.Normal(i);
    normal_sum += z;
    normal_sq += z * z;
  }
  CHECK(sum / n == Approx(0.5).margin(0.003));
  CHECK(sum_sq / n - (sum / n) * (sum / n) == Approx(1.0 / 12).margin(0.002));
  CHECK(normal_sum / n == Approx(0.0).margin(0.01));
  CHECK(normal_sq / n == Approx(1.0).margin(0.01));
  // Order of evaluation does not matter; streams and seeds differ.
  CHECK(philox.Uniform(12345) == Philox(42, 7).Uniform(12345));
  CHECK(philox.Uniform(12345) != Philox(42, 8).Uniform(12345));
  CHECK(philox.Uniform(12345) != Philox(43, 7).Uniform(12345));
}

TEST_CASE("Random streams are reproducible and cover their ranges", "[core][rng]") {
  RandomStream a(5, 1), b(5, 1);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 60000; ++i) {
    int64_t k = a.UniformInt(0, 5);
    REQUIRE(k == b.UniformInt(0, 5));
    ++counts[k];
  }
  for (int count : counts) CHECK(count == Approx(10000).margin(400));
  double x = a.Uniform(2.0, 3.0);
  CHECK(x >= 2.0);
  CHECK(x < 3.0);
}

}  // namespace
}  // namespace rb
