// The SpaceNet 3 road label schema, typed. The files store codes as strings ("road_type": "5");
// the original release truncates names to 10 characters (bridge_typ, lane_numbe) and the 2019
// speed release spells them out (bridge_type, lane_number) and adds inferred speeds.
// Facts: shared notes spacenet-format.md section 2.2.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rb::geo {

enum class RoadType {
  kUnknown = 0,
  kMotorway = 1,
  kPrimary = 2,
  kSecondary = 3,
  kTertiary = 4,
  kResidential = 5,
  kUnclassified = 6,
  kCartTrack = 7,
};
std::string_view RoadTypeName(RoadType type);

enum class Surface { kPaved = 1, kUnpaved = 2, kUnknown = 3 };
enum class BridgeFlag { kBridge = 1, kNotBridge = 2, kUnknown = 3 };

struct SpaceNetRoadAttributes {
  std::optional<int64_t> road_id;
  RoadType road_type = RoadType::kUnknown;
  Surface paved = Surface::kUnknown;
  BridgeFlag bridge = BridgeFlag::kUnknown;
  int lanes = 0;                    // lanes of this centerline; 0 when unknown
  int one_way = 0;                  // undocumented code ("2" in every sample); 0 when absent
  std::optional<double> speed_mph;  // 2019 speed labels only

  friend bool operator==(const SpaceNetRoadAttributes&, const SpaceNetRoadAttributes&) = default;
};

// Reads codes given as strings or numbers; absent keys keep the defaults. Throws kIo naming the
// key and value when a code is not a number or outside its documented set.
SpaceNetRoadAttributes ParseSpaceNetAttributes(const nlohmann::ordered_json& properties);

// The original-release property set with string codes, as the real files have it.
nlohmann::ordered_json ToSpaceNetProperties(const SpaceNetRoadAttributes& attributes);

}  // namespace rb::geo
