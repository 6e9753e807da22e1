// rb-crf's core: a probability window (and its image) in, refined probabilities and labels out.
#include "stages/crf/crf.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "common/core/check.hpp"
#include "kernels/cpu/task_parallel.hpp"
#include "roadbrew/kernels/large_buffer.hpp"
#include "stages/crf/dense_crf.hpp"

namespace rb::crf {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

using kernels::LargeVector;
using kernels::cpu::TaskRanges;
constexpr int64_t kGrain = 16384;

// Band b of a float32 raster as a plain pointer (Raster::Band checks its type on every call).
std::vector<const float*> BandPointers(const geo::Raster& raster) {
  std::vector<const float*> bands;
  for (int b = 0; b < raster.bands(); ++b) bands.push_back(raster.Band<float>(b).data());
  return bands;
}

bool AllFinite(const std::vector<const float*>& bands, size_t index) {
  bool finite = true;
  for (const float* band : bands) finite &= std::isfinite(band[index]);
  return finite;
}

// Row-major indices of the pixels that take part.
std::vector<uint32_t> CrfPixels(const geo::Raster& probability, const geo::Raster* image) {
  const std::vector<const float*> p = BandPointers(probability);
  const std::vector<const float*> im = image ? BandPointers(*image) : std::vector<const float*>{};
  std::vector<uint32_t> pixels;
  pixels.reserve(probability.band_pixels());
  for (size_t i = 0; i < probability.band_pixels(); ++i) {
    if (AllFinite(p, i) && AllFinite(im, i)) pixels.push_back(static_cast<uint32_t>(i));
  }
  return pixels;
}

// A pixel with any non-finite probability is nodata in every band.
void MarkPartialNodata(geo::Raster& probability) {
  std::vector<float*> bands;
  for (int b = 0; b < probability.bands(); ++b) bands.push_back(probability.Band<float>(b).data());
  for (size_t i = 0; i < probability.band_pixels(); ++i) {
    bool finite = true;
    for (const float* band : bands) finite &= std::isfinite(band[i]);
    if (finite) continue;
    for (float* band : bands) band[i] = std::numeric_limits<float>::quiet_NaN();
  }
}

int LabelCount(const geo::Raster& probability) {
  return probability.bands() == 1 ? 2 : probability.bands();
}

LargeVector<float> Unary(const geo::Raster& probability, const std::vector<uint32_t>& pixels,
                         float clip) {
  const int labels = LabelCount(probability);
  const std::vector<const float*> p = BandPointers(probability);
  LargeVector<float> unary(pixels.size() * labels);
  auto energy = [clip](float v) { return -std::log(std::clamp(v, clip, 1.0f)); };
  TaskRanges(static_cast<int64_t>(pixels.size()), kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      if (p.size() == 1) {
        unary[k * 2] = energy(1.0f - p[0][pixels[k]]);
        unary[k * 2 + 1] = energy(p[0][pixels[k]]);
      } else {
        for (int l = 0; l < labels; ++l) unary[k * labels + l] = energy(p[l][pixels[k]]);
      }
    }
  });
  return unary;
}

// (row / sxy, column / sxy, band_b / srgb_b ...) per pixel: pydensecrf's feature order, so the
// two lattices discretise the same way.
LargeVector<float> Features(const std::vector<uint32_t>& pixels, int width, float sxy,
                            const geo::Raster* image, const std::vector<float>& srgb) {
  const std::vector<const float*> bands =
      image ? BandPointers(*image) : std::vector<const float*>{};
  const int dims = 2 + static_cast<int>(bands.size());
  LargeVector<float> features(pixels.size() * dims);
  TaskRanges(static_cast<int64_t>(pixels.size()), kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      float* f = &features[k * dims];
      f[0] = static_cast<float>(pixels[k] / width) / sxy;
      f[1] = static_cast<float>(pixels[k] % width) / sxy;
      for (size_t b = 0; b < bands.size(); ++b) {
        f[2 + b] = bands[b][pixels[k]] / (srgb.size() == 1 ? srgb[0] : srgb[b]);
      }
    }
  });
  return features;
}

void CheckInputs(const geo::Raster& probability, const geo::Raster* image,
                 const CrfParams& params) {
  RB_CHECK(probability.type() == geo::PixelType::kFloat32);
  RB_CHECK_ARG(params.iterations >= 0, "iterations must be >= 0, got {}", params.iterations);
  if (params.appearance_compat == 0) return;
  RB_CHECK_ARG(image != nullptr, "the appearance kernel (compat {}) needs an image",
               params.appearance_compat);
  RB_CHECK(image->type() == geo::PixelType::kFloat32);
  RB_CHECK_ARG(image->width() == probability.width() && image->height() == probability.height(),
               "image is {}x{} pixels, probabilities {}x{}", image->width(), image->height(),
               probability.width(), probability.height());
  const size_t n = params.appearance_srgb.size();
  RB_CHECK_ARG(n == 1 || n == static_cast<size_t>(image->bands()),
               "{} srgb values for {} image bands: give one, or one per band", n, image->bands());
  RB_CHECK_ARG(2 + image->bands() <= kernels::cpu::PermutohedralLattice::kMaxDims,
               "{} image bands exceed the appearance kernel's {} features (2 are positions)",
               image->bands(), kernels::cpu::PermutohedralLattice::kMaxDims);
}

}  // namespace

geo::Raster ArgmaxLabels(const geo::Raster& probability) {
  geo::Raster labels(geo::PixelType::kUInt8, 1, probability.height(), probability.width());
  labels.georef = probability.georef;
  labels.nodata = 255;
  uint8_t* out = labels.Band<uint8_t>(0).data();
  const std::vector<const float*> p = BandPointers(probability);
  TaskRanges(static_cast<int64_t>(probability.band_pixels()), kGrain,
             [&](int64_t begin, int64_t end) {
               for (int64_t i = begin; i < end; ++i) {
                 if (!AllFinite(p, i)) {
                   out[i] = 255;
                 } else if (p.size() == 1) {
                   out[i] = p[0][i] > 0.5f ? 1 : 0;
                 } else {
                   int best = 0;
                   for (size_t b = 1; b < p.size(); ++b) best = p[b][i] > p[best][i] ? b : best;
                   out[i] = static_cast<uint8_t>(best);
                 }
               }
             });
  return labels;
}

namespace {

// Q, (pixels, labels), of the CRF over `pixels`; fills the kernel figures of `stats`.
std::vector<float> SolveCrf(const geo::Raster& probability, const geo::Raster* image,
                            const std::vector<uint32_t>& pixels, const CrfParams& params,
                            RefineStats& stats) {
  auto start = std::chrono::steady_clock::now();
  DenseCrf crf(Unary(probability, pixels, params.unary_clip), LabelCount(probability));
  const int width = probability.width();
  if (params.smooth_compat > 0) {
    crf.AddGaussian(Features(pixels, width, params.smooth_sxy, nullptr, {}).data(), 2,
                    params.smooth_compat);
  }
  if (image != nullptr) {
    crf.AddGaussian(
        Features(pixels, width, params.appearance_sxy, image, params.appearance_srgb).data(),
        2 + image->bands(), params.appearance_compat);
  }
  for (const DenseCrf::TermInfo& term : crf.Terms()) {
    stats.dims.push_back(term.dims);
    stats.vertices.push_back(term.vertices);
  }
  stats.lattice_seconds = SecondsSince(start);
  start = std::chrono::steady_clock::now();
  std::vector<float> q = crf.Infer(params.iterations);
  stats.inference_seconds = SecondsSince(start);
  return q;
}

}  // namespace

Refined RefineWindow(const geo::Raster& probability, const geo::Raster* image,
                     const CrfParams& params) {
  const auto start = std::chrono::steady_clock::now();
  CheckInputs(probability, image, params);
  if (params.appearance_compat == 0) image = nullptr;
  Refined refined{probability, {}, ArgmaxLabels(probability), {}};
  MarkPartialNodata(refined.probability);
  RefineStats& stats = refined.stats;
  stats.pixels = static_cast<int64_t>(probability.band_pixels());
  const std::vector<uint32_t> pixels = CrfPixels(probability, image);
  stats.crf_pixels = static_cast<int64_t>(pixels.size());
  if (!pixels.empty()) {
    const std::vector<float> q = SolveCrf(probability, image, pixels, params, stats);
    const int labels = LabelCount(probability);
    // A 1-band input keeps one band: the road label's probability.
    const int first = probability.bands() == 1 ? 1 : 0;
    for (int b = 0; b < refined.probability.bands(); ++b) {
      float* out = refined.probability.Band<float>(b).data();
      for (size_t k = 0; k < pixels.size(); ++k) out[pixels[k]] = q[k * labels + first + b];
    }
  }
  refined.labels = ArgmaxLabels(refined.probability);
  std::span<const uint8_t> a = refined.input_labels.Band<uint8_t>(0);
  std::span<const uint8_t> b = refined.labels.Band<uint8_t>(0);
  for (size_t i = 0; i < a.size(); ++i) stats.changed += a[i] != b[i];
  stats.crf_seconds = SecondsSince(start);
  return refined;
}

}  // namespace rb::crf
