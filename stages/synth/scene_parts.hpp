// Internal steps of RenderScene, shared by scene*.cpp.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "common/core/rng.hpp"
#include "stages/synth/canvas.hpp"
#include "stages/synth/city_style.hpp"
#include "stages/synth/road_network.hpp"

namespace rb::synth::scene {

struct Context {
  Canvas& canvas;
  const CityStyle& style;
  RandomStream& random;
  Philox noise;  // per-pixel randomness of this scene
};

// A road as painted: its label centerline moved by a smooth field of up to ~2 m (SpaceNet's
// labelling rule: centerlines within 2 m of the true centre) and densified so the shift bends
// smoothly.
struct DrawnRoad {
  const SynthRoad* road;
  geo::LineString centre;  // pixels
};

// Something that casts a shadow: a footprint (pixels) and a height (metres).
struct Caster {
  std::vector<cv::Point2d> footprint;
  double height_m;
};

struct Tree {
  cv::Point2d centre;
  double radius_m;
  double height_m;
};

// Smooth random field in [0, 1], `cell_px` between control points (bicubic).
cv::Mat ValueNoise(int size, double cell_px, const Philox& noise, uint64_t layer);

std::vector<DrawnRoad> PaintRoads(Context& context, const std::vector<SynthRoad>& roads);
void PaintTraffic(Context& context, const std::vector<DrawnRoad>& roads);
std::vector<Caster> PlaceBuildings(Context& context, const std::vector<DrawnRoad>& roads);

// Unit vector along segment i of a polyline and its left normal, in metres (east, south).
cv::Point2d Direction(const geo::LineString& line, size_t i, GroundScale scale);

}  // namespace rb::synth::scene
