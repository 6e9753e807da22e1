// Parameter initialisation (Caffe's fillers). Fan-in and fan-out follow Caffe: for a weight of
// shape (n, c, h, w), fan_in = c h w and fan_out = n h w.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "common/core/rng.hpp"
#include "common/nn/blob.hpp"

namespace rb::io {
class ConfigReader;
}

namespace rb::nn {

struct FillerSpec {
  std::string type = "constant";         // constant, uniform, gaussian, xavier, msra, bilinear
  float value = 0;                       // constant
  float min = 0, max = 1;                // uniform
  float mean = 0, std = 1;               // gaussian
  std::string variance_norm = "fan_in";  // xavier, msra: fan_in, fan_out, average
  std::string distribution = "uniform";  // xavier, msra: uniform or normal

  // Reads an object like {"type": "msra", "distribution": "uniform"} (keys are checked).
  static FillerSpec Read(io::ConfigReader& reader);
  static FillerSpec Constant(float value);
};

// Fills the blob's data from `random`. xavier: scale sqrt(3 / n); msra (He): sqrt(6 / n) for
// uniform (Lasagne's HeUniform, the Tiramisu's init), std sqrt(2 / n) for normal; n by
// variance_norm. bilinear: upsampling kernels for a deconvolution.
void Fill(const FillerSpec& spec, Blob& blob, RandomStream& random);

}  // namespace rb::nn
