#include "common/nn/filler.hpp"

#include <cmath>

#include "common/core/check.hpp"
#include "common/io/json_config.hpp"

namespace rb::nn {

FillerSpec FillerSpec::Read(io::ConfigReader& reader) {
  FillerSpec spec;
  spec.type = reader.Get<std::string>("type", spec.type);
  spec.value = reader.Get<float>("value", spec.value);
  spec.min = reader.Get<float>("min", spec.min);
  spec.max = reader.Get<float>("max", spec.max);
  spec.mean = reader.Get<float>("mean", spec.mean);
  spec.std = reader.Get<float>("std", spec.std);
  spec.variance_norm = reader.Get<std::string>("variance_norm", spec.variance_norm);
  spec.distribution = reader.Get<std::string>("distribution", spec.distribution);
  static const char* kTypes[] = {"constant", "uniform", "gaussian", "xavier", "msra", "bilinear"};
  if (std::find(std::begin(kTypes), std::end(kTypes), spec.type) == std::end(kTypes)) {
    Throw(ErrorCode::kInvalidArgument,
          "unknown filler '{}' at '{}' in '{}' (constant, uniform, gaussian, xavier, msra, "
          "bilinear)",
          spec.type, reader.PathOf("type"), reader.source());
  }
  RB_CHECK_ARG(spec.variance_norm == "fan_in" || spec.variance_norm == "fan_out" ||
                   spec.variance_norm == "average",
               "variance_norm must be fan_in, fan_out or average at '{}' in '{}'",
               reader.PathOf("variance_norm"), reader.source());
  RB_CHECK_ARG(spec.distribution == "uniform" || spec.distribution == "normal",
               "distribution must be uniform or normal at '{}' in '{}'",
               reader.PathOf("distribution"), reader.source());
  return spec;
}

FillerSpec FillerSpec::Constant(float value) {
  FillerSpec spec;
  spec.value = value;
  return spec;
}

void Fill(const FillerSpec& spec, Blob& blob, RandomStream& random) {
  float* data = blob.mutable_flat_data();
  int64_t count = blob.count();
  const Shape& s = blob.shape();
  double fan_in = static_cast<double>(count) / s.n;
  double fan_out = static_cast<double>(count) / s.c;
  double n = spec.variance_norm == "fan_in"    ? fan_in
             : spec.variance_norm == "fan_out" ? fan_out
                                               : (fan_in + fan_out) / 2;
  auto uniform = [&](double lo, double hi) {
    for (int64_t i = 0; i < count; ++i) data[i] = static_cast<float>(random.Uniform(lo, hi));
  };
  auto normal = [&](double mean, double std) {
    for (int64_t i = 0; i < count; ++i) data[i] = static_cast<float>(mean + std * random.Normal());
  };
  if (spec.type == "constant") {
    std::fill(data, data + count, spec.value);
  } else if (spec.type == "uniform") {
    uniform(spec.min, spec.max);
  } else if (spec.type == "gaussian") {
    normal(spec.mean, spec.std);
  } else if (spec.type == "xavier" || spec.type == "msra") {
    double gain = spec.type == "xavier" ? 1.0 : 2.0;  // He: variance 2 / n for ReLU
    if (spec.distribution == "uniform") {
      double a = std::sqrt(3.0 * gain / n);
      uniform(-a, a);
    } else {
      normal(0.0, std::sqrt(gain / n));
    }
  } else if (spec.type == "bilinear") {
    // Caffe's bilinear upsampling kernel, the same for every (out, in) pair.
    RB_CHECK_ARG(s.h == s.w, "bilinear filler needs square kernels, got {}x{}", s.h, s.w);
    int k = s.w;
    double f = std::ceil(k / 2.0);
    double c = (2 * f - 1 - static_cast<int>(f) % 2) / (2.0 * f);
    for (int64_t i = 0; i < count; ++i) {
      int x = static_cast<int>(i % k), y = static_cast<int>((i / k) % k);
      data[i] = static_cast<float>((1 - std::fabs(x / f - c)) * (1 - std::fabs(y / f - c)));
    }
  }
}

}  // namespace rb::nn
