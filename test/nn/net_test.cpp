// Nets from JSON: composite expansion, the memory plan (dense blocks write into one stack, no
// concatenation copies; BatchNorm-ReLU outputs recomputed from a scratch), gradients of whole
// nets against finite differences, backends against each other.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <thread>

#include "common/core/rng.hpp"
#include "common/nn/net.hpp"
#include "roadbrew/kernels/onednn.hpp"
#include "roadbrew/kernels/threads.hpp"
#include "test/nn/net_fixtures.hpp"

namespace rb::nn {
namespace {

using test::FillInputs;
using test::LossAndGradients;
using test::TinyTiramisu;

using json = nlohmann::json;

TEST_CASE("Composites expand into primitive layers with readable names", "[nn][net]") {
  NetSpec spec = ParseNetSpec(TinyTiramisu(true, 0.2), "tiny.json");
  std::set<std::string> types;
  for (const LayerSpec& layer : spec.layers) types.insert(layer.type);
  CHECK(types == std::set<std::string>{"Input", "Convolution", "BatchNorm", "ReLU", "Dropout",
                                       "Concat", "Pooling", "Slice", "Deconvolution",
                                       "SoftmaxWithLoss", "Softmax", "JaccardLoss", "IoU"});
  Net net(spec, {Phase::kTrain, Backend::kReference, 1});
  CHECK(net.layer("db1/l2_conv") != nullptr);
  CHECK(net.layer("iou") == nullptr);  // TEST phase only
  CHECK(net.blob("db1").shape() == Shape{2, 4 + 2 * 3, 8, 8});
  CHECK(net.blob("db2_new").shape() == Shape{2, 6, 4, 4});
  CHECK(net.blob("tu1").shape() == Shape{2, 6 + 10, 8, 8});
  CHECK(net.blob("score").shape() == Shape{2, 2, 8, 8});
  Net test(spec, {Phase::kTest, Backend::kReference, 1});
  CHECK(test.layer("iou") != nullptr);
  CHECK_THAT(net.Summary(),
             Catch::Contains("db1/l1_conv") && Catch::Contains("trainable parameters"));
}

TEST_CASE("Dense blocks write their features into one stack without copies", "[nn][net]") {
  Net net(ParseNetSpec(TinyTiramisu(true, 0.2), "tiny.json"),
          {Phase::kTrain, Backend::kReference, 1});
  const Blob& stack = net.blob("db1");
  // Every layer's new features are a channel range of the final stack...
  int base = stack.channel_offset();
  CHECK(net.blob("db1/l1_new").storage() == stack.storage());
  CHECK(net.blob("db1/l1_new").channel_offset() == base + 4);
  CHECK(net.blob("db1/l2_new").channel_offset() == base + 7);
  // The skip connection is written in place as well: the down block's stack lives inside the
  // up block's stack, after the upsampled features.
  CHECK(stack.storage() == net.blob("db3").storage());
  CHECK(base == 6);
  CHECK(net.blob("db1/l1_stack").storage() == stack.storage());
  // ...the block's "new features" top is a view, and the transition up's concatenation is the
  // prefix of the next block's stack.
  CHECK(net.blob("db2_new").storage() == net.blob("db2").storage());
  CHECK(net.blob("db2_new").channel_offset() == 4 + 6);
  CHECK(net.blob("tu1").storage() == net.blob("db3").storage());
  // BatchNorm-ReLU outputs share one scratch.
  CHECK(net.blob("db1/l1_features").storage() == net.blob("db3/l2_features").storage());
  CHECK(net.blob("td1/features").storage() == net.blob("db1/l1_features").storage());
  // The block input is a separate blob, copied in once.
  CHECK(net.blob("conv0").storage() != stack.storage());
}

TEST_CASE("Memory-efficient dense blocks give the plain blocks' loss and gradients", "[nn][net]") {
  Net efficient(ParseNetSpec(TinyTiramisu(true, 0.2), "a"),
                {Phase::kTrain, Backend::kReference, 1});
  Net plain(ParseNetSpec(TinyTiramisu(false, 0.2), "b"), {Phase::kTrain, Backend::kReference, 1});
  auto [loss_a, grads_a] = LossAndGradients(efficient);
  auto [loss_b, grads_b] = LossAndGradients(plain);
  CHECK(loss_a == loss_b);
  REQUIRE(grads_a.size() == grads_b.size());
  for (size_t i = 0; i < grads_a.size(); ++i) {
    INFO(efficient.learnable_params()[i].name);
    CHECK(grads_a[i] == grads_b[i]);
  }
}

TEST_CASE("BatchNorm absorbs the ReLU after it without changing any result", "[nn][net]") {
  BuildContext fused{Phase::kTrain, Backend::kReference, 1};
  BuildContext separate = fused;
  separate.fuse_layers = false;
  for (bool memory_efficient : {true, false}) {
    Net a(ParseNetSpec(TinyTiramisu(memory_efficient, 0.2), "a"), fused);
    Net b(ParseNetSpec(TinyTiramisu(memory_efficient, 0.2), "b"), separate);
    CHECK_THAT(a.Summary(), Catch::Contains("ReLU*") && Catch::Contains("* fused"));
    CHECK_THAT(b.Summary(), !Catch::Contains("ReLU*"));
    auto [loss_a, grads_a] = LossAndGradients(a);
    auto [loss_b, grads_b] = LossAndGradients(b);
    CHECK(loss_a == loss_b);
    for (size_t i = 0; i < grads_a.size(); ++i) {
      INFO(a.learnable_params()[i].name);
      CHECK(grads_a[i] == grads_b[i]);
    }
    // The fused layer's output is the ReLU's: nothing negative.
    const Blob& features = a.blob("db3/l2_features");
    for (int64_t k = 0; k < features.count(); ++k) REQUIRE(features.flat_data()[k] >= 0.0f);
  }
}

// The reference backend reduces in fixed chunks, so it gives the same bytes for any thread
// count; oneDNN splits its weight-gradient reductions by thread, so it repeats itself exactly
// only at a fixed thread count (which is what resuming a run needs).
TEST_CASE("Training steps repeat bit for bit, across thread counts on the reference backend",
          "[nn][net]") {
  auto step = [](Backend backend, int threads) {
    kernels::SetThreads(threads);
    Net net(ParseNetSpec(TinyTiramisu(true, 0.2, 2, 16), "t"), {Phase::kTrain, backend, 1});
    return LossAndGradients(net);
  };
  auto reference = step(Backend::kReference, 1);
  for (int threads : {2, 3}) {
    auto again = step(Backend::kReference, threads);
    CHECK(again.first == reference.first);
    CHECK(again.second == reference.second);
  }
  if (kernels::onednn::Available()) {
    auto first = step(Backend::kOneDnn, 2);
    auto second = step(Backend::kOneDnn, 2);
    CHECK(first.first == second.first);
    CHECK(first.second == second.second);
  }
  kernels::SetThreads(static_cast<int>(std::thread::hardware_concurrency()));
}

TEST_CASE("The expanded model rebuilds the same net and inputs take a new size", "[nn][net]") {
  NetSpec spec = ParseNetSpec(TinyTiramisu(true, 0.2), "tiny.json");
  json expanded = ExpandedJson(spec);
  CHECK(expanded["layers"].size() == spec.layers.size());
  CHECK(expanded["layers"][0]["type"] == "Input");
  NetSpec again = ParseNetSpec(expanded, "expanded.json");
  Net a(spec, {Phase::kTrain, Backend::kReference, 1});
  Net b(again, {Phase::kTrain, Backend::kReference, 1});
  CHECK(a.TrainableParameterCount() == b.TrainableParameterCount());
  CHECK(LossAndGradients(a).first == LossAndGradients(b).first);
  Net test(again, {Phase::kTest, Backend::kReference, 1});
  CHECK(test.layer("iou") != nullptr);  // include/exclude survive

  spec.SetInputShape("data", {1, 3, 16, 16});
  spec.SetInputShape("label", {1, 1, 16, 16});
  Net resized(spec, {Phase::kTrain, Backend::kReference, 1});
  CHECK(resized.blob("score").shape() == Shape{1, 2, 16, 16});
  CHECK_THROWS_WITH(spec.SetInputShape("score", {1, 2, 16, 16}),
                    Catch::Contains("no Input layer of 'tiny.json' makes blob 'score'"));
  // Inputs reshaped together after construction re-plan the net the same way.
  a.ReshapeInputs({{"data", {1, 3, 16, 16}}, {"label", {1, 1, 16, 16}}});
  CHECK(a.blob("db3").shape() == resized.blob("db3").shape());
}

TEST_CASE("Inference nets share buffers between blobs whose lifetimes do not overlap",
          "[nn][net]") {
  NetSpec spec = ParseNetSpec(TinyTiramisu(true, 0.2), "tiny.json");
  BuildContext shared{Phase::kTest, Backend::kReference, 1};
  shared.keep = {"prob"};
  BuildContext separate = shared;
  separate.share_activations = false;
  Net a(spec, shared), b(spec, separate);
  auto storages = [](const Net& net) {
    std::set<const SyncedMemory*> distinct;
    for (size_t i = 0; i < net.layers().size(); ++i)
      for (const Blob* top : net.tops(i)) distinct.insert(top->storage());
    return distinct.size();
  };
  CHECK(storages(a) < storages(b) / 2);
  FillInputs(a, 3);
  FillInputs(b, 3);
  double loss_a = a.Forward({Phase::kTest, 0, 7, false});
  double loss_b = b.Forward({Phase::kTest, 0, 7, false});
  CHECK(loss_a == loss_b);
  const Blob& pa = a.blob("prob");
  const Blob& pb = b.blob("prob");
  CHECK(std::equal(pa.flat_data(), pa.flat_data() + pa.count(), pb.flat_data()));
}

TEST_CASE("Whole-net gradients match finite differences of the loss", "[nn][net][grad]") {
  // No dropout (a fixed function of the weights) and batch statistics: a smooth objective.
  Net net(ParseNetSpec(TinyTiramisu(true, 0.0), "tiny.json"),
          {Phase::kTrain, Backend::kReference, 1});
  auto [loss, grads] = LossAndGradients(net);
  CHECK(std::isfinite(loss));
  const float step = 2e-3f;
  int checked = 0;
  for (size_t i = 0; i < net.learnable_params().size(); i += 3) {
    Blob& blob = *net.learnable_params()[i].blob;
    for (int64_t k = 0; k < blob.count(); k += std::max<int64_t>(1, blob.count() / 3)) {
      float saved = blob.mutable_flat_data()[k];
      blob.mutable_flat_data()[k] = saved + step;
      double plus = net.Forward({Phase::kTrain, 4, 7, false});
      blob.mutable_flat_data()[k] = saved - step;
      double minus = net.Forward({Phase::kTrain, 4, 7, false});
      blob.mutable_flat_data()[k] = saved;
      double numeric = (plus - minus) / (2 * step);
      INFO(net.learnable_params()[i].name << "[" << k << "]");
      CHECK(grads[i][k] == Approx(numeric).margin(2e-3).epsilon(3e-2));
      ++checked;
    }
  }
  CHECK(checked > 20);
}

TEST_CASE("The oneDNN backend computes what the reference backend computes", "[nn][net][onednn]") {
  if (!kernels::onednn::Available()) {
    CHECK_THROWS(
        Net(ParseNetSpec(TinyTiramisu(true, 0.2), "a"), {Phase::kTrain, Backend::kOneDnn, 1}));
    return;
  }
  Net reference(ParseNetSpec(TinyTiramisu(true, 0.2), "a"),
                {Phase::kTrain, Backend::kReference, 1});
  Net onednn(ParseNetSpec(TinyTiramisu(true, 0.2), "b"), {Phase::kTrain, Backend::kOneDnn, 1});
  auto [loss_r, grads_r] = LossAndGradients(reference);
  auto [loss_o, grads_o] = LossAndGradients(onednn);
  CHECK(loss_o == Approx(loss_r).epsilon(1e-5));
  for (size_t i = 0; i < grads_r.size(); ++i) {
    INFO(reference.learnable_params()[i].name);
    for (size_t k = 0; k < grads_r[i].size(); ++k) {
      REQUIRE(grads_o[i][k] == Approx(grads_r[i][k]).margin(1e-4).epsilon(1e-3));
    }
  }
}

TEST_CASE("Shared parameters, in-place layers and malformed nets", "[nn][net]") {
  json shared = {
      {"schema_version", 1},
      {"layers",
       {{{"name", "in"}, {"type", "Input"}, {"top", "x"}, {"input", {{"shape", {{1, 2, 4, 4}}}}}},
        {{"name", "a"},
         {"type", "Convolution"},
         {"bottom", "x"},
         {"top", "a"},
         {"param", {{{"name", "w"}}, {{"name", "b"}}}},
         {"convolution", {{"num_output", 2}, {"kernel_size", 1}}}},
        {{"name", "relu"}, {"type", "ReLU"}, {"bottom", "a"}, {"top", "a"}},
        {{"name", "c"},
         {"type", "Convolution"},
         {"bottom", "a"},
         {"top", "c"},
         {"param", {{{"name", "w"}}, {{"name", "b"}}}},
         {"convolution", {{"num_output", 2}, {"kernel_size", 1}}}}}}};
  Net net(ParseNetSpec(shared, "shared.json"), {Phase::kTrain, Backend::kReference, 1});
  CHECK(net.layer("a")->params()[0] == net.layer("c")->params()[0]);
  CHECK(net.learnable_params().size() == 2);
  CHECK(net.NamedParams().size() == 2);

  json bad = shared;
  bad["layers"][3]["bottom"] = "nowhere";
  CHECK_THROWS_WITH(Net(ParseNetSpec(bad, "bad.json"), {}),
                    Catch::Contains("bottom 'nowhere' of layer 'c' (layers[3] of 'bad.json')"));
  bad = shared;
  bad["layers"][1]["convolution"]["kernal"] = 3;
  CHECK_THROWS_WITH(Net(ParseNetSpec(bad, "bad.json"), {}),
                    Catch::Contains("unknown key 'layers[1].convolution.kernal' in 'bad.json'"));
  bad = shared;
  bad["layers"][1]["convolutoin"] = json::object();
  CHECK_THROWS_WITH(ParseNetSpec(bad, "bad.json"),
                    Catch::Contains("unknown key 'layers[1].convolutoin'"));
  bad = shared;
  bad["layers"][3]["type"] = "Pooling";
  bad["layers"][3].erase("param");
  bad["layers"][3].erase("convolution");
  bad["layers"][3]["top"] = "a";
  CHECK_THROWS_WITH(Net(ParseNetSpec(bad, "bad.json"), {}),
                    Catch::Contains("cannot compute in place"));
}

}  // namespace
}  // namespace rb::nn
