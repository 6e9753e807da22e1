#include "stages/synth/sensor.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "stages/synth/scene_parts.hpp"

namespace rb::synth {
namespace {

// 11-bit DN per unit reflectance and the atmosphere's path radiance, per band. Chosen so a
// Vegas scene's red/green/blue 98th percentiles land near the real AOI means (shared notes 1.4:
// R 25-1469, G 146-1805, B 155-1239) and its PAN quartiles near the real img699 tile's
// (421/533/685; 2nd-98th percentile 207-1071).
constexpr float kGain[kBands] = {2250, 2500, 3300, 2800, 2600, 2400, 2100, 1650};
constexpr float kPath[kBands] = {230, 170, 120, 60, 25, 18, 12, 8};
// Share of light left in full shadow: skylight is blue, so shadows keep more blue than NIR.
constexpr float kShadowLight[kBands] = {0.42f, 0.38f, 0.30f, 0.26f, 0.23f, 0.20f, 0.18f, 0.17f};
// PAN (450-800 nm) as a mix of the bands under it.
constexpr float kPanWeight[kBands] = {0.0f, 0.10f, 0.30f, 0.20f, 0.25f, 0.15f, 0.0f, 0.0f};
constexpr float kPanGain = 2200, kPanPath = 80;
constexpr int kMaxDn = 2047;

constexpr uint64_t kTextureLayer = 10, kFineLayer = 11, kNoiseLayer = 12;

// Read noise plus shot noise, in DN.
float NoiseSigma(float dn) { return std::sqrt(9.0f + 0.25f * std::max(dn, 0.0f)); }

// Adds sensor noise and quantises to 11 bits; `layer` keeps the noise of each product and band
// independent.
void Quantise(const cv::Mat& radiance, const Philox& noise, uint64_t layer,
              std::span<uint16_t> out) {
  const int width = radiance.cols;
  for (int y = 0; y < radiance.rows; ++y) {
    const float* row = radiance.ptr<float>(y);
    for (int x = 0; x < width; x += 2) {
      uint64_t index = (layer << 40) | (static_cast<uint64_t>(y) * width + x);
      auto words = noise.Block(index);
      // Box-Muller: two normals per block.
      float u1 = 1.0f - Philox::ToUnit(words[0]), u2 = Philox::ToUnit(words[1]);
      float r = std::sqrt(-2.0f * std::log(u1));
      float normals[2] = {r * std::cos(6.2831853f * u2), r * std::sin(6.2831853f * u2)};
      for (int k = 0; k < 2 && x + k < width; ++k) {
        float dn = row[x + k] + NoiseSigma(row[x + k]) * normals[k];
        out[static_cast<size_t>(y) * width + x + k] =
            static_cast<uint16_t>(std::clamp(std::lround(dn), 1L, static_cast<long>(kMaxDn)));
      }
    }
  }
}

// Image strips sometimes end inside a tile: a straight edge beyond which every product is 0.
cv::Mat NoDataWedge(int size, double probability, RandomStream& random) {
  cv::Mat mask(size, size, CV_8U, cv::Scalar(0));
  if (!random.Bernoulli(probability)) return mask;
  double depth = random.Uniform(0.1, 0.45) * size;
  int corner = static_cast<int>(random.UniformInt(0, 3));
  cv::Point2d c(corner % 2 ? size : 0, corner / 2 ? size : 0);
  cv::Point2d a(
      c.x == 0 ? depth * random.Uniform(0.8, 2.5) : size - depth * random.Uniform(0.8, 2.5), c.y);
  cv::Point2d b(c.x, c.y == 0 ? depth : size - depth);
  std::vector<cv::Point> triangle = {cv::Point(c), cv::Point(a), cv::Point(b)};
  cv::fillConvexPoly(mask, triangle, cv::Scalar(1));
  return mask;
}

}  // namespace

const std::vector<std::string>& MultispectralBandNames() {
  static const std::vector<std::string> names = {"Coastal", "Blue",    "Green", "Yellow",
                                                 "Red",     "RedEdge", "NIR1",  "NIR2"};
  return names;
}

Imagery Expose(const Canvas& canvas, const CityStyle& style, uint64_t seed, uint64_t stream) {
  const int size = canvas.size;
  Philox noise(seed, stream);
  RandomStream random(seed, stream + 1);
  float exposure = static_cast<float>(style.brightness * random.Uniform(0.9, 1.1));
  float haze = static_cast<float>(style.haze);

  // Surface texture shared by all bands: metre-scale variation plus per-pixel grain, scaled by
  // each material's roughness.
  cv::Mat coarse = scene::ValueNoise(size, 2.0 / canvas.scale.y_m, noise, kTextureLayer);
  cv::Mat texture(size, size, CV_32F);
  for (int y = 0; y < size; ++y) {
    const float* c = coarse.ptr<float>(y);
    const uint8_t* m = canvas.material.ptr<uint8_t>(y);
    float* t = texture.ptr<float>(y);
    for (int x = 0; x < size; ++x) {
      float grain = noise.Normal((kFineLayer << 40) | (static_cast<uint64_t>(y) * size + x));
      float roughness = Info(static_cast<Material>(m[x])).texture;
      t[x] = std::max(0.2f, 1.0f + roughness * (1.2f * (c[x] - 0.5f) + 0.45f * grain));
    }
  }

  // Reflected signal per band, before the sensor.
  std::vector<cv::Mat> signal(kBands);
  for (int b = 0; b < kBands; ++b) {
    signal[b].create(size, size, CV_32F);
    for (int y = 0; y < size; ++y) {
      const uint8_t* m = canvas.material.ptr<uint8_t>(y);
      const float* tint = canvas.tint.ptr<float>(y);
      const float* shade = canvas.shade.ptr<float>(y);
      const float* t = texture.ptr<float>(y);
      float* out = signal[b].ptr<float>(y);
      for (int x = 0; x < size; ++x) {
        float light = shade[x] + (1.0f - shade[x]) * kShadowLight[b];
        out[x] = exposure * (1.0f - 0.2f * haze) * light *
                 Info(static_cast<Material>(m[x])).reflectance[b] * tint[x] * t[x];
      }
    }
  }

  Imagery imagery;
  imagery.nodata = NoDataWedge(size, style.nodata_probability, random);
  imagery.mul_pansharpen = geo::Raster(geo::PixelType::kUInt16, kBands, size, size);
  imagery.mul = geo::Raster(geo::PixelType::kUInt16, kBands, size / 4, size / 4);
  imagery.pan = geo::Raster(geo::PixelType::kUInt16, 1, size, size);

  // PAN keeps the full detail; pan-sharpened bands are a little softer (more in haze).
  cv::Mat pan(size, size, CV_32F, cv::Scalar(0));
  for (int b = 0; b < kBands; ++b) {
    if (kPanWeight[b] > 0) cv::scaleAdd(signal[b], kPanWeight[b] * kPanGain, pan, pan);
  }
  pan += kPanPath * (1 + 2 * haze);
  if (haze > 0.3f) cv::GaussianBlur(pan, pan, cv::Size(0, 0), 0.5 + haze);
  Quantise(pan, noise, kNoiseLayer * 16, imagery.pan.Band<uint16_t>(0));

  double blur = 0.7 + 0.8 * haze;
  for (int b = 0; b < kBands; ++b) {
    cv::Mat radiance = signal[b] * kGain[b] + kPath[b] * (1 + 2 * haze);
    cv::Mat sharpened, native;
    cv::GaussianBlur(radiance, sharpened, cv::Size(0, 0), blur);
    Quantise(sharpened, noise, kNoiseLayer * 16 + 1 + b, imagery.mul_pansharpen.Band<uint16_t>(b));
    cv::resize(radiance, native, cv::Size(size / 4, size / 4), 0, 0, cv::INTER_AREA);
    Quantise(native, noise, kNoiseLayer * 16 + 9 + b, imagery.mul.Band<uint16_t>(b));
  }

  // No-data: 0 in every product.
  cv::Mat small_nodata;
  cv::resize(imagery.nodata, small_nodata, cv::Size(size / 4, size / 4), 0, 0, cv::INTER_NEAREST);
  auto blank = [](geo::Raster& raster, const cv::Mat& mask) {
    for (int b = 0; b < raster.bands(); ++b) {
      cv::Mat band(raster.height(), raster.width(), CV_16U, raster.Band<uint16_t>(b).data());
      band.setTo(0, mask);
    }
  };
  blank(imagery.mul_pansharpen, imagery.nodata);
  blank(imagery.pan, imagery.nodata);
  blank(imagery.mul, small_nodata);

  imagery.rgb_pansharpen = geo::Raster(geo::PixelType::kUInt16, 3, size, size);
  const int rgb[3] = {kRed, kGreen, kBlue};
  for (int i = 0; i < 3; ++i) {
    auto from = imagery.mul_pansharpen.Band<uint16_t>(rgb[i]);
    std::copy(from.begin(), from.end(), imagery.rgb_pansharpen.Band<uint16_t>(i).begin());
  }
  imagery.mul_pansharpen.band_names = MultispectralBandNames();
  imagery.mul.band_names = MultispectralBandNames();
  imagery.rgb_pansharpen.band_names = {"Red", "Green", "Blue"};
  imagery.pan.band_names = {"PAN"};
  return imagery;
}

}  // namespace rb::synth
