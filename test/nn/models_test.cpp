// The committed model configs: the paper's FC-DenseNet sizes, the seed's variants, and costs.
#include <catch2/catch.hpp>

#include "common/io/json_config.hpp"
#include "common/nn/net.hpp"

namespace rb::nn {
namespace {

using json = nlohmann::json;

// A model file with its inputs resized (so that building it stays cheap) and its classes set.
json Model(const std::string& name, int size = 32, int classes = 2) {
  json model =
      io::LoadJsonFile(std::string(RB_TEST_SOURCE_DIR) + "/configs/models/" + name + ".json");
  for (json& layer : model["layers"]) {
    if (layer["type"] == "Input") {
      auto& shape = layer["input"]["shape"][0];
      shape[0] = 1;
      shape[2] = shape[3] = size;
    }
    if (layer["name"] == "score") layer["convolution"]["num_output"] = classes;
  }
  return model;
}

int64_t Trainable(const json& model) {
  return Net(ParseNetSpec(model, "model"), {Phase::kTrain, Backend::kReference, 1})
      .TrainableParameterCount();
}

TEST_CASE("FC-DenseNet 56, 67 and 103 have the paper's trainable parameter counts",
          "[nn][models]") {
  // 3-band input, 11 classes (CamVid): counted in the shared notes (networks.md 1.4) from the
  // architecture: conv weights + biases + BatchNorm gamma and beta.
  CHECK(Trainable(Model("fc_densenet56", 32, 11)) == 1376795);
  CHECK(Trainable(Model("fc_densenet67", 32, 11)) == 3463243);
  CHECK(Trainable(Model("fc_densenet103", 32, 11)) == 9322091);
  // Two classes (road, background): 1.38M, 3.46M, 9.32M within 1 %.
  CHECK(Trainable(Model("fc_densenet56")) == Approx(1.38e6).epsilon(0.01));
  CHECK(Trainable(Model("fc_densenet67")) == Approx(3.46e6).epsilon(0.01));
  CHECK(Trainable(Model("fc_densenet103")) == Approx(9.32e6).epsilon(0.01));
}

TEST_CASE("The seed's 8-band and R/NIR variants and the tiny model build", "[nn][models]") {
  for (const char* name : {"fc_densenet56_8band", "fc_densenet67_8band", "fc_densenet103_8band"}) {
    Net net(ParseNetSpec(Model(name), name), {Phase::kTrain, Backend::kReference, 1});
    CHECK(net.layer("conv0")->params()[0]->shape() == Shape{96, 8, 3, 3});
  }
  for (const char* name : {"fc_densenet56_rnir", "tiramisu_tiny_rnir"}) {
    Net net(ParseNetSpec(Model(name), name), {Phase::kTrain, Backend::kReference, 1});
    CHECK(net.blob("data").shape().c == 3);
  }
  Net tiny(ParseNetSpec(Model("tiramisu_tiny", 64), "tiny"),
           {Phase::kTrain, Backend::kReference, 1});
  CHECK(tiny.blob("prob").shape() == Shape{1, 2, 64, 64});
  CHECK(tiny.TrainableParameterCount() < 200000);
  Net deploy(ParseNetSpec(Model("tiramisu_tiny", 64), "tiny"),
             {Phase::kDeploy, Backend::kReference, 1});
  CHECK_FALSE(deploy.has_blob("label"));
  CHECK_FALSE(deploy.has_blob("loss"));
}

TEST_CASE("FC-DenseNet56 costs 8.9 GMAC per 224x224 image", "[nn][models]") {
  // Shared notes networks.md 1.5: 8.9 GMAC (17.8 GFLOP) at 224x224, 3 bands.
  Net net(ParseNetSpec(Model("fc_densenet56", 224, 11), "56"),
          {Phase::kDeploy, Backend::kReference, 1});
  CHECK(net.ForwardMacs() / 1e9 == Approx(8.9).epsilon(0.02));
}

}  // namespace
}  // namespace rb::nn
