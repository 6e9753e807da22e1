// Nets shared by the engine's tests and the GPU tests: a small Tiramisu with every layer type
// of the real models, seeded inputs, and one training pass's loss and gradients.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/nn/net.hpp"

namespace rb::nn::test {

// A small Tiramisu: conv, dense block, transition down, bottleneck block, transition up,
// dense block, 1x1 classifier, softmax loss (+ Jaccard) and IoU (TEST phase).
nlohmann::json TinyTiramisu(bool memory_efficient, double dropout, int batch = 2, int size = 8);

// Data uniform in [-1, 1), labels 0/1 with every 11th pixel the ignore label 255.
void FillInputs(Net& net, uint64_t seed);

// Loss and all parameter gradients of one training pass on FillInputs(net, 3).
std::pair<double, std::vector<std::vector<float>>> LossAndGradients(Net& net,
                                                                    uint64_t iteration = 4);

}  // namespace rb::nn::test
