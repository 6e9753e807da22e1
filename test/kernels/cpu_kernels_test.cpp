// The CPU kernels' own properties beyond what the layer gradient checks cover: the dropout mask
// layout shared with the device code, batch statistics on channel-slice views with large means,
// and the parallel loops' error handling.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "common/core/rng.hpp"
#include "kernels/cpu/parallel.hpp"
#include "roadbrew/kernels/batch_norm.hpp"
#include "roadbrew/kernels/elementwise.hpp"
#include "roadbrew/kernels/elementwise_ops.hpp"

namespace rb::kernels {
namespace {

TEST_CASE("The dropout mask is the per-element rule, eight decisions per Philox block",
          "[kernels][cpu]") {
  const int64_t count = 1003;  // a partial last block
  const float p = 0.3f;
  std::vector<uint8_t> mask(count);
  cpu::DropoutMask(count, p, 5, 77, mask.data());
  Philox philox(5, 77);
  uint32_t threshold = ops::DropoutThreshold(p);
  int64_t kept = 0;
  for (int64_t i = 0; i < count; ++i) {
    bool keep = ops::DropoutKeep(philox.Block(static_cast<uint64_t>(i) >> 3), i, threshold);
    REQUIRE(mask[i] == (keep ? 1 : 0));
    kept += keep;
  }
  CHECK(static_cast<double>(kept) / count == Approx(0.7).margin(0.04));
  // The scale makes the expectation exact for the quantised probability.
  CHECK(threshold == 19661u);
  CHECK(ops::DropoutScale(p) == Approx(65536.0 / (65536 - 19661)));
  CHECK(ops::DropoutScale(0.0f) == 1.0f);
}

TEST_CASE("Batch statistics of a channel slice with a large mean match a double two-pass sum",
          "[kernels][cpu]") {
  const int n = 3, c = 19, h = 7, w = 11, stride = 24;  // a 19-channel slice of 24 channels
  RandomStream random(3, 1);
  std::vector<float> memory(static_cast<size_t>(n) * h * w * stride);
  for (size_t i = 0; i < memory.size(); ++i) {
    memory[i] = static_cast<float>(1000.0 + (i % stride) + random.Uniform(-1, 1));
  }
  ConstTensor x{memory.data() + 2, n, c, h, w, stride};
  std::vector<float> mean(c), variance(c), unbiased(c);
  cpu::BatchStatistics(x, mean.data(), variance.data(), unbiased.data());
  int64_t m = x.pixels();
  for (int ch = 0; ch < c; ++ch) {
    double sum = 0, squares = 0;
    for (int64_t p = 0; p < m; ++p) sum += x.pixel(p)[ch];
    double mu = sum / m;
    for (int64_t p = 0; p < m; ++p) squares += std::pow(x.pixel(p)[ch] - mu, 2);
    INFO("channel " << ch);
    CHECK(mean[ch] == Approx(mu).epsilon(1e-7));
    CHECK(variance[ch] == Approx(squares / m).epsilon(1e-4));  // ~1/3 against a mean of ~1000
    CHECK(unbiased[ch] == Approx(squares / (m - 1)).epsilon(1e-4));
  }
}

TEST_CASE("Fused BatchNorm-ReLU equals BatchNorm then ReLU, forward and backward",
          "[kernels][cpu]") {
  const int n = 2, c = 21, h = 5, w = 6;  // 21 channels: one whole group of 16 and a rest
  RandomStream random(8, 2);
  auto randoms = [&](size_t size) {
    std::vector<float> v(size);
    for (float& f : v) f = static_cast<float>(random.Uniform(-2, 2));
    return v;
  };
  size_t size = static_cast<size_t>(n) * c * h * w;
  std::vector<float> x = randoms(size), dy = randoms(size), gamma = randoms(c), beta = randoms(c);
  std::vector<float> fused(size), plain(size), mean(c), invstd(c), var(c);
  cpu::BatchNormForwardBatchStats(ConstTensor{x.data(), n, c, h, w, c},
                                  Tensor{fused.data(), n, c, h, w, c}, gamma.data(), beta.data(),
                                  1e-5f, mean.data(), invstd.data(), var.data(), true);
  cpu::BatchNormForwardBatchStats(ConstTensor{x.data(), n, c, h, w, c},
                                  Tensor{plain.data(), n, c, h, w, c}, gamma.data(), beta.data(),
                                  1e-5f, mean.data(), invstd.data(), var.data(), false);
  Tensor relu{plain.data(), n, c, h, w, c};
  cpu::ReluForward(relu, relu, 0.0f);
  CHECK(fused == plain);
  // Backward: the plain path masks the gradient with ReLU's rule first.
  std::vector<float> masked(size), dx_fused(size), dx_plain(size);
  std::vector<float> dgamma_fused(c), dbeta_fused(c), dgamma_plain(c), dbeta_plain(c);
  cpu::ReluBackward(ConstTensor{plain.data(), n, c, h, w, c}, ConstTensor{dy.data(), n, c, h, w, c},
                    Tensor{masked.data(), n, c, h, w, c}, 0.0f, false);
  cpu::BatchNormBackward(
      ConstTensor{x.data(), n, c, h, w, c}, ConstTensor{dy.data(), n, c, h, w, c},
      ConstTensor{fused.data(), n, c, h, w, c}, gamma.data(), mean.data(), invstd.data(), true,
      Tensor{dx_fused.data(), n, c, h, w, c}, false, dgamma_fused.data(), dbeta_fused.data());
  cpu::BatchNormBackward(ConstTensor{x.data(), n, c, h, w, c},
                         ConstTensor{masked.data(), n, c, h, w, c}, ConstTensor{}, gamma.data(),
                         mean.data(), invstd.data(), true, Tensor{dx_plain.data(), n, c, h, w, c},
                         false, dgamma_plain.data(), dbeta_plain.data());
  CHECK(dx_fused == dx_plain);
  CHECK(dgamma_fused == dgamma_plain);
  CHECK(dbeta_fused == dbeta_plain);
}

TEST_CASE("Parallel loops cover every item once and rethrow a piece's exception",
          "[kernels][cpu]") {
  std::vector<int> hits(10007, 0);
  cpu::ParallelRanges(static_cast<int64_t>(hits.size()), 100, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) ++hits[i];
  });
  CHECK(std::count(hits.begin(), hits.end(), 1) == static_cast<long>(hits.size()));
  CHECK_THROWS_WITH(cpu::ParallelPieces(64,
                                        [](int64_t k) {
                                          if (k == 40) throw std::runtime_error("piece 40");
                                        }),
                    "piece 40");
}

}  // namespace
}  // namespace rb::kernels
