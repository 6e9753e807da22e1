// Every layer on the CUDA backend against the reference backend: the same settings, parameters
// and seeded inputs, then the tops, the bottom gradients and the parameter gradients compared
// within float tolerance; a few layers also against finite differences of their GPU forward.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "test/nn/layer_harness.hpp"

namespace rb::nn {
namespace {

using json = nlohmann::json;
using test::LayerHarness;

void Compare(const char* what, const Blob& gpu, const Blob& cpu, double epsilon, double margin) {
  REQUIRE(gpu.shape() == cpu.shape());
  const float* a = what[0] == 'd' ? gpu.flat_diff() : gpu.flat_data();
  const float* b = what[0] == 'd' ? cpu.flat_diff() : cpu.flat_data();
  for (int64_t i = 0; i < gpu.count(); ++i) {
    INFO(what << " of " << cpu.name() << "[" << i << "]");
    REQUIRE(a[i] == Approx(b[i]).epsilon(epsilon).margin(margin));
  }
}

struct Parity {
  std::string type;
  json options;
  std::vector<Shape> shapes;
  int tops = 1;
  float lo = -1, hi = 1;
  std::vector<float> labels;  // values of bottom 1 (losses, IoU), repeated
  double epsilon = 1e-4, margin = 1e-5;
};

void CheckParity(const Parity& p) {
  INFO(p.type << " " << p.options.dump());
  LayerHarness cpu(p.type, p.options, p.shapes, p.tops, Backend::kReference, p.lo, p.hi);
  LayerHarness gpu(p.type, p.options, p.shapes, p.tops, Backend::kCuda, p.lo, p.hi);
  if (!p.labels.empty()) {
    for (LayerHarness* h : {&cpu, &gpu}) {
      float* labels = h->bottom[1]->mutable_flat_data();
      for (int64_t i = 0; i < h->bottom[1]->count(); ++i) labels[i] = p.labels[i % p.labels.size()];
    }
  }
  std::vector<bool> propagate(p.shapes.size(), true);
  if (cpu.layer->IsLoss() || p.type == "IoU" || p.type == "Crop") propagate[1] = false;
  cpu.Backward(propagate);  // runs Forward first
  gpu.Backward(propagate);
  for (size_t t = 0; t < cpu.top.size(); ++t) {
    Compare("data", *gpu.top[t], *cpu.top[t], p.epsilon, p.margin);
  }
  for (size_t b = 0; b < cpu.bottom.size(); ++b) {
    if (propagate[b]) Compare("diff", *gpu.bottom[b], *cpu.bottom[b], p.epsilon, p.margin);
  }
  for (size_t k = 0; k < cpu.layer->params().size(); ++k) {
    Compare("data", *gpu.layer->params()[k], *cpu.layer->params()[k], p.epsilon, p.margin);
    if (cpu.layer->IsLearnable(k)) {
      Compare("diff", *gpu.layer->params()[k], *cpu.layer->params()[k], p.epsilon, p.margin);
    }
  }
  CHECK(gpu.layer->Counters() == cpu.layer->Counters());
}

json Filled(json options) {
  options["weight_filler"] = {{"type", "gaussian"}, {"std", 0.3}};
  options["bias_filler"] = {{"type", "uniform"}, {"min", -0.5}, {"max", 0.5}};
  return options;
}

TEST_CASE("GPU convolutions match the reference kernels", "[gpu][layers]") {
  Shape in{2, 6, 9, 11};
  for (const json& options :
       {json{{"num_output", 5}, {"kernel_size", 3}, {"pad", 1}},
        json{{"num_output", 4}, {"kernel_size", 3}, {"stride", 2}, {"pad", 1}, {"pad_end", 0}},
        json{{"num_output", 6}, {"kernel_size", 3}, {"dilation", 2}, {"pad", 2}, {"group", 3}},
        json{{"num_output", 3}, {"kernel_size", 1}, {"bias_term", false}},
        json{{"num_output", 4}, {"kernel_size", {3, 1}}, {"pad", {0, 0}}, {"pad_end", {2, 1}}}}) {
    CheckParity({"Convolution", Filled(options), {in}});
  }
}

TEST_CASE("GPU deconvolutions match with the Tiramisu's pad_end alignment", "[gpu][layers]") {
  Shape in{2, 6, 5, 7};
  for (const json& options :
       {json{{"num_output", 4}, {"kernel_size", 3}, {"stride", 2}, {"pad", 0}, {"pad_end", 1}},
        json{{"num_output", 0}, {"kernel_size", 3}, {"stride", 2}, {"pad", 1}},
        json{{"num_output", 6}, {"kernel_size", 4}, {"stride", 2}, {"pad", 1}, {"group", 2}}}) {
    CheckParity({"Deconvolution", Filled(options), {in}});
  }
}

TEST_CASE("GPU batch norm matches on cuDNN's path and the shared kernels' path", "[gpu][layers]") {
  Shape in{3, 7, 5, 6};
  CheckParity({"BatchNorm", {}, {in}, 1, 2, 6});  // dense and unfused: cuDNN
  CheckParity({"BatchNorm", {{"eps", 1e-3}, {"momentum", 0.5}}, {in}, 1, 2, 6});
  CheckParity({"BatchNorm", {{"affine", false}}, {in}});  // the shared kernels
  CheckParity({"BatchNorm", {{"use_batch_stats", "never"}}, {in}});
  CheckParity({"BatchNorm", {{"momentum", 0.3}, {"use_batch_stats", "always"}}, {in}});
}

TEST_CASE("GPU elementwise layers match", "[gpu][layers]") {
  Shape in{2, 5, 4, 6};
  CheckParity({"ReLU", {}, {in}});
  CheckParity({"ReLU", {{"negative_slope", 0.1}}, {in}});
  CheckParity({"Scale", {{"filler", {{"type", "uniform"}, {"min", 0.5}, {"max", 2}}}}, {in}});
  CheckParity({"Dropout", {{"ratio", 0.3}}, {in}});  // the same mask on both sides
  CheckParity({"Softmax", {}, {in}});
  for (const char* op : {"sum", "prod", "max"}) {
    json options = {{"operation", op}};
    if (std::string(op) == "sum") options["coeff"] = {0.5, -2.0};
    CheckParity({"Eltwise", options, {in, in}});
  }
  CheckParity({"Concat", {}, {in, {2, 3, 4, 6}}});
  CheckParity({"Crop", {{"offset", {1, 2}}}, {{2, 5, 7, 9}, {2, 1, 4, 6}}});
}

TEST_CASE("GPU pooling matches for max and for cuDNN's and the shared average", "[gpu][layers]") {
  Shape in{2, 4, 9, 8};
  CheckParity({"Pooling", {{"pool", "max"}, {"kernel_size", 2}}, {in}});
  CheckParity(
      {"Pooling", {{"pool", "max"}, {"kernel_size", 3}, {"stride", 2}, {"ceil_mode", true}}, {in}});
  CheckParity({"Pooling", {{"pool", "ave"}, {"kernel_size", 3}, {"stride", 2}, {"pad", 1}}, {in}});
  CheckParity(
      {"Pooling", {{"pool", "ave"}, {"kernel_size", 3}, {"stride", 2}, {"ceil_mode", true}}, {in}});
}

TEST_CASE("GPU losses and the IoU metric match", "[gpu][layers]") {
  Shape scores{2, 3, 4, 5}, labels{2, 1, 4, 5};
  std::vector<float> classes = {0, 1, 2, 255, 1, 0, 2};
  CheckParity({"SoftmaxWithLoss",
               {{"ignore_label", 255}, {"class_weights", {0.5, 2.0, 1.0}}},
               {scores, labels},
               2,
               -2,
               2,
               classes});
  CheckParity({"SoftmaxWithLoss",
               {{"normalization", "full"}},
               {scores, labels},
               1,
               -2,
               2,
               {0, 1, 2, 2, 1}});
  CheckParity({"SigmoidCrossEntropyLoss",
               {{"ignore_label", 255}},
               {scores, scores},
               1,
               -3,
               3,
               {1, 0, 0, 255, 1, 1}});
  CheckParity(
      {"JaccardLoss", {{"ignore_label", 255}, {"class", 2}}, {scores, labels}, 1, 0, 1, classes});
  CheckParity({"IoU", {{"ignore_label", 255}}, {scores, labels}, 1, -1, 1, classes});
}

TEST_CASE("GPU layers pass their own finite-difference gradient checks", "[gpu][layers][grad]") {
  LayerHarness conv("Convolution", Filled({{"num_output", 3}, {"kernel_size", 3}, {"pad", 1}}),
                    {{1, 2, 5, 5}}, 1, Backend::kCuda);
  test::CheckGradients(conv, {.step = 1e-2f, .tolerance = 2e-2f});
  LayerHarness deconv(
      "Deconvolution",
      Filled({{"num_output", 2}, {"kernel_size", 3}, {"stride", 2}, {"pad_end", 1}}),
      {{1, 3, 3, 3}}, 1, Backend::kCuda);
  test::CheckGradients(deconv, {.step = 1e-2f, .tolerance = 2e-2f});
  LayerHarness bn("BatchNorm", {}, {{2, 3, 3, 3}}, 1, Backend::kCuda);
  test::CheckGradients(bn, {.step = 1e-2f, .tolerance = 3e-2f});
}

}  // namespace
}  // namespace rb::nn
