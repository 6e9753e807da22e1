#include "test/nn/net_fixtures.hpp"

#include "common/core/rng.hpp"

namespace rb::nn::test {

using json = nlohmann::json;

// A small Tiramisu: conv, dense block, transition down, bottleneck block, transition up,
// dense block, 1x1 classifier, softmax loss (+ Jaccard) and IoU.
json TinyTiramisu(bool memory_efficient, double dropout, int batch, int size) {
  json filler = {{"type", "msra"}, {"distribution", "uniform"}};
  json block = {{"dropout", dropout}, {"memory_efficient", memory_efficient}, {"growth", 3}};
  auto with = [](json base, json extra) {
    base.update(extra);
    return base;
  };
  return {
      {"schema_version", 1},
      {"name", "tiny"},
      {"layers",
       {{{"name", "data"},
         {"type", "Input"},
         {"top", {"data", "label"}},
         {"input", {{"shape", {{batch, 3, size, size}, {batch, 1, size, size}}}}}},
        {{"name", "conv0"},
         {"type", "Convolution"},
         {"bottom", "data"},
         {"top", "conv0"},
         {"convolution",
          {{"num_output", 4}, {"kernel_size", 3}, {"pad", 1}, {"weight_filler", filler}}}},
        {{"name", "db1"},
         {"type", "DenseBlock"},
         {"bottom", "conv0"},
         {"top", "db1"},
         {"dense_block", with(block, {{"layers", 2}})}},
        {{"name", "td1"},
         {"type", "TransitionDown"},
         {"bottom", "db1"},
         {"top", "td1"},
         {"transition_down", {{"dropout", dropout}, {"memory_efficient", memory_efficient}}}},
        {{"name", "db2"},
         {"type", "DenseBlock"},
         {"bottom", "td1"},
         {"top", {"db2", "db2_new"}},
         {"dense_block", with(block, {{"layers", 2}})}},
        {{"name", "tu1"}, {"type", "TransitionUp"}, {"bottom", {"db2_new", "db1"}}, {"top", "tu1"}},
        {{"name", "db3"},
         {"type", "DenseBlock"},
         {"bottom", "tu1"},
         {"top", "db3"},
         {"dense_block", with(block, {{"layers", 2}})}},
        {{"name", "score"},
         {"type", "Convolution"},
         {"bottom", "db3"},
         {"top", "score"},
         {"convolution", {{"num_output", 2}, {"kernel_size", 1}, {"weight_filler", filler}}}},
        {{"name", "loss"},
         {"type", "SoftmaxWithLoss"},
         {"bottom", {"score", "label"}},
         {"top", "loss"},
         {"softmax_with_loss", {{"ignore_label", 255}}}},
        {{"name", "prob"}, {"type", "Softmax"}, {"bottom", "score"}, {"top", "prob"}},
        {{"name", "jaccard"},
         {"type", "JaccardLoss"},
         {"bottom", {"prob", "label"}},
         {"top", "jaccard"},
         {"loss_weight", 0.5},
         {"jaccard_loss", {{"ignore_label", 255}}}},
        {{"name", "iou"},
         {"type", "IoU"},
         {"bottom", {"score", "label"}},
         {"top", "iou"},
         {"iou", {{"ignore_label", 255}}},
         {"include", {{"phase", "TEST"}}}}}}};
}

void FillInputs(Net& net, uint64_t seed) {
  RandomStream random(seed, 1);
  Blob& data = net.blob("data");
  for (int64_t i = 0; i < data.count(); ++i)
    data.mutable_flat_data()[i] = static_cast<float>(random.Uniform(-1, 1));
  Blob& label = net.blob("label");
  for (int64_t i = 0; i < label.count(); ++i) {
    label.mutable_flat_data()[i] =
        i % 11 == 0 ? 255.0f : static_cast<float>(random.UniformInt(0, 1));
  }
}

// Loss and all parameter gradients of a net for fixed inputs.
std::pair<double, std::vector<std::vector<float>>> LossAndGradients(Net& net, uint64_t iteration) {
  FillInputs(net, 3);
  RunState state{Phase::kTrain, iteration, 7, false};
  net.ClearParamDiffs();
  double loss = net.Forward(state);
  net.Backward(state);
  std::vector<std::vector<float>> grads;
  for (const LearnableParam& p : net.learnable_params()) {
    grads.emplace_back(p.blob->flat_diff(), p.blob->flat_diff() + p.blob->count());
  }
  return {loss, grads};
}

}  // namespace rb::nn::test
