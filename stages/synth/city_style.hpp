// What makes a synthetic scene look like one of the four SpaceNet 3 cities: where its tiles are,
// what its roads are made of, how dense and tall its buildings are, how green it is and how its
// imagery is exposed. Figures from the real dataset are marked with their source; the rest are
// judgement calls about the places (desert suburbs, Haussmann blocks, hazy mixed-use Shanghai,
// unpaved Khartoum) and are documented in stages/synth/README.md.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "stages/synth/materials.hpp"

namespace rb::synth {

struct WeightedMaterial {
  Material material;
  double weight;
};

struct Range {
  double lo;
  double hi;
};

struct CityStyle {
  std::string_view key;  // "vegas"
  std::string_view aoi;  // "AOI_2_Vegas"
  int aoi_number;

  // Tile grid: the upper-left corner of tile column 0, row 0, and columns per grid row. SpaceNet
  // tiles are 1300 px of 2.7e-6 deg: one grid step is 0.00351 deg.
  double grid_lon0;
  double grid_lat0;
  int grid_columns;

  // Roads. Kilometres per road_type 1..7 in the real AOI (shared notes 1.1, from
  // rasha-salim/SpaceNetChallenge.github.io spacenetRoads_summary.md) set the type mix.
  std::array<double, 7> road_type_km;
  std::array<double, 7> unpaved_probability;  // per road type
  double lane_width_m;
  double residential_extra_width_m;  // parking lanes and shoulders of residential streets
  double sidewalk_probability;
  Range sidewalk_width_m;
  double cul_de_sac_probability;  // bulb at a dead end inside the tile
  std::vector<WeightedMaterial> paved_surfaces;
  bool yellow_centre_lines;
  double cars_per_100m;

  // Buildings.
  double building_spacing_m;  // candidate sites on a jittered grid of this step
  double building_setback_m;  // from the road edge
  double building_gap_m;      // free ground kept beside and behind a building (0: terraces)
  double frontage_depth_m;    // buildings only this far behind the setback (0: anywhere)
  Range building_width_m;
  Range building_depth_m;
  Range building_height_m;
  std::vector<WeightedMaterial> roofs;
  double pool_probability;
  double driveway_probability;
  double lawn_probability;
  double parking_lot_probability;  // commercial lots beside major roads
  double compound_wall_probability;

  // Vegetation and ground.
  double street_tree_probability;  // chance that a road is lined with trees
  double free_tree_density;        // trees per hectare of open ground
  std::vector<WeightedMaterial> ground;
  double water_probability;  // a canal or river crossing the tile

  // Imagery.
  double brightness;  // exposure relative to Vegas
  double haze;        // 0 clear .. 1 hazy: path radiance, contrast loss and blur
  double nodata_probability;
};

// Throws kInvalidArgument for an unknown city, listing the known ones.
const CityStyle& CityStyleFor(std::string_view city);
std::vector<std::string_view> CityKeys();

}  // namespace rb::synth
