// rb-percolate cores: the Philox Bernoulli sampler against its per-pixel definition, the run
// labeller against a flood fill, the Monte Carlo (exact answers, early stopping, fields) and its
// independence of the thread count.
#include <catch2/catch.hpp>

#include <cmath>
#include <deque>
#include <thread>
#include <vector>

#include "common/core/rng.hpp"
#include "roadbrew/kernels/threads.hpp"
#include "stages/percolate/monte_carlo.hpp"
#include "test/support/test_support.hpp"

namespace rb::percolate {
namespace {

geo::ProbabilityMap Map(int width, int height, std::vector<float> p) {
  return geo::MakeProbabilityMap(p, width, height, /*nan_is_nodata=*/true, "test map");
}

// Probabilities drawn from a fixed stream, a few exactly 0 and 1, a few nodata.
geo::ProbabilityMap RandomMap(int width, int height, uint64_t seed) {
  RandomStream random(seed, 99);
  std::vector<float> p(static_cast<size_t>(width) * height);
  for (float& v : p) {
    double u = random.Uniform();
    v = u < 0.05 ? 0.0f : u < 0.1 ? 1.0f : u < 0.12 ? NAN : static_cast<float>(random.Uniform());
  }
  return Map(width, height, p);
}

BitImage RandomImage(int width, int height, double density, uint64_t seed) {
  RandomStream random(seed, 7);
  BitImage image;
  image.Resize(width, height);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      if (random.Bernoulli(density)) image.Set(c, r);
    }
  }
  return image;
}

// Breadth-first flood fill, components numbered in raster order of their first pixel.
std::vector<int32_t> FloodLabels(const BitImage& image, Connectivity connectivity) {
  int w = image.width, h = image.height;
  std::vector<int32_t> labels(static_cast<size_t>(w) * h, -1);
  int32_t next = 0;
  for (int r0 = 0; r0 < h; ++r0) {
    for (int c0 = 0; c0 < w; ++c0) {
      if (!image.Get(c0, r0) || labels[static_cast<size_t>(r0) * w + c0] >= 0) continue;
      std::deque<std::pair<int, int>> queue = {{c0, r0}};
      labels[static_cast<size_t>(r0) * w + c0] = next;
      while (!queue.empty()) {
        auto [c, r] = queue.front();
        queue.pop_front();
        for (int dr = -1; dr <= 1; ++dr) {
          for (int dc = -1; dc <= 1; ++dc) {
            bool corner = dr != 0 && dc != 0;
            if ((dr == 0 && dc == 0) || (corner && connectivity == Connectivity::kFour)) continue;
            int cc = c + dc, rr = r + dr;
            if (cc < 0 || rr < 0 || cc >= w || rr >= h || !image.Get(cc, rr)) continue;
            int32_t& label = labels[static_cast<size_t>(rr) * w + cc];
            if (label < 0) {
              label = next;
              queue.emplace_back(cc, rr);
            }
          }
        }
      }
      ++next;
    }
  }
  return labels;
}

TEST_CASE("Realizations follow the per-pixel Philox definition", "[percolate]") {
  for (int width : {1, 63, 64, 65, 127, 128, 129, 300}) {
    UsePortableSampler(width % 2 == 1);  // both the AVX-512 and the portable sampler
    geo::ProbabilityMap map = RandomMap(width, 5, static_cast<uint64_t>(width));
    BernoulliField field(map, 0x1234abcdULL, 1.0);
    BitImage image;
    for (uint64_t index : {0ull, 1ull, 77ull, (1ull << 40) + 3}) {
      field.Sample(index, image);
      std::vector<uint32_t> all;
      PixelUniforms31(0x1234abcdULL, index, width, 5, all);
      int64_t mismatches = 0;
      for (int r = 0; r < 5; ++r) {
        for (int c = 0; c < width; ++c) {
          uint32_t u = PixelUniform31(0x1234abcdULL, index, width, c, r);
          mismatches += all[static_cast<size_t>(r) * width + c] != u;
          mismatches += image.Get(c, r) != (u < field.Threshold(c, r));
          size_t i = map.Index(c, r);
          if (map.IsNodata(i) || map.p[i] == 0.0f) mismatches += image.Get(c, r);
          if (map.p[i] == 1.0f) mismatches += !image.Get(c, r);
        }
      }
      INFO("width " << width << " index " << index);
      CHECK(mismatches == 0);
      for (int w = width; w < image.words_per_row * 64; ++w) CHECK_FALSE(image.Get(w, 4));
    }
  }
  UsePortableSampler(false);
}

TEST_CASE("Thresholds equal to the high half are settled by the low bits", "[percolate]") {
  // A threshold T of U or U + 1 shares its high 16 bits with the pixel's uniform U (unless U's
  // low bits are all ones): the rare path that draws the low 15 bits.
  const int width = 150, height = 3;
  const uint64_t seed = 5, index = 9;
  std::vector<uint32_t> u;
  PixelUniforms31(seed, index, width, height, u);
  int64_t mismatches = 0, ties = 0;
  for (int k = 0; k < 40; ++k) {
    UsePortableSampler(k % 2 == 1);
    int c = (37 * k) % width, r = k % height;
    uint32_t pixel_u = u[static_cast<size_t>(r) * width + c];
    for (uint32_t offset : {0u, 1u}) {
      uint32_t target = pixel_u + offset;
      ties += (target >> 15) == (pixel_u >> 15);
      BernoulliField field(width, height, target / 2147483648.0, seed);  // exact: T = target
      REQUIRE(field.Threshold(c, r) == target);
      BitImage image;
      field.Sample(index, image);
      mismatches += image.Get(c, r) != (offset == 1);
    }
  }
  CHECK(mismatches == 0);
  CHECK(ties >= 78);
  UsePortableSampler(false);
}

TEST_CASE("Occupancy follows the probabilities and realizations differ by index and seed",
          "[percolate]") {
  BernoulliField field(300, 200, 0.3, 11);
  BitImage a, b, c, again;
  field.Sample(0, a);
  field.Sample(1, b);
  field.Sample(0, again);
  BernoulliField(300, 200, 0.3, 12).Sample(0, c);
  CHECK(a.words == again.words);
  CHECK(a.words != b.words);
  CHECK(a.words != c.words);
  double n = 300.0 * 200.0, sd = std::sqrt(n * 0.3 * 0.7);
  for (const BitImage* image : {&a, &b, &c}) {
    CHECK(std::abs(static_cast<double>(image->Count()) - 0.3 * n) < 4 * sd);
  }
  BitImage scaled;
  geo::ProbabilityMap half = Map(300, 200, std::vector<float>(60000, 0.5f));
  BernoulliField(half, 11, 0.6).Sample(0, scaled);  // 0.5 * 0.6 = 0.3: the same thresholds
  CHECK(scaled.words == a.words);
  CHECK_THROWS_AS(BernoulliField(3, 3, 1.5, 0), Error);
  CHECK_THROWS_AS(BernoulliField(half, 0, -1.0), Error);
}

TEST_CASE("Run labels equal a flood fill for both connectivities", "[percolate]") {
  RunLabels labels;  // reused across sizes, as the Monte Carlo does
  for (int width : {1, 2, 63, 64, 65, 130}) {
    UsePortableLabeller(width % 2 == 1);  // both the AVX-512 and the portable code
    for (double density : {0.2, 0.45, 0.6, 0.85}) {
      for (Connectivity connectivity : {Connectivity::kFour, Connectivity::kEight}) {
        BitImage image = RandomImage(width, 37, density, static_cast<uint64_t>(width * 100));
        labels.Label(image, connectivity);
        std::vector<int32_t> expected = FloodLabels(image, connectivity);
        INFO("width " << width << " density " << density << " connectivity "
                      << static_cast<int>(connectivity));
        REQUIRE(labels.LabelImage() == expected);
        int32_t components = *std::max_element(expected.begin(), expected.end()) + 1;
        CHECK(labels.components() == components);
        for (int r = 0; r < 37; r += 5) {
          for (int c = 0; c < width; ++c) {
            CHECK(labels.LabelAt(c, r) == expected[static_cast<size_t>(r) * width + c]);
          }
        }
        std::vector<int64_t> sizes(static_cast<size_t>(components), 0);
        for (int32_t l : expected) {
          if (l >= 0) ++sizes[l];
        }
        CHECK(labels.ComponentSizes() == sizes);
      }
    }
  }
  UsePortableLabeller(false);
}

TEST_CASE("Pairs are joined alike with the forest alone and with numbered components",
          "[percolate]") {
  RunLabels full, forest;
  for (int width : {1, 63, 64, 65, 130}) {
    UsePortableLabeller(width % 2 == 1);
    for (double density : {0.45, 0.6, 0.85}) {
      for (Connectivity connectivity : {Connectivity::kFour, Connectivity::kEight}) {
        BitImage image = RandomImage(width, 41, density, static_cast<uint64_t>(width * 7 + 1));
        full.Label(image, connectivity);
        forest.Label(image, connectivity, RunLabels::Detail::kJoinsOnly);
        INFO("width " << width << " density " << density << " connectivity "
                      << static_cast<int>(connectivity));
        RandomStream random(static_cast<uint64_t>(width), 3);
        int joined = 0;
        for (int k = 0; k < 400; ++k) {
          geo::PixelPoint a{static_cast<int>(random.Uniform(0, width)),
                            static_cast<int>(random.Uniform(0, 41))};
          geo::PixelPoint b{static_cast<int>(random.Uniform(0, width)),
                            static_cast<int>(random.Uniform(0, 41))};
          int32_t label = full.LabelAt(a.column, a.row);
          bool expected = label >= 0 && label == full.LabelAt(b.column, b.row);
          REQUIRE(forest.Joined(image, a, b) == expected);
          REQUIRE(full.Joined(image, a, b) == expected);
          joined += expected;
        }
        if (width > 1 && density >= 0.6) CHECK(joined > 0);  // the pairs test both answers
      }
    }
  }
  UsePortableLabeller(false);
}

TEST_CASE("Cluster statistics see spanning paths and corner contacts", "[percolate]") {
  // A staircase from the top-left to the bottom-right corner: one cluster under
  // 8-connectivity, single pixels under 4-connectivity.
  BitImage stairs;
  stairs.Resize(70, 70);
  for (int i = 0; i < 70; ++i) stairs.Set(i, i);
  RunLabels labels;
  labels.Label(stairs, Connectivity::kEight);
  ComponentStats s8 = labels.Stats();
  CHECK(s8.components == 1);
  CHECK(s8.largest == 70);
  CHECK(s8.spans_vertically);
  CHECK(s8.spans_horizontally);
  labels.Label(stairs, Connectivity::kFour);
  ComponentStats s4 = labels.Stats();
  CHECK(s4.components == 70);
  CHECK(s4.largest == 1);
  CHECK_FALSE(s4.spans_vertically);
  // A full column at x = 3 spans top-bottom only.
  BitImage column;
  column.Resize(10, 8);
  for (int r = 0; r < 8; ++r) column.Set(3, r);
  labels.Label(column, Connectivity::kFour);
  CHECK(labels.Stats().spans_vertically);
  CHECK_FALSE(labels.Stats().spans_horizontally);
  CHECK(labels.Stats().occupied == 8);
  CHECK(ParseConnectivity(8) == Connectivity::kEight);
  CHECK(test::ErrorText(ErrorCode::kInvalidArgument, [] { ParseConnectivity(6); }).find("got 6") !=
        std::string::npos);
}

// A 0/1 corridor from (0, 2) to (9, 2) whose middle pixel has probability `bridge`.
geo::ProbabilityMap Corridor(float bridge) {
  std::vector<float> p(10 * 5, 0.0f);
  for (int c = 0; c < 10; ++c) p[2 * 10 + c] = 1.0f;
  p[2 * 10 + 5] = bridge;
  return Map(10, 5, p);
}

TEST_CASE("Monte Carlo answers are exact where the map is certain", "[percolate]") {
  geo::ProbabilityMap map = Corridor(1.0f);
  BernoulliField field(map, 3);
  MonteCarloOptions options;
  options.max_realizations = 50;
  options.source = geo::PixelPoint{0, 2};
  std::vector<PointPair> pairs = {{{0, 2}, {9, 2}}, {{0, 2}, {4, 0}}, {{9, 2}, {9, 2}}};
  MonteCarloResult result = RunMonteCarlo(field, pairs, options);
  CHECK(result.realizations == 50);
  CHECK(result.hits == std::vector<int64_t>{50, 0, 50});
  CHECK(result.source_occupied == 50);
  for (int c = 0; c < 10; ++c) CHECK(result.field_counts[map.Index(c, 2)] == 50);
  CHECK(result.field_counts[map.Index(4, 0)] == 0);
  REQUIRE(result.stats.size() == 50);
  CHECK(result.stats[7].components == 1);
  CHECK(result.stats[7].spans_horizontally);
  CHECK(test::ErrorText(ErrorCode::kInvalidArgument, [&] {
          RunMonteCarlo(field, {{{0, 2}, {10, 2}}}, options);
        }).find("(col 10, row 2) is outside the 10x5 raster") != std::string::npos);
}

TEST_CASE("Monte Carlo stops at the first batch whose intervals are narrow enough", "[percolate]") {
  // Connected exactly when the bridge pixel is road: P = 0.5.
  BernoulliField field(Corridor(0.5f), 21);
  MonteCarloOptions options;
  options.max_realizations = 100000;
  options.target_width = 0.1;
  options.batch = 32;
  options.source = geo::PixelPoint{0, 2};
  std::vector<PointPair> pairs = {{{0, 2}, {9, 2}}};
  MonteCarloResult result = RunMonteCarlo(field, pairs, options);
  REQUIRE(result.width_reached);
  int64_t n = result.realizations;
  CHECK(n % 32 == 0);
  CHECK(Wilson(result.hits[0], n).width() <= 0.1);
  Interval interval = Wilson(result.hits[0], n);
  CHECK(interval.lo < 0.5);
  CHECK(interval.hi > 0.5);
  // The bridge decides the field beyond it: the far end joins the source as often as A <-> B.
  CHECK(result.field_counts[9 + 2 * 10] == static_cast<uint32_t>(result.hits[0]));
  // One batch less was not enough.
  options.max_realizations = n - 32;
  MonteCarloResult shorter = RunMonteCarlo(field, pairs, options);
  CHECK_FALSE(shorter.width_reached);
  CHECK(Wilson(shorter.hits[0], n - 32).width() > 0.1);
  CHECK(n < 600);  // a Wilson width of 0.1 at p = 0.5 needs about 4 / 0.1^2 = 400
}

TEST_CASE("Monte Carlo and sweeps give the same bytes for any thread count", "[percolate]") {
  geo::ProbabilityMap map = RandomMap(150, 90, 4);
  BernoulliField field(map, 77);
  MonteCarloOptions options;
  options.max_realizations = 40;
  options.batch = 7;
  options.connectivity = Connectivity::kEight;
  options.source = geo::PixelPoint{10, 10};
  std::vector<PointPair> pairs = {{{10, 10}, {140, 80}}, {{0, 0}, {149, 0}}, {{75, 45}, {3, 88}}};
  std::vector<MonteCarloResult> results;
  for (int threads : {1, 3}) {
    kernels::SetThreads(threads);
    results.push_back(RunMonteCarlo(field, pairs, options));
  }
  kernels::SetThreads(static_cast<int>(std::thread::hardware_concurrency()));
  CHECK(results[0].hits == results[1].hits);
  CHECK(results[0].field_counts == results[1].field_counts);
  REQUIRE(results[0].stats.size() == results[1].stats.size());
  for (size_t i = 0; i < results[0].stats.size(); ++i) {
    CHECK(results[0].stats[i].components == results[1].stats[i].components);
    CHECK(results[0].stats[i].largest == results[1].stats[i].largest);
  }
  CHECK(results[0].source_occupied == results[1].source_occupied);
}

}  // namespace
}  // namespace rb::percolate
