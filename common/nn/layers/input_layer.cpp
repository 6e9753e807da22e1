#include "common/nn/layers/input_layer.hpp"

#include "common/nn/layer_options.hpp"

namespace rb::nn {

void InputLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 0, 0, 1, 64);
  io::ConfigReader options = OptionsReader(spec_);
  auto shapes = options.Require<std::vector<std::vector<int>>>("shape");
  options.Finish();
  if (shapes.size() != top.size()) {
    Fail(fmt::format("Input has {} tops but {} shapes", top.size(), shapes.size()));
  }
  for (const auto& s : shapes) {
    if (s.size() != 4 || s[0] < 1 || s[1] < 1 || s[2] < 1 || s[3] < 1) {
      Fail("every Input shape must be [N, C, H, W] of positive sizes");
    }
    top[&s - shapes.data()]->SetShape({s[0], s[1], s[2], s[3]});
  }
}

// The tops keep the shapes set at SetUp, or whatever the caller set since (Net::ReshapeInputs).
void InputLayer::Reshape(const Blobs&, const Blobs&) {}

}  // namespace rb::nn
