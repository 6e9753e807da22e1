#include "common/geo/spacenet_labels.hpp"

#include <charconv>
#include <string>

#include "common/core/check.hpp"

namespace rb::geo {
namespace {

// The integer value of a code stored as "5", 5 or 5.0; nullopt when absent or empty.
std::optional<int64_t> CodeOf(const nlohmann::ordered_json& properties, std::string_view key) {
  auto it = properties.find(key);
  if (it == properties.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_float()) {
    double value = it->get<double>();
    if (value == static_cast<double>(static_cast<int64_t>(value)))
      return static_cast<int64_t>(value);
  }
  if (it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    if (text.empty()) return std::nullopt;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) return value;
  }
  Throw(ErrorCode::kIo, "road property '{}' = {} is not an integer code", key, it->dump());
}

std::optional<int64_t> FirstCode(const nlohmann::ordered_json& properties,
                                 std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (auto code = CodeOf(properties, key)) return code;
  }
  return std::nullopt;
}

int64_t InRange(std::string_view key, int64_t code, int64_t lo, int64_t hi) {
  if (code < lo || code > hi) {
    Throw(ErrorCode::kIo, "road property '{}' = {} is outside its codes {}..{}", key, code, lo, hi);
  }
  return code;
}

}  // namespace

std::string_view RoadTypeName(RoadType type) {
  switch (type) {
    case RoadType::kMotorway:
      return "motorway";
    case RoadType::kPrimary:
      return "primary";
    case RoadType::kSecondary:
      return "secondary";
    case RoadType::kTertiary:
      return "tertiary";
    case RoadType::kResidential:
      return "residential";
    case RoadType::kUnclassified:
      return "unclassified";
    case RoadType::kCartTrack:
      return "cart track";
    case RoadType::kUnknown:
      break;
  }
  return "unknown";
}

SpaceNetRoadAttributes ParseSpaceNetAttributes(const nlohmann::ordered_json& properties) {
  SpaceNetRoadAttributes out;
  if (!properties.is_object()) return out;
  out.road_id = CodeOf(properties, "road_id");
  if (auto code = CodeOf(properties, "road_type")) {
    out.road_type = static_cast<RoadType>(InRange("road_type", *code, 1, 7));
  }
  if (auto code = CodeOf(properties, "paved")) {
    out.paved = static_cast<Surface>(InRange("paved", *code, 1, 3));
  }
  if (auto code = FirstCode(properties, {"bridge_typ", "bridge_type"})) {
    out.bridge = static_cast<BridgeFlag>(InRange("bridge_typ", *code, 1, 3));
  }
  if (auto code = FirstCode(properties, {"lane_number", "lane_numbe"})) {
    out.lanes = static_cast<int>(InRange("lane_number", *code, 0, 64));
  }
  if (auto code = CodeOf(properties, "one_way_ty")) out.one_way = static_cast<int>(*code);
  auto speed = properties.find("inferred_speed_mph");
  if (speed != properties.end() && speed->is_number()) out.speed_mph = speed->get<double>();
  return out;
}

nlohmann::ordered_json ToSpaceNetProperties(const SpaceNetRoadAttributes& a) {
  auto code = [](auto value) { return std::to_string(static_cast<int>(value)); };
  nlohmann::ordered_json out = {{"bridge_typ", code(a.bridge)},
                                {"heading", "0"},
                                {"lane_numbe", code(a.lanes)},
                                {"lane_number", code(a.lanes)},
                                {"one_way_ty", code(a.one_way == 0 ? 2 : a.one_way)},
                                {"paved", code(a.paved)},
                                {"road_type", code(a.road_type)},
                                {"origarea", 0},
                                {"partialDec", 1},
                                {"truncated", 0}};
  if (a.road_id) out["road_id"] = *a.road_id;
  if (a.speed_mph) {
    out["inferred_speed_mph"] = *a.speed_mph;
    out["inferred_speed_mps"] = *a.speed_mph * 0.44704;
  }
  return out;
}

}  // namespace rb::geo
