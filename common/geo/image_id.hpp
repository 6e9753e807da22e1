// SpaceNet ImageIds: "AOI_<n>_<City>_img<k>", whatever product or release a file name comes from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rb::geo {

// "AOI_2_Vegas_img699" from "PAN_AOI_2_Vegas_img699.tif", "spacenetroads_AOI_2_Vegas_img699",
// "SN3_roads_train_AOI_2_Vegas_PS-MS_img699.tif", "..._geojson_roads_img699_speed.geojson";
// nullopt when the name holds no AOI or no image number.
std::optional<std::string> CanonicalImageId(std::string_view name);

// The number k of "..._img<k>"; -1 when absent.
int64_t ImageNumber(std::string_view image_id);

// Orders ImageIds by their AOI part, then numerically by image (img2 before img10).
struct ImageIdLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};

}  // namespace rb::geo
