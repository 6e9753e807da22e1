// Test harness for single layers: builds one layer on blobs of given shapes filled with seeded
// values, and checks its backward pass against central finite differences of the objective
// sum(top * R) for a fixed random R (or the loss itself for loss layers). On the CUDA backend
// the harness runs the layer's GPU methods (the blobs copy themselves to and from the device).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/rng.hpp"
#include "common/nn/layer.hpp"

namespace rb::nn::test {

struct LayerHarness {
  // `options` is the layer's settings object; bottoms get seeded uniform values in [lo, hi).
  LayerHarness(const std::string& type, const nlohmann::json& options,
               const std::vector<Shape>& bottom_shapes, int tops = 1,
               Backend backend = Backend::kReference, float lo = -1, float hi = 1);

  std::unique_ptr<Layer> layer;
  bool gpu = false;
  std::vector<std::unique_ptr<Blob>> bottom_blobs, top_blobs;
  Blobs bottom, top;
  RunState state;

  void Forward();
  // Objective = sum over top 0 of top * weights (weights fixed per harness).
  double Objective();
  void Backward(const std::vector<bool>& propagate);
  std::vector<float> top_weights;
};

struct GradientCheckOptions {
  float step = 1e-2f;
  float tolerance = 1e-2f;      // on |analytic - numeric| / max(1, |analytic|, |numeric|)
  std::vector<size_t> bottoms;  // bottoms to check (default: all)
  bool params = true;
  int max_elements = 200;  // per blob, spread evenly
};

// Runs the check; failures are reported through Catch2 with the blob, index and values.
void CheckGradients(LayerHarness& harness, const GradientCheckOptions& options = {});

}  // namespace rb::nn::test
