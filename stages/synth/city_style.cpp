#include "stages/synth/city_style.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/core/check.hpp"

namespace rb::synth {
namespace {

using M = Material;

const CityStyle kVegas{
    .key = "vegas",
    .aoi = "AOI_2_Vegas",
    .aoi_number = 2,
    // Real grid: tile origins are -115.3075176 + i * 0.00351 deg (shared notes 1.4; img699 at
    // i = 21, img0 at i = 39) and 36.1423377 + j * 0.00351 deg (img699, img0, re-release img2).
    .grid_lon0 = -115.3075176,
    .grid_lat0 = 36.1423377 + 12 * 0.00351,
    .grid_columns = 42,
    .road_type_km = {115, 365, 417, 3, 1646, 1138, 2},
    .unpaved_probability = {0, 0, 0, 0, 0.02, 0.08, 1},
    .lane_width_m = 3.6,
    .residential_extra_width_m = 3.0,
    .sidewalk_probability = 0.8,
    .sidewalk_width_m = {1.5, 2.0},
    .cul_de_sac_probability = 0.7,
    .paved_surfaces = {{M::kAsphaltAged, 0.65}, {M::kAsphaltFresh, 0.3}, {M::kConcrete, 0.05}},
    .yellow_centre_lines = true,
    .cars_per_100m = 1.2,
    .building_spacing_m = 17,
    .building_setback_m = 6,
    .building_gap_m = 4,
    .frontage_depth_m = 22,
    .building_width_m = {11, 20},
    .building_depth_m = {10, 16},
    .building_height_m = {4, 8},
    .roofs = {{M::kRoofRedTile, 0.45},
              {M::kRoofLight, 0.3},
              {M::kRoofGrey, 0.15},
              {M::kRoofDark, 0.1}},
    .pool_probability = 0.35,
    .driveway_probability = 0.85,
    .lawn_probability = 0.35,
    .parking_lot_probability = 0.35,
    .compound_wall_probability = 0,
    .street_tree_probability = 0.15,
    .free_tree_density = 6,
    .ground = {{M::kSand, 0.5}, {M::kDryScrub, 0.3}, {M::kGravel, 0.2}},
    .water_probability = 0.02,
    .brightness = 1.0,
    .haze = 0.05,
    .nodata_probability = 0.05,
};

const CityStyle kParis{
    .key = "paris",
    .aoi = "AOI_3_Paris",
    .aoi_number = 3,
    .grid_lon0 = 2.2100376,
    .grid_lat0 = 48.9095877,
    .grid_columns = 60,
    .road_type_km = {9, 14, 58, 11, 232, 95, 6},
    .unpaved_probability = {0, 0, 0, 0, 0, 0.05, 0.9},
    .lane_width_m = 3.0,
    .residential_extra_width_m = 2.0,
    .sidewalk_probability = 0.95,
    .sidewalk_width_m = {2.0, 4.0},
    .cul_de_sac_probability = 0.1,
    .paved_surfaces = {{M::kAsphaltFresh, 0.6}, {M::kAsphaltAged, 0.4}},
    .yellow_centre_lines = false,
    .cars_per_100m = 2.5,
    .building_spacing_m = 16,
    .building_setback_m = 0.5,
    .building_gap_m = 0,
    .frontage_depth_m = 30,
    .building_width_m = {14, 34},
    .building_depth_m = {12, 22},
    .building_height_m = {15, 26},
    .roofs = {{M::kRoofGrey, 0.55},
              {M::kRoofDark, 0.25},
              {M::kRoofLight, 0.1},
              {M::kRoofRedTile, 0.1}},
    .pool_probability = 0,
    .driveway_probability = 0,
    .lawn_probability = 0.15,
    .parking_lot_probability = 0.05,
    .compound_wall_probability = 0,
    .street_tree_probability = 0.55,
    .free_tree_density = 30,
    .ground = {{M::kGrass, 0.55}, {M::kSoil, 0.3}, {M::kDryScrub, 0.15}},
    .water_probability = 0.05,
    .brightness = 0.75,
    .haze = 0.2,
    .nodata_probability = 0.04,
};

const CityStyle kShanghai{
    .key = "shanghai",
    .aoi = "AOI_4_Shanghai",
    .aoi_number = 4,
    .grid_lon0 = 121.3000376,
    .grid_lat0 = 31.3200177,
    .grid_columns = 80,
    .road_type_km = {102, 192, 501, 34, 939, 1751, 19},
    .unpaved_probability = {0, 0, 0, 0, 0.05, 0.2, 1},
    .lane_width_m = 3.5,
    .residential_extra_width_m = 1.0,
    .sidewalk_probability = 0.5,
    .sidewalk_width_m = {2.0, 3.5},
    .cul_de_sac_probability = 0.05,
    .paved_surfaces = {{M::kAsphaltAged, 0.55}, {M::kAsphaltFresh, 0.3}, {M::kConcrete, 0.15}},
    .yellow_centre_lines = true,
    .cars_per_100m = 1.0,
    .building_spacing_m = 22,
    .building_setback_m = 4,
    .building_gap_m = 6,
    .frontage_depth_m = 0,
    .building_width_m = {12, 55},
    .building_depth_m = {10, 18},
    .building_height_m = {6, 60},
    .roofs = {{M::kRoofLight, 0.3},
              {M::kRoofDark, 0.25},
              {M::kRoofBlueMetal, 0.2},
              {M::kRoofGrey, 0.25}},
    .pool_probability = 0,
    .driveway_probability = 0,
    .lawn_probability = 0.2,
    .parking_lot_probability = 0.1,
    .compound_wall_probability = 0,
    .street_tree_probability = 0.35,
    .free_tree_density = 15,
    .ground = {{M::kGrass, 0.35}, {M::kSoil, 0.4}, {M::kDryScrub, 0.25}},
    .water_probability = 0.3,
    .brightness = 0.7,
    .haze = 0.6,
    .nodata_probability = 0.05,
};

const CityStyle kKhartoum{
    .key = "khartoum",
    .aoi = "AOI_5_Khartoum",
    .aoi_number = 5,
    .grid_lon0 = 32.4600376,
    .grid_lat0 = 15.6600177,
    .grid_columns = 60,
    .road_type_km = {13, 98, 66, 68, 485, 165, 135},
    .unpaved_probability = {0, 0.05, 0.15, 0.4, 0.75, 0.85, 1},
    .lane_width_m = 3.5,
    .residential_extra_width_m = 2.5,
    .sidewalk_probability = 0.05,
    .sidewalk_width_m = {1.0, 1.5},
    .cul_de_sac_probability = 0,
    .paved_surfaces = {{M::kAsphaltAged, 0.8}, {M::kAsphaltFresh, 0.2}},
    .yellow_centre_lines = false,
    .cars_per_100m = 0.4,
    .building_spacing_m = 14,
    .building_setback_m = 2,
    .building_gap_m = 2,
    .frontage_depth_m = 0,
    .building_width_m = {6, 14},
    .building_depth_m = {5, 11},
    .building_height_m = {3, 7},
    .roofs = {{M::kRoofLight, 0.35}, {M::kConcrete, 0.25}, {M::kRoofDark, 0.2}, {M::kSoil, 0.2}},
    .pool_probability = 0,
    .driveway_probability = 0,
    .lawn_probability = 0.02,
    .parking_lot_probability = 0.02,
    .compound_wall_probability = 0.6,
    .street_tree_probability = 0.08,
    .free_tree_density = 4,
    .ground = {{M::kSand, 0.6}, {M::kSoil, 0.3}, {M::kGravel, 0.1}},
    .water_probability = 0.03,
    .brightness = 0.82,
    .haze = 0.35,
    .nodata_probability = 0.03,
};

const CityStyle* const kCities[] = {&kVegas, &kParis, &kShanghai, &kKhartoum};

}  // namespace

std::vector<std::string_view> CityKeys() {
  std::vector<std::string_view> keys;
  for (const CityStyle* city : kCities) keys.push_back(city->key);
  return keys;
}

const CityStyle& CityStyleFor(std::string_view city) {
  for (const CityStyle* style : kCities) {
    if (style->key == city) return *style;
  }
  Throw(ErrorCode::kInvalidArgument, "unknown city '{}' (known: {})", city,
        fmt::join(CityKeys(), ", "));
}

}  // namespace rb::synth
