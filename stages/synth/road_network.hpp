// The road network of a synthetic scene: real SpaceNet centerlines (summaryData keeps only
// their geometry) dressed with plausible attributes, or a procedural network where the real
// graphs do not fit.
#pragma once

#include <cstdint>
#include <vector>

#include "common/core/rng.hpp"
#include "common/geo/geometry.hpp"
#include "common/geo/spacenet_labels.hpp"
#include "stages/synth/city_style.hpp"
#include "stages/synth/materials.hpp"

namespace rb::synth {

// Metres per pixel along a row (x) and down a column (y); SpaceNet's EPSG:4326 pixels are not
// square on the ground.
struct GroundScale {
  double x_m = 0.3;
  double y_m = 0.3;
};

struct SynthRoad {
  geo::LineString line;  // the label's centerline, pixel coordinates of the tile
  geo::SpaceNetRoadAttributes attributes;
  double width_m = 0;  // carriageway
  Material surface = Material::kAsphaltAged;
  double sidewalk_m = 0;  // each side; 0 = none
};

double LengthMetres(const geo::LineString& line, GroundScale scale);

// Types follow the city's real road-type kilometres, long lines leaning to major types; lanes,
// width, surface and sidewalks follow the type and the city.
std::vector<SynthRoad> DressRoads(const std::vector<geo::LineString>& lines, const CityStyle& style,
                                  GroundScale scale, int64_t road_id_base, RandomStream& random);

// A jittered, partly thinned street grid in the city's manner, clipped to a `size` x `size`
// tile. Junctions are shared vertices; removed edges leave dead ends.
std::vector<geo::LineString> ProceduralRoads(const CityStyle& style, int size, GroundScale scale,
                                             RandomStream& random);

}  // namespace rb::synth
