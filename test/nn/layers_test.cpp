// Every layer: forward against hand-computed values, backward against finite differences.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "test/nn/layer_harness.hpp"

namespace rb::nn {
namespace {

using test::CheckGradients;
using test::LayerHarness;
using json = nlohmann::json;

void SetValues(Blob& blob, std::vector<float> values) {
  REQUIRE(static_cast<int64_t>(values.size()) == blob.count());
  std::copy(values.begin(), values.end(), blob.mutable_flat_data());
}

// Label blob values: class indices.
void SetLabels(Blob& blob, const std::vector<float>& labels) { SetValues(blob, labels); }

TEST_CASE("Convolution computes a hand-checked NHWC result", "[nn][layers]") {
  // One 3x3 image with 2 channels, a 2x2 kernel, 1 output, bias 0.5.
  LayerHarness h("Convolution", {{"num_output", 1}, {"kernel_size", 2}}, {{1, 2, 3, 3}});
  std::vector<float> image(18);
  for (int p = 0; p < 9; ++p) {
    image[p * 2] = static_cast<float>(p);       // channel 0: 0..8
    image[p * 2 + 1] = static_cast<float>(10);  // channel 1: 10
  }
  SetValues(*h.bottom[0], image);
  // Weights OIHW: channel 0 all 1, channel 1 all 0.1.
  SetValues(*h.layer->params()[0], {1, 1, 1, 1, 0.1f, 0.1f, 0.1f, 0.1f});
  SetValues(*h.layer->params()[1], {0.5f});
  h.Forward();
  REQUIRE(h.top[0]->shape() == Shape{1, 1, 2, 2});
  const float* y = h.top[0]->flat_data();
  // top-left window: 0+1+3+4 = 8, plus 4 * 0.1 * 10 = 4, plus 0.5
  CHECK(y[0] == Approx(12.5));
  CHECK(y[1] == Approx(16.5));
  CHECK(y[2] == Approx(24.5));
  CHECK(y[3] == Approx(28.5));
}

TEST_CASE("Convolution gradients for strides, pads, dilation and groups", "[nn][layers][grad]") {
  json filler = {{"type", "gaussian"}, {"std", 0.5}};
  std::vector<json> cases = {
      {{"num_output", 3},
       {"kernel_size", 3},
       {"pad", 1},
       {"weight_filler", filler},
       {"bias_filler", filler}},
      {{"num_output", 4},
       {"kernel_size", 3},
       {"stride", 2},
       {"pad", 1},
       {"pad_end", 0},
       {"weight_filler", filler}},
      {{"num_output", 2},
       {"kernel_size", 3},
       {"dilation", 2},
       {"pad", 2},
       {"weight_filler", filler}},
      {{"num_output", 4}, {"kernel_size", 1}, {"group", 2}, {"weight_filler", filler}},
  };
  for (const json& options : cases) {
    INFO(options.dump());
    LayerHarness h("Convolution", options, {{2, 4, 5, 6}});
    CheckGradients(h);
  }
}

TEST_CASE("Deconvolution with pad_end 1 doubles sizes exactly as the Tiramisu needs",
          "[nn][layers]") {
  LayerHarness h("Deconvolution",
                 {{"num_output", 2},
                  {"kernel_size", 3},
                  {"stride", 2},
                  {"pad", 0},
                  {"pad_end", 1},
                  {"weight_filler", {{"type", "gaussian"}, {"std", 0.5}}}},
                 {{2, 3, 4, 5}});
  CHECK(h.top[0]->shape() == Shape{2, 2, 8, 10});
  CheckGradients(h);
  // One input pixel of value 1 at (0, 0), one channel: the output is the kernel itself at rows
  // and columns 0..2 (nothing shifted by the cropping, which only drops the last row/column).
  LayerHarness single("Deconvolution",
                      {{"num_output", 1},
                       {"kernel_size", 3},
                       {"stride", 2},
                       {"pad", 0},
                       {"pad_end", 1},
                       {"bias_term", false}},
                      {{1, 1, 2, 2}});
  SetValues(*single.bottom[0], {1, 0, 0, 0});
  std::vector<float> kernel(9);
  std::iota(kernel.begin(), kernel.end(), 1.0f);
  SetValues(*single.layer->params()[0], kernel);
  single.Forward();
  const float* y = single.top[0]->flat_data();  // 4x4
  CHECK(y[0] == 1);
  CHECK(y[1] == 2);
  CHECK(y[2] == 3);
  CHECK(y[4] == 4);
  CHECK(y[10] == 9);
  CHECK(y[15] == 0);
}

TEST_CASE("BatchNorm normalises per channel and has exact gradients", "[nn][layers][grad]") {
  LayerHarness h("BatchNorm", json::object(), {{2, 3, 2, 2}}, 1, Backend::kReference, -2, 3);
  h.Forward();
  // Each channel of the output: mean 0, (biased) variance 1 - eps effect.
  const Blob& y = *h.top[0];
  for (int c = 0; c < 3; ++c) {
    double sum = 0, squares = 0;
    for (int p = 0; p < 8; ++p) sum += y.flat_data()[p * 3 + c];
    for (int p = 0; p < 8; ++p) squares += std::pow(y.flat_data()[p * 3 + c] - sum / 8, 2);
    CHECK(sum / 8 == Approx(0).margin(1e-5));
    CHECK(squares / 8 == Approx(1).epsilon(1e-3));
  }
  CheckGradients(h, {.step = 1e-2f, .tolerance = 2e-2f});
  // Running statistics moved towards the batch's: momentum 0.1 from mean 0, variance 1.
  const float* running_mean = h.layer->params()[2]->flat_data();
  CHECK(running_mean[0] != 0.0f);
}

TEST_CASE("BatchNorm with global statistics is an affine map with its gradient",
          "[nn][layers][grad]") {
  LayerHarness h("BatchNorm", {{"use_batch_stats", "never"}}, {{2, 3, 2, 2}});
  SetValues(*h.layer->params()[2], {0.5f, -1.0f, 2.0f});  // running mean
  SetValues(*h.layer->params()[3], {4.0f, 1.0f, 0.25f});  // running variance
  h.Forward();
  float x = h.bottom[0]->flat_data()[0];
  CHECK(h.top[0]->flat_data()[0] == Approx((x - 0.5f) / std::sqrt(4.0f + 1e-5f)));
  CheckGradients(h);
}

TEST_CASE("Scale, ReLU, Softmax and Eltwise gradients", "[nn][layers][grad]") {
  LayerHarness scale("Scale", {{"filler", {{"type", "uniform"}, {"min", 0.5}, {"max", 2}}}},
                     {{2, 3, 3, 2}});
  CheckGradients(scale);
  // Inputs kept away from the kink at 0.
  LayerHarness relu("ReLU", {{"negative_slope", 0.1}}, {{2, 3, 3, 2}}, 1, Backend::kReference, 0.1f,
                    1.0f);
  for (int64_t i = 0; i < relu.bottom[0]->count(); i += 2)
    relu.bottom[0]->mutable_flat_data()[i] *= -1;
  CheckGradients(relu);
  LayerHarness softmax("Softmax", json::object(), {{2, 4, 2, 3}});
  CheckGradients(softmax);
  for (const char* op : {"sum", "prod", "max"}) {
    INFO(op);
    json options = {{"operation", op}};
    if (std::string(op) == "sum") options["coeff"] = {0.5, -2.0};
    LayerHarness eltwise("Eltwise", options, {{2, 3, 2, 2}, {2, 3, 2, 2}});
    CheckGradients(eltwise);
  }
}

TEST_CASE("ReLU forward and Softmax forward by hand", "[nn][layers]") {
  LayerHarness relu("ReLU", json::object(), {{1, 1, 1, 4}});
  SetValues(*relu.bottom[0], {-2, -0.5, 0.5, 3});
  relu.Forward();
  CHECK(std::vector<float>(relu.top[0]->flat_data(), relu.top[0]->flat_data() + 4) ==
        std::vector<float>{0, 0, 0.5, 3});
  LayerHarness softmax("Softmax", json::object(), {{1, 2, 1, 1}});
  SetValues(*softmax.bottom[0], {0, std::log(3.0f)});
  softmax.Forward();
  CHECK(softmax.top[0]->flat_data()[0] == Approx(0.25));
  CHECK(softmax.top[0]->flat_data()[1] == Approx(0.75));
}

TEST_CASE("Dropout keeps 1 - ratio of the values scaled and is the identity in testing",
          "[nn][layers]") {
  LayerHarness h("Dropout", {{"ratio", 0.3}}, {{4, 8, 16, 16}}, 1, Backend::kReference, 1, 1);
  std::fill(h.bottom[0]->mutable_flat_data(),
            h.bottom[0]->mutable_flat_data() + h.bottom[0]->count(), 1.0f);
  h.Forward();
  const float* y = h.top[0]->flat_data();
  int64_t kept = 0;
  for (int64_t i = 0; i < h.top[0]->count(); ++i) {
    REQUIRE((y[i] == 0.0f || y[i] == Approx(1 / 0.7f)));
    kept += y[i] != 0.0f;
  }
  CHECK(static_cast<double>(kept) / h.top[0]->count() == Approx(0.7).margin(0.02));
  // The same iteration drops the same elements; another iteration others.
  std::vector<float> first(y, y + h.top[0]->count());
  h.Forward();
  CHECK(std::equal(first.begin(), first.end(), h.top[0]->flat_data()));
  h.state.iteration += 1;
  h.Forward();
  CHECK_FALSE(std::equal(first.begin(), first.end(), h.top[0]->flat_data()));
  CheckGradients(h);
  h.state.phase = Phase::kTest;
  h.Forward();
  CHECK(h.top[0]->flat_data()[0] == 1.0f);
}

TEST_CASE("Pooling by hand and its gradients", "[nn][layers][grad]") {
  LayerHarness max("Pooling", {{"pool", "max"}, {"kernel_size", 2}}, {{1, 1, 4, 4}});
  std::vector<float> values(16);
  std::iota(values.begin(), values.end(), 0.0f);
  SetValues(*max.bottom[0], values);
  max.Forward();
  CHECK(std::vector<float>(max.top[0]->flat_data(), max.top[0]->flat_data() + 4) ==
        std::vector<float>{5, 7, 13, 15});
  LayerHarness ave("Pooling", {{"pool", "ave"}, {"kernel_size", 3}, {"stride", 2}, {"pad", 1}},
                   {{2, 3, 5, 5}});
  CHECK(ave.top[0]->shape() == Shape{2, 3, 3, 3});
  CheckGradients(ave);
  LayerHarness max_grad("Pooling", {{"pool", "max"}, {"kernel_size", 2}, {"ceil_mode", true}},
                        {{2, 3, 5, 5}});
  CHECK(max_grad.top[0]->shape() == Shape{2, 3, 3, 3});
  // Distinct values 0.05 apart: finite differences never swap which input is the maximum.
  std::vector<float> spaced(static_cast<size_t>(max_grad.bottom[0]->count()));
  for (size_t i = 0; i < spaced.size(); ++i)
    spaced[i] = static_cast<float>((i * 37) % spaced.size()) * 0.05f;
  SetValues(*max_grad.bottom[0], spaced);
  CheckGradients(max_grad);
}

TEST_CASE("Concat, Slice and Crop move channels and pixels with their gradients",
          "[nn][layers][grad]") {
  LayerHarness concat("Concat", json::object(), {{2, 3, 2, 2}, {2, 5, 2, 2}});
  CHECK(concat.top[0]->shape() == Shape{2, 8, 2, 2});
  concat.Forward();
  CHECK(concat.top[0]->flat_data()[3] == concat.bottom[1]->flat_data()[0]);
  CheckGradients(concat);
  LayerHarness crop("Crop", {{"offset", {1, 2}}}, {{2, 3, 6, 7}, {1, 1, 3, 4}});
  CHECK(crop.top[0]->shape() == Shape{2, 3, 3, 4});
  crop.Forward();
  CHECK(crop.top[0]->flat_data()[0] == crop.bottom[0]->mutable_data().at(0, 0, 1, 2));
  CheckGradients(crop, {.bottoms = {0}});
}

TEST_CASE("Softmax cross-entropy honours class weights and the ignore label",
          "[nn][layers][grad]") {
  LayerHarness h("SoftmaxWithLoss", {{"class_weights", {1.0, 3.0}}, {"ignore_label", 255}},
                 {{1, 2, 1, 3}, {1, 1, 1, 3}});
  SetValues(*h.bottom[0], {0, 0, 0, std::log(3.0f), 5, 5});  // p = (.5,.5), (.25,.75), (.5,.5)
  SetLabels(*h.bottom[1], {0, 1, 255});
  h.Forward();
  // (1 * -log .5 + 3 * -log .75) / (1 + 3)
  CHECK(h.top[0]->flat_data()[0] == Approx((std::log(2.0) + 3 * std::log(4.0 / 3.0)) / 4));
  LayerHarness g("SoftmaxWithLoss", {{"class_weights", {0.5, 2.0}}, {"ignore_label", 255}},
                 {{2, 2, 3, 3}, {2, 1, 3, 3}});
  std::vector<float> labels(18);
  for (size_t i = 0; i < labels.size(); ++i)
    labels[i] = i % 5 == 0 ? 255.0f : static_cast<float>(i % 2);
  SetLabels(*g.bottom[1], labels);
  CheckGradients(g, {.bottoms = {0}});
  SetLabels(*g.bottom[1], std::vector<float>(18, 2.0f));
  CHECK_THROWS_WITH(g.Forward(), Catch::Contains("label 2 is not a class index 0..1"));
}

TEST_CASE("Sigmoid cross-entropy and the soft Jaccard loss", "[nn][layers][grad]") {
  LayerHarness sigmoid("SigmoidCrossEntropyLoss", json::object(), {{2, 1, 3, 3}, {2, 1, 3, 3}}, 1,
                       Backend::kReference, 0, 1);
  for (int64_t i = 0; i < 18; ++i)
    sigmoid.bottom[1]->mutable_flat_data()[i] = i % 3 == 0 ? 1.0f : 0.0f;
  for (int64_t i = 0; i < 18; ++i) sigmoid.bottom[0]->mutable_flat_data()[i] = (i % 7) - 3.0f;
  sigmoid.Forward();
  double expected = 0;
  for (int i = 0; i < 18; ++i) {
    double x = (i % 7) - 3.0, t = i % 3 == 0 ? 1 : 0;
    expected +=
        -(t * std::log(1 / (1 + std::exp(-x))) + (1 - t) * std::log(1 - 1 / (1 + std::exp(-x))));
  }
  CHECK(sigmoid.top[0]->flat_data()[0] == Approx(expected / 18));
  CheckGradients(sigmoid, {.bottoms = {0}});

  LayerHarness jaccard("JaccardLoss", {{"class", 1}, {"smooth", 1.0}},
                       {{1, 2, 1, 2}, {1, 1, 1, 2}});
  SetValues(*jaccard.bottom[0], {0.2f, 0.8f, 0.6f, 0.4f});
  SetLabels(*jaccard.bottom[1], {1, 0});
  jaccard.Forward();
  // I = 0.8, U = (0.8 + 0.4) + 1 - 0.8 = 1.4: 1 - (0.8 + 1) / (1.4 + 1)
  CHECK(jaccard.top[0]->flat_data()[0] == Approx(1 - 1.8 / 2.4));
  LayerHarness jg("JaccardLoss", {{"class", 1}}, {{2, 2, 3, 3}, {2, 1, 3, 3}}, 1,
                  Backend::kReference, 0, 1);
  std::vector<float> labels(18);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<float>(i % 2);
  SetLabels(*jg.bottom[1], labels);
  CheckGradients(jg, {.bottoms = {0}});
}

TEST_CASE("The IoU layer counts per-class confusion of argmax predictions", "[nn][layers]") {
  LayerHarness h("IoU", {{"ignore_label", 255}}, {{1, 2, 1, 5}, {1, 1, 1, 5}});
  // predictions: 1, 1, 0, 0, 1 ; labels: 1, 0, 0, 255, 1
  SetValues(*h.bottom[0], {0, 1, 0, 1, 1, 0, 1, 0, 0, 1});
  SetLabels(*h.bottom[1], {1, 0, 0, 255, 1});
  h.Forward();
  // class 1: tp 2, fp 1, fn 0 -> 2/3; class 0: tp 1, fp 0, fn 1 -> 1/2
  CHECK(h.top[0]->flat_data()[1] == Approx(2.0 / 3));
  CHECK(h.top[0]->flat_data()[0] == Approx(0.5));
  CHECK(h.layer->Counters() == std::vector<int64_t>{1, 2, 0, 1, 1, 0});
}

TEST_CASE("Bad layer settings name the layer and the key", "[nn][layers]") {
  CHECK_THROWS_WITH(
      LayerHarness("Convolution", {{"num_output", 2}, {"kernal_size", 3}}, {{1, 1, 4, 4}}),
      Catch::Contains("unknown key 'layers[0].convolution.kernal_size'"));
  CHECK_THROWS_WITH(
      LayerHarness("Pooling", {{"pool", "median"}}, {{1, 1, 4, 4}}),
      Catch::Contains("pool 'median' is not max or ave") && Catch::Contains("layer 'under_test'"));
  CHECK_THROWS_WITH(LayerHarness("Convolution", {{"num_output", 3}, {"group", 2}}, {{1, 4, 4, 4}}),
                    Catch::Contains("multiples of group 2"));
  CHECK_THROWS_WITH(
      LayerHarness("Fancy", json::object(), {{1, 1, 1, 1}}),
      Catch::Contains("unknown layer type 'Fancy'") && Catch::Contains("Convolution"));
}

}  // namespace
}  // namespace rb::nn
