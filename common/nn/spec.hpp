// Network and solver specifications from JSON: Caffe's NetParameter and SolverParameter as
// JSON objects, keys checked (an unknown key is an error naming its path).
//
// A model file:
//   {"schema_version": 1, "name": "tiramisu_tiny",
//    "layers": [{"name": "data", "type": "Input", "top": ["data", "label"],
//                "input": {"shape": [[4, 8, 256, 256], [4, 1, 256, 256]]}},
//               {"name": "conv0", "type": "Convolution", "bottom": "data", "top": "conv0",
//                "param": [{"lr_mult": 1}, {"lr_mult": 1, "decay_mult": 0}],
//                "convolution": {"num_output": 48, "kernel_size": 3, "pad": 1}},
//               {"name": "db1", "type": "DenseBlock", ...}, ...]}
// Layer keys: name, type, bottom, top (a string or a list), param, loss_weight, include /
// exclude ({"phase": "TRAIN" | "TEST" | "DEPLOY"}), recompute, and the type's settings under its
// snake_case name. Composite types (DenseBlock, TransitionDown, TransitionUp) expand here into
// primitive layers; see composites.hpp.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/nn/layer.hpp"

namespace rb::nn {

struct NetSpec {
  std::string name;
  std::string description;
  std::vector<LayerSpec> layers;  // primitive layers, composites expanded
  nlohmann::json source_json;     // the file as read, for snapshots
  std::string source = "<memory>";

  // Layers that take part in `phase`.
  std::vector<LayerSpec> ForPhase(Phase phase) const;
  // Sets the shape an Input layer gives its top `blob` (the batch and tile size of a run), so a
  // net is built at its working size; throws kInvalidArgument when no Input layer makes `blob`.
  void SetInputShape(std::string_view blob, const std::array<int, 4>& nchw);
};

NetSpec ParseNetSpec(const nlohmann::json& json, const std::string& source);
// The model as primitive layers (composites expanded) in the model-file schema: what the net
// really is, for tools and for peers that rebuild the same architecture.
nlohmann::json ExpandedJson(const NetSpec& spec);

// The product of the strides of the model's convolutions and poolings: input sizes must be
// multiples of it for an encoder-decoder's up path to meet its skip connections.
int DownsamplingFactor(const NetSpec& spec);

NetSpec LoadNetSpec(const std::filesystem::path& path);

}  // namespace rb::nn
