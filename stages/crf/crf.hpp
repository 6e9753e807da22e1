// rb-crf: fully connected CRF post-processing of road (or class) probabilities, with a
// smoothness kernel over pixel positions and an appearance (bilateral) kernel over positions and
// chosen image bands (Krähenbühl and Koltun 2011; parameters in shared notes networks.md 3.4).
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/cli/stage.hpp"
#include "common/geo/raster.hpp"

namespace rb::crf {

struct CrfParams {
  // Smoothness kernel: exp(-|p_i - p_j|^2 / (2 sxy^2)), positions in pixels.
  float smooth_sxy = 3;
  float smooth_compat = 3;  // its Potts weight; 0 leaves the kernel out
  // Appearance kernel: exp(-|p_i - p_j|^2 / (2 sxy^2) - sum_b (I_ib - I_jb)^2 / (2 srgb_b^2)).
  float appearance_sxy = 80;
  // In the image's units (13 suits 8-bit bands); one value for every band, or one per band.
  std::vector<float> appearance_srgb = {13};
  float appearance_compat = 10;  // 0 leaves the kernel (and the image) out
  int iterations = 5;
  // Probabilities below this are raised to it before -log (pydensecrf's unary_from_softmax).
  float unary_clip = 1e-5f;
};

// Per-pixel validity: a pixel takes part when its probabilities and its image bands are all
// finite; one with finite probabilities but a non-finite image value keeps its probabilities.
struct RefineStats {
  int64_t pixels = 0;             // in the window
  int64_t crf_pixels = 0;         // that took part
  int64_t changed = 0;            // whose label differs from the input's argmax (threshold 0.5)
  std::vector<int> dims;          // of each kernel
  std::vector<int64_t> vertices;  // lattice vertices of each kernel
  double lattice_seconds = 0;     // building lattices and normalisations
  double inference_seconds = 0;   // mean-field updates
  double crf_seconds = 0;         // all of RefineWindow: the CRF's cost without file I/O
};

struct Refined {
  // float32, the input's bands: 1 band = road probability (2 labels: 1 - p, p), N bands = class
  // probabilities; NaN where the input is NaN.
  geo::Raster probability;
  // Byte, 1 band: the most probable label (1 = road for a 1-band input), 255 where NaN.
  geo::Raster labels;
  // The same of the input probabilities (a 1-band input thresholded at 0.5), for comparisons.
  geo::Raster input_labels;
  RefineStats stats;
};

// The labels of probabilities as they are (argmax; a 1-band input is road where p > 0.5).
geo::Raster ArgmaxLabels(const geo::Raster& probability);

// Refines a window. `probability`: float32 (bands, H, W) with values in [0, 1] or NaN.
// `image`: float32 (bands, H, W) on the same grid, the appearance kernel's bands; may be null
// when params.appearance_compat is 0. Throws kInvalidArgument on mismatched sizes or a
// srgb count that is neither 1 nor the image's band count.
Refined RefineWindow(const geo::Raster& probability, const geo::Raster* image,
                     const CrfParams& params);

cli::StageDescriptor CrfStage();

}  // namespace rb::crf
