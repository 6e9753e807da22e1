// rb-infer: road probabilities over whole scenes with a trained net.
//
// An image no larger than the window runs whole (the net is fully convolutional; the image is
// mirror-padded to a multiple of the model's downsampling). A larger one runs in overlapping
// windows whose probabilities are blended with weights that ramp linearly across the overlap,
// so seams do not show; windows are processed a strip of rows at a time, so memory grows with
// the window and the image width, never with the image height.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/cli/stage.hpp"
#include "common/nn/layer.hpp"
#include "common/nn/spec.hpp"

namespace rb::nn {
class Net;
}

namespace rb::infer {

// A trained model as rb-train saved it: the model, its input bands and scaling, the weights.
struct InferModel {
  nn::NetSpec spec;
  std::filesystem::path weights;
  std::vector<std::string> bands;  // band names, in the order the net takes them
  float scale = 1.0f / 255.0f;     // input = sample * scale
};

// Reads best.safetensors (or any rb-train weights or snapshot) and its metadata; `model`
// (optional) overrides the model JSON stored there.
InferModel LoadInferModel(const std::filesystem::path& weights, const std::filesystem::path& model);

// The net at one input size, its weights loaded, producing the road probability.
class Predictor {
 public:
  Predictor(const InferModel& model, int height, int width, nn::Backend backend);
  ~Predictor();
  // image: height x width x bands samples (HWC) of exactly the predictor's size; returns the
  // probability of class 1 per pixel (row-major). With `flips`, the mean over the four
  // flips of the image (test-time augmentation).
  std::vector<float> Predict(const uint8_t* image, bool flips);
  int height() const { return height_; }
  int width() const { return width_; }

 private:
  std::vector<float> Once(const std::vector<float>& input);
  const InferModel& model_;
  int height_, width_, bands_;
  std::unique_ptr<nn::Net> net_;
};

// Window origins along an axis of `length` pixels: every `window - overlap`, the last one
// moved back to end at the edge (one window, at 0, when length <= window).
std::vector<int> WindowOrigins(int length, int window, int overlap);

// The window actually used along an axis of `length` pixels for windows of at most `window`
// and `overlap`, a multiple of `factor`: the whole (padded) length when it fits, else the
// smallest size that covers the axis with as few windows as `window` would need (1300 pixels
// at 1024 and 128: two windows of 736, not two of 1024 overlapping by 748).
int WindowSize(int length, int window, int overlap, int factor);

// Blending weight at offset `i` of a window of `window` pixels: ramps from 1/(overlap+1) to 1
// over `overlap` pixels on a side that has a neighbouring window, 1 elsewhere.
float BlendWeight(int i, int window, int overlap, bool ramp_before, bool ramp_after);

// A whole image as strips of rows, each strip's probabilities final and in order. `read`
// gives the HWC samples of rows [row, row + rows) over the full width; `emit` receives final
// rows (row0, rows, width, probabilities).
struct ScenePlan {
  int width = 0, height = 0, bands = 0;
  int window = 1024, overlap = 128;
  bool flips = false;
};
using ReadRows = std::function<std::vector<uint8_t>(int row, int rows)>;
using EmitRows = std::function<void(int row, int rows, const std::vector<float>& probability)>;
void PredictScene(const InferModel& model, const ScenePlan& plan, nn::Backend backend,
                  const ReadRows& read, const EmitRows& emit);

cli::StageDescriptor InferStage();

}  // namespace rb::infer
