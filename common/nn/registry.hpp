// The one explicit table of layer types (no static self-registration): adding a layer means
// adding a row here.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/nn/layer.hpp"

namespace rb::nn {

// Throws kInvalidArgument for an unknown type, listing the known ones.
std::unique_ptr<Layer> CreateLayer(const LayerSpec& spec);
std::vector<std::string_view> LayerTypes();

}  // namespace rb::nn
