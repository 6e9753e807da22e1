// From a painted scene to WorldView-3-like SpaceNet products: 8-band pan-sharpened
// multispectral (MUL-PanSharpen), its R,G,B bands (RGB-PanSharpen), panchromatic (PAN) at the
// full 1300 px, and native multispectral (MUL) at a quarter of that, as 11-bit values in UInt16
// with 0 reserved for no-data.
//
// Radiance model per band b: DN = path_b * (1 + 2 haze) + gain_b * exposure * light_b * rho_b *
// tint * texture, where light_b mixes sun and blue-rich skylight in shadow; then pan-sharpening
// blur, signal-dependent sensor noise and 11-bit quantisation.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "common/core/rng.hpp"
#include "common/geo/raster.hpp"
#include "stages/synth/canvas.hpp"
#include "stages/synth/city_style.hpp"

namespace rb::synth {

struct Imagery {
  geo::Raster mul_pansharpen;  // 8 bands, size x size
  geo::Raster rgb_pansharpen;  // 3 bands (R, G, B), size x size
  geo::Raster pan;             // 1 band, size x size
  geo::Raster mul;             // 8 bands, size/4 x size/4
  cv::Mat nodata;              // CV_8U, 1 where the strip has no data (size x size)
};

// Georeferencing is left to the caller. Deterministic in (seed, stream).
Imagery Expose(const Canvas& canvas, const CityStyle& style, uint64_t seed, uint64_t stream);

// The WorldView-3 band names, in file order.
const std::vector<std::string>& MultispectralBandNames();

}  // namespace rb::synth
