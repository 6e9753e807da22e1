// The kernels written once for the CPU and CUDA (kernels/shared/), run here through the host
// launcher: the CUDA build launches these very functors, so these tests check the device code's
// arithmetic and index mapping against the reference CPU kernels on machines without a GPU.
// Views are channel slices of wider buffers wherever the kernels accept them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common/core/error.hpp"
#include "common/core/rng.hpp"
#include "kernels/cpu/host_launcher.hpp"
#include "kernels/shared/batch_norm.hpp"
#include "kernels/shared/elementwise.hpp"
#include "kernels/shared/losses.hpp"
#include "kernels/shared/pooling.hpp"
#include "kernels/shared/solver.hpp"
#include "roadbrew/kernels/batch_norm.hpp"
#include "roadbrew/kernels/pooling.hpp"
#include "roadbrew/kernels/softmax_loss.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::kernels {
namespace {

const cpu::HostLauncher host;

// A (n, c, h, w) view at channel `offset` of a buffer with `stride` channels per pixel, filled
// with seeded values in [lo, hi).
struct TestTensor {
  std::vector<float> buffer;
  Tensor view;
  TestTensor(int n, int c, int h, int w, int stride, int offset, uint64_t seed, float lo = -1,
             float hi = 1)
      : buffer(static_cast<size_t>(n) * h * w * stride) {
    RandomStream random(seed, 3);
    for (float& v : buffer) v = static_cast<float>(random.Uniform(lo, hi));
    view = {buffer.data() + offset, n, c, h, w, stride};
  }
  // Copies point into their own buffer.
  TestTensor(const TestTensor& other) { *this = other; }
  TestTensor& operator=(const TestTensor& other) {
    buffer = other.buffer;
    view = other.view;
    view.data = buffer.data() + (other.view.data - other.buffer.data());
    return *this;
  }
};

std::vector<float> Values(ConstTensor t) {
  std::vector<float> out;
  for (int64_t p = 0; p < t.pixels(); ++p)
    for (int c = 0; c < t.c; ++c) out.push_back(t.pixel(p)[c]);
  return out;
}

// Element-for-element equality, including the untouched channels between slices.
void CheckSame(const TestTensor& a, const TestTensor& b) {
  REQUIRE(a.buffer.size() == b.buffer.size());
  for (size_t i = 0; i < a.buffer.size(); ++i) {
    INFO("element " << i);
    REQUIRE(a.buffer[i] == b.buffer[i]);
  }
}

void CheckClose(const std::vector<float>& a, const std::vector<float>& b, double epsilon = 1e-5,
                double margin = 1e-6) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("element " << i);
    REQUIRE(a[i] == Approx(b[i]).epsilon(epsilon).margin(margin));
  }
}

TEST_CASE("Shared ReLU copy scale and dropout kernels equal the CPU kernels on slice views",
          "[kernels][shared]") {
  TestTensor x(2, 5, 3, 4, 9, 2, 1), dy(2, 5, 3, 4, 7, 1, 2), out(2, 5, 3, 4, 8, 3, 3);
  for (bool accumulate : {false, true}) {
    TestTensor a = out, b = out;
    cpu::ReluBackward(x.view, dy.view, a.view, 0.1f, accumulate);
    host.ForEach(a.view.count(), shared::ReluBackwardOp{x.view, dy.view, b.view, 0.1f, accumulate});
    CheckSame(a, b);
    a = out, b = out;
    cpu::Copy(x.view, a.view, accumulate);
    host.ForEach(a.view.count(), shared::CopyOp{x.view, b.view, accumulate});
    CheckSame(a, b);
  }
  TestTensor a = out, b = out;
  cpu::ReluForward(x.view, a.view, 0.2f);
  host.ForEach(x.view.count(), shared::ReluForwardOp{x.view, b.view, 0.2f});
  CheckSame(a, b);
  std::vector<float> scale = {0.5f, -2, 3, 1, 0}, bias = {1, 2, 3, 4, 5};
  cpu::ScaleBiasForward(x.view, a.view, scale.data(), bias.data());
  host.ForEach(x.view.count(),
               shared::ScaleBiasOp{x.view, b.view, scale.data(), bias.data(), false});
  CheckSame(a, b);
  cpu::Zero(a.view);
  host.ForEach(b.view.count(), shared::ZeroOp{b.view});
  CheckSame(a, b);

  const int64_t count = x.view.count();
  std::vector<uint8_t> cpu_mask(count), shared_mask(count);
  cpu::DropoutMask(count, 0.3f, 11, 5, cpu_mask.data());
  shared::DropoutMask(host, count, 0.3f, 11, 5, shared_mask.data());
  CHECK(cpu_mask == shared_mask);
  // A replica's share from element 13 on (mid-block) draws the whole batch's decisions.
  for (int64_t first : {int64_t{13}, int64_t{16}}) {
    std::vector<uint8_t> part_cpu(count - first), part_shared(count - first);
    cpu::DropoutMask(count - first, 0.3f, 11, 5, part_cpu.data(), first);
    shared::DropoutMask(host, count - first, 0.3f, 11, 5, part_shared.data(), first);
    CHECK(std::equal(part_cpu.begin(), part_cpu.end(), cpu_mask.begin() + first));
    CHECK(part_shared == part_cpu);
  }
  float keep_scale = ops::DropoutScale(0.3f);
  a = out, b = out;
  cpu::DropoutForward(x.view, a.view, cpu_mask.data(), keep_scale);
  host.ForEach(count, shared::DropoutOp{x.view, b.view, shared_mask.data(), keep_scale, false});
  CheckSame(a, b);
  cpu::DropoutBackward(dy.view, a.view, cpu_mask.data(), keep_scale, true);
  host.ForEach(count, shared::DropoutOp{dy.view, b.view, shared_mask.data(), keep_scale, true});
  CheckSame(a, b);
}

TEST_CASE("Shared eltwise kernels equal the CPU kernels for sum and product and max",
          "[kernels][shared]") {
  TestTensor x0(1, 3, 4, 5, 3, 0, 4), x1(1, 3, 4, 5, 6, 2, 5), x2(1, 3, 4, 5, 4, 1, 6);
  x2.view.at(0, 1, 2, 3) = x0.view.at(0, 1, 2, 3) = 5.0f;  // a tie for max: the first input wins
  std::vector<ConstTensor> inputs = {x0.view, x1.view, x2.view};
  std::vector<float> coefficients = {1.0f, -0.5f, 2.0f};
  TestTensor y(1, 3, 4, 5, 3, 0, 7), dy(1, 3, 4, 5, 3, 0, 8), dx(1, 3, 4, 5, 5, 1, 9);
  for (auto op : {cpu::EltwiseOp::kSum, cpu::EltwiseOp::kProd, cpu::EltwiseOp::kMax}) {
    TestTensor ya = y, yb = y;
    cpu::EltwiseForward(op, inputs.data(), coefficients.data(), 3, ya.view);
    shared::Eltwise(host, op, inputs.data(), coefficients.data(), 3, -1, {}, {}, yb.view, false);
    CheckSame(ya, yb);
    for (int index = 0; index < 3; ++index) {
      TestTensor a = dx, b = dx;
      cpu::EltwiseBackward(op, inputs.data(), coefficients.data(), 3, index, ya.view, dy.view,
                           a.view, index == 1);
      shared::Eltwise(host, op, inputs.data(), coefficients.data(), 3, index, ya.view, dy.view,
                      b.view, index == 1);
      CheckSame(a, b);
    }
  }
}

TEST_CASE("Shared scale-bias gradients and batch norm match the CPU kernels", "[kernels][shared]") {
  // A channel slice with large means: the shifted sums must not cancel.
  TestTensor x(3, 20, 5, 7, 32, 6, 10, 95, 105), dy(3, 20, 5, 7, 20, 0, 11);
  std::vector<float> gamma(20), beta(20);
  for (int c = 0; c < 20; ++c) gamma[c] = 0.5f + 0.1f * c, beta[c] = 0.2f * c - 1;

  std::vector<float> ds_cpu(20, 1.0f), db_cpu(20, 2.0f), ds(ds_cpu), db(db_cpu);
  TestTensor dx_cpu(3, 20, 5, 7, 24, 2, 12), dx_shared = dx_cpu;
  cpu::ScaleBiasBackward(x.view, dy.view, gamma.data(), dx_cpu.view, true, ds_cpu.data(),
                         db_cpu.data());
  shared::ScaleBiasBackward(host, x.view, dy.view, gamma.data(), dx_shared.view, true, ds.data(),
                            db.data());
  CheckSame(dx_cpu, dx_shared);
  CheckClose(ds, ds_cpu, 1e-5, 1e-4);
  CheckClose(db, db_cpu, 1e-5, 1e-4);

  for (bool relu : {false, true}) {
    INFO("relu " << relu);
    std::vector<float> mean_cpu(20), invstd_cpu(20), var_cpu(20), mean(20), invstd(20);
    std::vector<float> running_mean(20, 0.5f), running_var(20, 2.0f);
    TestTensor y_cpu(3, 20, 5, 7, 20, 0, 13), y_shared = y_cpu;
    cpu::BatchNormForwardBatchStats(x.view, y_cpu.view, gamma.data(), beta.data(), 1e-3f,
                                    mean_cpu.data(), invstd_cpu.data(), var_cpu.data(), relu);
    shared::BatchNormForwardBatchStats(host, x.view, y_shared.view, gamma.data(), beta.data(),
                                       1e-3f, mean.data(), invstd.data(), running_mean.data(),
                                       running_var.data(), 0.1f, relu);
    CheckClose(mean, mean_cpu, 1e-6);
    CheckClose(invstd, invstd_cpu, 1e-4);
    CheckClose(Values(y_shared.view), Values(y_cpu.view), 1e-4, 1e-4);
    for (int c = 0; c < 20; ++c) {
      CHECK(running_mean[c] == Approx(0.9f * 0.5f + 0.1f * mean_cpu[c]).epsilon(1e-6));
      CHECK(running_var[c] == Approx(0.9f * 2.0f + 0.1f * var_cpu[c]).epsilon(1e-4));
    }
    for (bool batch_stats : {true, false}) {
      INFO("batch statistics " << batch_stats);
      std::vector<float> dg_cpu(20, 0.0f), dbeta_cpu(20, 0.0f), dg(20, 0.0f), dbeta(20, 0.0f);
      TestTensor gx_cpu(3, 20, 5, 7, 21, 1, 14), gx_shared = gx_cpu;
      ConstTensor relu_output = relu ? ConstTensor(y_cpu.view) : ConstTensor{};
      cpu::BatchNormBackward(x.view, dy.view, relu_output, gamma.data(), mean_cpu.data(),
                             invstd_cpu.data(), batch_stats, gx_cpu.view, true, dg_cpu.data(),
                             dbeta_cpu.data());
      shared::BatchNormBackward(host, x.view, dy.view, relu_output, gamma.data(), mean_cpu.data(),
                                invstd_cpu.data(), batch_stats, gx_shared.view, true, dg.data(),
                                dbeta.data());
      CheckClose(Values(gx_shared.view), Values(gx_cpu.view), 1e-4, 1e-4);
      CheckClose(dg, dg_cpu, 1e-4, 1e-4);
      CheckClose(dbeta, dbeta_cpu, 1e-5, 1e-4);
    }
  }
  // Global statistics from a running variance: invstd is derived and saved.
  std::vector<float> mean(20, 100.0f), variance(20, 4.0f), invstd(20, 0.0f), expected(20, 0.5f);
  TestTensor y_cpu(3, 20, 5, 7, 20, 0, 15), y_shared = y_cpu;
  shared::BatchNormForwardGlobalStats(host, x.view, y_shared.view, gamma.data(), beta.data(),
                                      mean.data(), invstd.data(), variance.data(), 0.0f, false);
  CheckClose(invstd, expected);
  cpu::BatchNormForwardGlobalStats(x.view, y_cpu.view, gamma.data(), beta.data(), mean.data(),
                                   expected.data(), false);
  CheckSame(y_cpu, y_shared);
}

PoolGeometry Pool(int in, int kernel, int stride, int pad, int pad_end, bool ceil) {
  PoolGeometry g;
  g.n = 2, g.c = 3, g.in_h = in, g.in_w = in + 1;
  g.kernel_h = g.kernel_w = kernel;
  g.stride_h = g.stride_w = stride;
  g.pad_top = g.pad_left = pad;
  g.pad_bottom = g.pad_right = pad_end;
  g.out_h = PoolGeometry::Output(g.in_h, kernel, stride, pad, pad_end, ceil);
  g.out_w = PoolGeometry::Output(g.in_w, kernel, stride, pad, pad_end, ceil);
  return g;
}

TEST_CASE("Shared pooling kernels equal the reference kernels", "[kernels][shared]") {
  for (const PoolGeometry& g : {Pool(8, 2, 2, 0, 0, false), Pool(7, 3, 2, 1, 1, true),
                                Pool(9, 3, 2, 0, 2, false), Pool(6, 3, 1, 1, 0, false)}) {
    INFO("pool " << g.in_h << "x" << g.in_w << " kernel " << g.kernel_h << " stride " << g.stride_h
                 << " pads " << g.pad_top << "/" << g.pad_bottom);
    TestTensor x(g.n, g.c, g.in_h, g.in_w, 5, 1, 20);
    x.view.at(1, 2, 3, 3) = x.view.at(1, 2, 3, 4);  // a tie inside a window
    TestTensor y(g.n, g.c, g.out_h, g.out_w, g.c, 0, 21), dy(g.n, g.c, g.out_h, g.out_w, 4, 1, 22);
    TestTensor dx(g.n, g.c, g.in_h, g.in_w, 6, 2, 23);
    for (bool max : {true, false}) {
      TestTensor ya = y, yb = y;
      std::vector<int32_t> arg_a(y.view.count(), -7), arg_b(y.view.count(), -7);
      if (max) {
        cpu::MaxPoolForward(g, x.view, ya.view, arg_a.data());
      } else {
        cpu::AvgPoolForward(g, x.view, ya.view);
      }
      shared::PoolForward(host, g, x.view, yb.view, max ? arg_b.data() : nullptr, max);
      CheckSame(ya, yb);
      CHECK(arg_a == arg_b);
      for (bool accumulate : {false, true}) {
        TestTensor a = dx, b = dx;
        if (max) {
          cpu::MaxPoolBackward(g, dy.view, arg_a.data(), a.view, accumulate);
        } else {
          cpu::AvgPoolBackward(g, dy.view, a.view, accumulate);
        }
        shared::PoolBackward(host, g, dy.view, max ? arg_b.data() : nullptr, b.view, accumulate);
        CheckSame(a, b);
      }
    }
  }
}

TEST_CASE("Shared losses and confusion counts equal the CPU kernels", "[kernels][shared]") {
  const int n = 2, c = 3, h = 5, w = 6;
  TestTensor prob(n, c, h, w, c, 0, 30, 0.01f, 1.0f);
  for (int64_t p = 0; p < prob.view.pixels(); ++p) {  // rows summing to one
    float* row = prob.view.pixel(p);
    float sum = row[0] + row[1] + row[2];
    for (int k = 0; k < c; ++k) row[k] /= sum;
  }
  TestTensor labels(n, 1, h, w, 2, 1, 31);
  RandomStream random(32, 1);
  for (int64_t p = 0; p < labels.view.pixels(); ++p) {
    labels.view.pixel(p)[0] = p % 7 == 0 ? 255.0f : static_cast<float>(random.UniformInt(0, 2));
  }
  std::vector<float> weights = {0.5f, 2.0f, 1.0f};
  cpu::LossSums a = cpu::SoftmaxCrossEntropy(prob.view, labels.view, weights.data(), 255);
  cpu::LossSums b = shared::SoftmaxCrossEntropy(host, prob.view, labels.view, weights.data(), 255);
  CHECK(b.loss == Approx(a.loss).epsilon(1e-12));
  CHECK(b.weight == a.weight);
  CHECK(b.valid == a.valid);
  TestTensor dx(n, c, h, w, 5, 2, 33);
  TestTensor da = dx, db = dx;
  cpu::SoftmaxCrossEntropyBackward(prob.view, labels.view, weights.data(), 255, 0.3f, da.view,
                                   true);
  host.ForEach(prob.view.count(), shared::SoftmaxLossGradOp{prob.view, labels.view, weights.data(),
                                                            255, 0.3f, db.view, true});
  CheckSame(da, db);

  cpu::JaccardSums ja = cpu::SoftJaccard(prob.view, labels.view, 1, 255);
  cpu::JaccardSums jb = shared::SoftJaccard(host, prob.view, labels.view, 1, 255);
  CHECK(jb.intersection == Approx(ja.intersection).epsilon(1e-12));
  CHECK(jb.prob_sum == Approx(ja.prob_sum).epsilon(1e-12));
  CHECK(jb.target_sum == ja.target_sum);
  da = dx, db = dx;
  cpu::SoftJaccardBackward(prob.view, labels.view, 1, 255, ja, 1.0, 0.7f, da.view, false);
  shared::SoftJaccardBackward(host, prob.view, labels.view, 1, 255, ja, 1.0, 0.7f, db.view, false);
  CheckSame(da, db);

  std::vector<int64_t> counts_a(9, 1), counts_b(9, 1);
  cpu::ConfusionCounts(prob.view, labels.view, 255, counts_a.data(), counts_a.data() + 3,
                       counts_a.data() + 6);
  shared::ConfusionCounts(host, prob.view, labels.view, 255, counts_b.data(), counts_b.data() + 3,
                          counts_b.data() + 6);
  CHECK(counts_a == counts_b);

  TestTensor logits(n, c, h, w, 4, 0, 34, -6, 6), targets(n, c, h, w, c, 0, 35, 0, 1);
  targets.view.at(1, 2, 3, 4) = 255.0f;
  cpu::LossSums sa = cpu::SigmoidCrossEntropy(logits.view, targets.view, 255);
  cpu::LossSums sb = shared::SigmoidCrossEntropy(host, logits.view, targets.view, 255);
  CHECK(sb.loss == Approx(sa.loss).epsilon(1e-12));
  CHECK(sb.weight == sa.weight);
  da = dx, db = dx;
  cpu::SigmoidCrossEntropyBackward(logits.view, targets.view, 255, 0.2f, da.view, false);
  host.ForEach(logits.view.count(),
               shared::SigmoidLossGradOp{logits.view, targets.view, 255, 0.2f, db.view, false});
  CheckSame(da, db);

  // A label that is neither a class nor the ignore label fails the pass, counted.
  labels.view.at(0, 0, 1, 1) = 3.0f;
  labels.view.at(1, 0, 2, 2) = 0.5f;
  CHECK_THROWS_WITH(shared::SoftmaxCrossEntropy(host, prob.view, labels.view, nullptr, 255),
                    "2 labels are not a class index 0..2 or the ignore label 255");
  CHECK_THROWS_AS(shared::ConfusionCounts(host, prob.view, labels.view, 255, counts_b.data(),
                                          counts_b.data() + 3, counts_b.data() + 6),
                  Error);
}

TEST_CASE("Crop and place windows and filter permutations move the right elements",
          "[kernels][shared]") {
  TestTensor big(2, 3, 6, 7, 4, 1, 40), small(2, 3, 3, 4, 3, 0, 41);
  host.ForEach(small.view.count(), shared::CropWindowOp{big.view, small.view, 2, 1, false});
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 3; ++h)
      for (int w = 0; w < 4; ++w)
        for (int c = 0; c < 3; ++c)
          REQUIRE(small.view.at(n, c, h, w) == big.view.at(n, c, h + 2, w + 1));
  TestTensor placed = big;
  host.ForEach(big.view.count(), shared::PlaceWindowOp{small.view, placed.view, 2, 1, false});
  TestTensor added = big;
  host.ForEach(big.view.count(), shared::PlaceWindowOp{small.view, added.view, 2, 1, true});
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 6; ++h)
      for (int w = 0; w < 7; ++w)
        for (int c = 0; c < 3; ++c) {
          bool inside = h >= 2 && h < 5 && w >= 1 && w < 5;
          float original = big.view.at(n, c, h, w);
          float piece = inside ? small.view.at(n, c, h - 2, w - 1) : 0.0f;
          REQUIRE(placed.view.at(n, c, h, w) == piece);
          REQUIRE(added.view.at(n, c, h, w) == original + piece);
        }
  CHECK(placed.buffer[0] == big.buffer[0]);  // channels outside the view are not touched

  // OIHW (4, 2, 3, 5) -> OHWI and back (added).
  const int o = 4, i = 2, kh = 3, kw = 5, count = o * i * kh * kw;
  std::vector<float> oihw(count), ohwi(count), back(count, 1.0f);
  for (int k = 0; k < count; ++k) oihw[k] = static_cast<float>(k);
  host.ForEach(count, shared::PermuteFilterOp{oihw.data(), ohwi.data(), i, kh, kw, true, false});
  // Weight (o 3, i 1, y 2, x 4) sits at ((3 * 3 + 2) * 5 + 4) * 2 + 1 in OHWI.
  CHECK(ohwi[((3 * kh + 2) * kw + 4) * i + 1] == oihw[((3 * i + 1) * kh + 2) * kw + 4]);
  host.ForEach(count, shared::PermuteFilterOp{ohwi.data(), back.data(), i, kh, kw, false, true});
  for (int k = 0; k < count; ++k) REQUIRE(back[k] == oihw[k] + 1.0f);
}

TEST_CASE("Half and bfloat16 conversions round to nearest even", "[kernels][shared]") {
  using shared::Bfloat16ToFloat;
  using shared::FloatToBfloat16;
  using shared::FloatToHalf;
  using shared::HalfToFloat;
  CHECK(FloatToHalf(1.0f) == 0x3C00);
  CHECK(FloatToHalf(-2.0f) == 0xC000);
  CHECK(FloatToHalf(65504.0f) == 0x7BFF);
  CHECK(FloatToHalf(65519.0f) == 0x7BFF);
  CHECK(FloatToHalf(65520.0f) == 0x7C00);  // rounds to infinity
  CHECK(FloatToHalf(std::ldexp(1.0f, -24)) == 0x0001);
  CHECK(FloatToHalf(std::ldexp(1.0f, -25)) == 0x0000);  // a tie, to even
  CHECK(FloatToHalf(std::ldexp(1.5f, -25)) == 0x0001);
  CHECK(FloatToHalf(std::ldexp(1.0f, -14)) == 0x0400);         // the smallest normal
  CHECK(FloatToHalf(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);  // a tie, to even
  CHECK(FloatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);
  CHECK(FloatToHalf(std::numeric_limits<float>::infinity()) == 0x7C00);
  CHECK(FloatToHalf(std::numeric_limits<float>::quiet_NaN()) == 0x7E00);
  CHECK(FloatToBfloat16(1.0f) == 0x3F80);
  CHECK(FloatToBfloat16(1.0f + std::ldexp(1.0f, -8)) == 0x3F80);
  CHECK(FloatToBfloat16(1.0f + 3 * std::ldexp(1.0f, -8)) == 0x3F82);
  CHECK(std::isnan(Bfloat16ToFloat(FloatToBfloat16(std::numeric_limits<float>::quiet_NaN()))));
  // Every finite half survives the round trip; conversions pick the nearest half.
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    auto h = static_cast<uint16_t>(bits);
    if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0) continue;  // NaN payloads
    REQUIRE(FloatToHalf(HalfToFloat(h)) == h);
    REQUIRE(FloatToBfloat16(Bfloat16ToFloat(h)) == h);
  }
  RandomStream random(50, 1);
  for (int k = 0; k < 20000; ++k) {
    float f = static_cast<float>(std::ldexp(random.Uniform(-1, 1), random.UniformInt(-26, 15)));
    uint16_t h = FloatToHalf(f);
    double error = std::fabs(static_cast<double>(HalfToFloat(h)) - f);
    INFO(f);
    REQUIRE(error <= std::fabs(static_cast<double>(HalfToFloat(h + 1)) - f));
    if ((h & 0x7FFF) != 0) REQUIRE(error <= std::fabs(static_cast<double>(HalfToFloat(h - 1)) - f));
  }
}

TEST_CASE("Shared solver kernels equal the CPU update rules", "[kernels][shared]") {
  const int64_t count = 5000;
  std::vector<float> w(count), g(count), h(count), h2(count);
  RandomStream random(60, 1);
  for (int64_t i = 0; i < count; ++i) {
    w[i] = static_cast<float>(random.Uniform(-1, 1));
    g[i] = static_cast<float>(random.Uniform(-1, 1));
    h[i] = static_cast<float>(random.Uniform(0, 1));
    h2[i] = static_cast<float>(random.Uniform(0, 1));
  }
  using shared::Rule;
  for (Rule rule : {Rule::kSgd, Rule::kNesterov, Rule::kAdaGrad, Rule::kRmsProp, Rule::kAdam}) {
    INFO("rule " << static_cast<int>(rule));
    std::vector<float> wa = w, ha = h, h2a = h2, wb = w, hb = h, h2b = h2;
    switch (rule) {
      case Rule::kSgd:
        cpu::SgdUpdate(wa.data(), g.data(), ha.data(), count, 0.1f, 0.9f);
        break;
      case Rule::kNesterov:
        cpu::NesterovUpdate(wa.data(), g.data(), ha.data(), count, 0.1f, 0.9f);
        break;
      case Rule::kAdaGrad:
        cpu::AdaGradUpdate(wa.data(), g.data(), ha.data(), count, 0.1f, 1e-8f);
        break;
      case Rule::kRmsProp:
        cpu::RmsPropUpdate(wa.data(), g.data(), ha.data(), count, 0.1f, 0.9f, 1e-8f, true);
        break;
      case Rule::kAdam:
        cpu::AdamUpdate(wa.data(), g.data(), ha.data(), h2a.data(), count, 0.1f, 0.9f, 0.999f,
                        1e-8f);
        break;
    }
    float momentum = rule == Rule::kAdam ? 0.9f : rule == Rule::kRmsProp ? 0.9f : 0.9f;
    float delta = 1e-8f;
    host.ForEach(count, shared::UpdateOp{rule, wb.data(), g.data(), hb.data(), h2b.data(), 0.1f,
                                         momentum, 0.999f, delta, true});
    CHECK(wa == wb);
    CHECK(ha == hb);
    CHECK(h2a == h2b);
  }
  std::vector<float> decayed = g;
  host.ForEach(count, shared::DecayOp{w.data(), decayed.data(), 0.01f, true});
  for (int64_t i = 0; i < count; ++i) {
    REQUIRE(decayed[i] == g[i] + 0.01f * static_cast<float>((w[i] > 0) - (w[i] < 0)));
  }
  double expected = 0;
  for (float v : g) expected += static_cast<double>(v) * v;
  std::vector<float> with_overflow = g;
  with_overflow[7] = std::numeric_limits<float>::infinity();
  with_overflow[9] = std::numeric_limits<float>::quiet_NaN();
  expected -= static_cast<double>(g[7]) * g[7] + static_cast<double>(g[9]) * g[9];
  double squares = 0;
  int64_t non_finite = 0;
  shared::SumSquares(host, with_overflow.data(), count, squares, non_finite);
  CHECK(squares == Approx(expected).epsilon(1e-12));
  CHECK(non_finite == 2);
}

}  // namespace
}  // namespace rb::kernels
