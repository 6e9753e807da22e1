// Reading a layer's own settings ("convolution": {...}) with key checking.
#pragma once

#include <utility>

#include "common/io/json_config.hpp"
#include "common/nn/layer.hpp"

namespace rb::nn {

// A reader over spec.options at "<path>.<options key>" of the model file.
io::ConfigReader OptionsReader(const LayerSpec& spec);

// An int or a two-element [h, w] array at `key` (both the same for a plain int).
std::pair<int, int> ReadPair(io::ConfigReader& reader, std::string_view key,
                             std::pair<int, int> fallback);

}  // namespace rb::nn
