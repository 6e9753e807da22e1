// A synthetic ground scene: the road network drawn with its real widths, sidewalks, markings and
// traffic, the land between roads filled with buildings, yards, pools, lots and trees in the
// city's manner, and shadows cast by the sun of the day. The result is a Canvas of material ids
// and light, which sensor.hpp turns into WorldView-3-like products, plus the exact truth layers.
#pragma once

#include <cstdint>
#include <vector>

#include "stages/synth/canvas.hpp"
#include "stages/synth/city_style.hpp"
#include "stages/synth/road_network.hpp"

namespace rb::synth {

struct SceneSpec {
  const CityStyle* style = nullptr;
  std::vector<SynthRoad> roads;
  GroundScale scale;
  int size = 1300;
  uint64_t seed = 0;
  uint64_t stream = 0;  // distinct per image: the scene depends only on (seed, stream)
};

struct SunPosition {
  double azimuth_deg;    // clockwise from north
  double elevation_deg;  // above the horizon
};

struct Scene {
  Canvas canvas;
  SunPosition sun;
};

Scene RenderScene(const SceneSpec& spec);

}  // namespace rb::synth
