#include "test/nn/layer_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "common/nn/registry.hpp"

namespace rb::nn::test {

LayerHarness::LayerHarness(const std::string& type, const nlohmann::json& options,
                           const std::vector<Shape>& bottom_shapes, int tops, Backend backend,
                           float lo, float hi) {
  LayerSpec spec;
  spec.name = "under_test";
  spec.type = type;
  spec.options = options;
  spec.path = "layers[0]";
  RandomStream random(99, 1);
  for (size_t i = 0; i < bottom_shapes.size(); ++i) {
    auto blob = std::make_unique<Blob>("bottom" + std::to_string(i));
    blob->SetShape(bottom_shapes[i]);
    blob->Allocate();
    float* data = blob->mutable_flat_data();
    for (int64_t k = 0; k < blob->count(); ++k)
      data[k] = static_cast<float>(random.Uniform(lo, hi));
    bottom.push_back(blob.get());
    spec.bottom.push_back(blob->name());
    bottom_blobs.push_back(std::move(blob));
  }
  for (int i = 0; i < tops; ++i) {
    auto blob = std::make_unique<Blob>("top" + std::to_string(i));
    top.push_back(blob.get());
    spec.top.push_back(blob->name());
    top_blobs.push_back(std::move(blob));
  }
  layer = CreateLayer(spec);
  gpu = backend == Backend::kCuda;
  layer->SetUp(bottom, top, {Phase::kTrain, backend, 5});
  layer->Reshape(bottom, top);
  for (Blob* t : top) t->Allocate();
  top_weights.resize(static_cast<size_t>(top[0]->count()));
  for (float& w : top_weights) w = static_cast<float>(random.Uniform(-1, 1));
  state = {Phase::kTrain, 3, 11, false};
}

void LayerHarness::Forward() {
  if (gpu) {
    layer->ForwardGpu(bottom, top, state);
  } else {
    layer->Forward(bottom, top, state);
  }
}

double LayerHarness::Objective() {
  Forward();
  if (layer->IsLoss()) return top[0]->flat_data()[0];
  const float* y = top[0]->flat_data();
  double sum = 0;
  for (size_t i = 0; i < top_weights.size(); ++i) sum += static_cast<double>(y[i]) * top_weights[i];
  return sum;
}

void LayerHarness::Backward(const std::vector<bool>& propagate) {
  Forward();
  if (layer->IsLoss()) {
    top[0]->mutable_flat_diff()[0] = 1.0f;
  } else {
    std::copy(top_weights.begin(), top_weights.end(), top[0]->mutable_flat_diff());
  }
  for (auto& p : layer->params())
    std::fill(p->mutable_flat_diff(), p->mutable_flat_diff() + p->count(), 0.0f);
  BackwardFlags flags{propagate, std::vector<bool>(bottom.size(), false)};
  if (gpu) {
    layer->BackwardGpu(top, bottom, flags, state);
  } else {
    layer->Backward(top, bottom, flags, state);
  }
}

namespace {

void CheckBlob(LayerHarness& h, const std::string& what, float* values, const float* analytic,
               int64_t count, const GradientCheckOptions& options) {
  int64_t step = std::max<int64_t>(1, count / options.max_elements);
  for (int64_t i = 0; i < count; i += step) {
    float saved = values[i];
    values[i] = saved + options.step;
    double plus = h.Objective();
    values[i] = saved - options.step;
    double minus = h.Objective();
    values[i] = saved;
    double numeric = (plus - minus) / (2.0 * options.step);
    double scale = std::max({1.0, std::fabs(numeric), std::fabs(static_cast<double>(analytic[i]))});
    double error = std::fabs(numeric - analytic[i]) / scale;
    if (error > options.tolerance) {
      FAIL_CHECK(what << "[" << i << "]: analytic " << analytic[i] << ", numeric " << numeric);
    }
  }
}

}  // namespace

void CheckGradients(LayerHarness& h, const GradientCheckOptions& options) {
  std::vector<size_t> bottoms = options.bottoms;
  if (bottoms.empty()) {
    for (size_t i = 0; i < h.bottom.size(); ++i) bottoms.push_back(i);
  }
  std::vector<bool> propagate(h.bottom.size(), false);
  for (size_t b : bottoms) propagate[b] = true;
  h.Backward(propagate);
  // Keep the analytic gradients before the finite differences re-run Forward.
  std::vector<std::vector<float>> bottom_grads, param_grads;
  for (size_t b : bottoms) {
    bottom_grads.emplace_back(h.bottom[b]->flat_diff(),
                              h.bottom[b]->flat_diff() + h.bottom[b]->count());
  }
  for (auto& p : h.layer->params()) {
    param_grads.emplace_back(p->flat_diff(), p->flat_diff() + p->count());
  }
  for (size_t k = 0; k < bottoms.size(); ++k) {
    Blob& blob = *h.bottom[bottoms[k]];
    CheckBlob(h, "bottom " + std::to_string(bottoms[k]), blob.mutable_flat_data(),
              bottom_grads[k].data(), blob.count(), options);
  }
  if (!options.params) return;
  for (size_t p = 0; p < h.layer->params().size(); ++p) {
    if (!h.layer->IsLearnable(p)) continue;
    Blob& blob = *h.layer->params()[p];
    CheckBlob(h, blob.name(), blob.mutable_flat_data(), param_grads[p].data(), blob.count(),
              options);
  }
}

}  // namespace rb::nn::test
