#include <catch2/catch.hpp>

#include <map>

#include "common/core/error.hpp"
#include "common/geo/road_vectors.hpp"
#include "common/geo/spacenet_labels.hpp"
#include "test/support/test_support.hpp"

namespace rb::geo {
namespace {

using test::DataSample;
using test::TempDir;

TEST_CASE("Every real SpaceNet label file reads with its features and attributes",
          "[geo][vectors][real]") {
  // Features and MultiLineStrings per file, counted with Python's json module.
  const std::map<std::string, std::pair<int, int>> expected = {
      {"img10", {27, 0}},  {"img699", {9, 0}},  {"img99", {6, 0}},
      {"img990", {27, 0}}, {"img991", {15, 0}}, {"img995", {25, 1}},
      {"img997", {26, 0}}, {"img998", {33, 1}}, {"img999", {31, 1}}};
  int total = 0;
  for (const auto& [image, counts] : expected) {
    auto features = ReadRoadGeoJson(
        DataSample("spacenet/labels/spacenetroads_AOI_2_Vegas_" + image + ".geojson"));
    INFO(image);
    CHECK(static_cast<int>(features.size()) == counts.first);
    int multi = 0;
    for (const RoadFeature& feature : features) {
      multi += feature.parts.size() > 1;
      for (const LineString& part : feature.parts) {
        REQUIRE(part.size() >= 2);
        for (const Point2& p : part) {  // lon/lat in the Vegas AOI
          CHECK(p.x == Approx(-115.2).margin(0.2));
          CHECK(p.y == Approx(36.2).margin(0.2));
        }
      }
      SpaceNetRoadAttributes attributes = ParseSpaceNetAttributes(feature.properties);
      CHECK(attributes.road_type != RoadType::kUnknown);
      CHECK(attributes.lanes >= 1);
    }
    CHECK(multi == counts.second);
    total += static_cast<int>(features.size());
  }
  CHECK(total == 199);
}

TEST_CASE("SpaceNet's string codes become typed attributes", "[geo][vectors][real]") {
  auto features =
      ReadRoadGeoJson(DataSample("spacenet/labels/spacenetroads_AOI_2_Vegas_img990.geojson"));
  REQUIRE(!features.empty());
  const nlohmann::json& properties = features[0].properties;
  // The file stores codes as strings and ids as integers: both kept as they were.
  CHECK(properties["road_type"] == "2");
  CHECK(properties["road_id"] == 23370);
  CHECK(properties["origlen"].get<double>() == Approx(0.018510876416305805));
  SpaceNetRoadAttributes a = ParseSpaceNetAttributes(properties);
  CHECK(a.road_id == 23370);
  CHECK(a.road_type == RoadType::kPrimary);
  CHECK(RoadTypeName(a.road_type) == "primary");
  CHECK(a.paved == Surface::kPaved);
  CHECK(a.bridge == BridgeFlag::kNotBridge);
  CHECK(a.lanes == 2);
  CHECK(a.one_way == 2);
  CHECK_FALSE(a.speed_mph);
}

TEST_CASE("Attribute parsing accepts both schemas and rejects nonsense codes", "[geo][vectors]") {
  auto speed = nlohmann::json::parse(R"({"road_type": "5", "bridge_type": "1", "lane_number": 3,
                                         "paved": "2", "inferred_speed_mph": 18.75})");
  SpaceNetRoadAttributes a = ParseSpaceNetAttributes(speed);
  CHECK(a.road_type == RoadType::kResidential);
  CHECK(a.bridge == BridgeFlag::kBridge);
  CHECK(a.lanes == 3);
  CHECK(a.paved == Surface::kUnpaved);
  CHECK(a.speed_mph == 18.75);
  CHECK(ParseSpaceNetAttributes(nlohmann::json::object()) == SpaceNetRoadAttributes{});
  CHECK_THROWS_WITH(ParseSpaceNetAttributes(nlohmann::json::parse(R"({"road_type": "9"})")),
                    Catch::Contains("'road_type' = 9 is outside its codes 1..7"));
  CHECK_THROWS_WITH(ParseSpaceNetAttributes(nlohmann::json::parse(R"({"paved": "yes"})")),
                    Catch::Contains("'paved' = \"yes\" is not an integer code"));
  // Round trip through the file schema.
  CHECK(ParseSpaceNetAttributes(ToSpaceNetProperties(a)).road_type == RoadType::kResidential);
  CHECK(ToSpaceNetProperties(a)["lane_numbe"] == "3");
}

TEST_CASE("GeoJSON written by roadbrew reads back identically", "[geo][vectors]") {
  TempDir dir;
  auto original =
      ReadRoadGeoJson(DataSample("spacenet/labels/spacenetroads_AOI_2_Vegas_img999.geojson"));
  RoadFeature unlabelled;
  unlabelled.parts = {{{-115.1, 36.1}, {-115.2, 36.2}}};
  original.push_back(unlabelled);
  WriteRoadGeoJson(dir / "copy.geojson", original);
  auto copy = ReadRoadGeoJson(dir / "copy.geojson");
  REQUIRE(copy.size() == original.size());
  for (size_t i = 0; i < copy.size(); ++i) {
    CHECK(copy[i].parts == original[i].parts);  // 15 significant digits survive exactly
    for (auto it = original[i].properties.begin(); it != original[i].properties.end(); ++it) {
      CHECK(copy[i].properties[it.key()] == it.value());
    }
  }
  std::string text = test::ReadText(dir / "copy.geojson");
  CHECK(text.find("urn:ogc:def:crs:OGC:1.3:CRS84") != std::string::npos);
  CHECK(text.find("\"road_type\": \"5\"") != std::string::npos);
}

TEST_CASE("Empty label files give no roads while non-JSON and non-line files are errors",
          "[geo][vectors]") {
  TempDir dir;
  test::WriteText(dir / "zero.geojson", "");
  CHECK(ReadRoadGeoJson(dir / "zero.geojson").empty());
  test::WriteText(dir / "empty.geojson", R"({"type": "FeatureCollection", "features": []})");
  CHECK(ReadRoadGeoJson(dir / "empty.geojson").empty());
  test::WriteText(dir / "bare.geojson",
                  R"({"type": "FeatureCollection", "features": [{"type": "Feature",
                      "geometry": {"type": "LineString", "coordinates": [[1, 2, 0], [3, 4, 0]]}}]})");
  auto bare = ReadRoadGeoJson(dir / "bare.geojson");
  REQUIRE(bare.size() == 1);
  CHECK(bare[0].parts[0] == LineString{{1, 2}, {3, 4}});
  CHECK(bare[0].properties.empty());
  WriteRoadGeoJson(dir / "none.geojson", {});
  CHECK(ReadRoadGeoJson(dir / "none.geojson").empty());

  test::WriteText(dir / "text.geojson", "this is not json {");
  try {
    ReadRoadGeoJson(dir / "text.geojson");
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kIo);
    CHECK_THAT(error.what(), Catch::Contains((dir / "text.geojson").string()));
  }
  test::WriteText(
      dir / "point.geojson",
      R"({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                      "geometry": {"type": "Point", "coordinates": [1, 2]}}]})");
  CHECK_THROWS_WITH(ReadRoadGeoJson(dir / "point.geojson"),
                    Catch::Contains("feature 0") && Catch::Contains("is a POINT, not a road line"));
  CHECK_THROWS_WITH(ReadRoadGeoJson(dir / "missing.geojson"), Catch::Contains("no such file"));
}

TEST_CASE("GeoJSON in a projected CRS is reprojected to lon/lat", "[geo][vectors]") {
  TempDir dir;
  test::WriteText(dir / "utm.geojson", R"({"type": "FeatureCollection",
      "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32611"}},
      "features": [{"type": "Feature", "properties": {"road_type": "5"},
      "geometry": {"type": "LineString", "coordinates": [[658903.906, 4001180.746], [659000, 4001200]]}}]})");
  auto features = ReadRoadGeoJson(dir / "utm.geojson");
  REQUIRE(features.size() == 1);
  CHECK(features[0].parts[0][0].x == Approx(-115.2338076).margin(1e-7));
  CHECK(features[0].parts[0][0].y == Approx(36.1423377).margin(1e-7));
}

}  // namespace
}  // namespace rb::geo
