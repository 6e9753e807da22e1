#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/core/error.hpp"
#include "common/core/params.hpp"
#include "test/support/test_support.hpp"

namespace rb {
namespace {

using test::ErrorText;

ParamSpecs ExampleSpecs() {
  ParamSpecs specs;
  specs.Int("images", "number of images", 24).Range(1, 10000);
  specs.Float("threshold", "probability threshold", 0.3).Range(0, 1);
  specs.Choice("city", "city style", {"vegas", "paris"}, "vegas");
  specs.Bool("emit_truth", "write truth rasters");
  specs.FloatList("percentiles", "clip percentiles", {2, 98}).Range(0, 100);
  specs.IntList("bands", "1-based bands", {});
  specs.StringList("tags", "labels", {"a"});
  specs.Input("labels", "label GeoJSON").Required();
  specs.Output("out", "output raster");
  return specs;
}

TEST_CASE("Parameters start at their defaults and parse typed values", "[core][params]") {
  ParamSpecs specs = ExampleSpecs();
  Params params(specs);
  CHECK(params.GetInt("images") == 24);
  CHECK(params.GetFloat("threshold") == 0.3);
  CHECK(params.GetString("city") == "vegas");
  CHECK_FALSE(params.GetBool("emit_truth"));
  CHECK(params.GetFloatList("percentiles") == std::vector<double>{2, 98});
  CHECK_FALSE(params.Has("labels"));

  params.SetFromString("images", " 7 ", "--images");
  params.SetFromString("threshold", "0.25", "--threshold");
  params.SetFromString("emit-truth", "yes", "--emit-truth");
  params.SetFromString("percentiles", "2, 90", "--percentiles");
  params.SetFromString("bands", "5,3,2", "--bands");
  params.SetFromString("tags", "x,y", "--tags");
  params.SetFromString("labels", "a.geojson", "--labels");
  CHECK(params.GetInt("images") == 7);
  CHECK(params.GetFloat("threshold") == 0.25);
  CHECK(params.GetBool("emit_truth"));
  CHECK(params.GetFloatList("percentiles") == std::vector<double>{2, 90});
  CHECK(params.GetIntList("bands") == std::vector<int64_t>{5, 3, 2});
  CHECK(params.GetStringList("tags") == std::vector<std::string>{"x", "y"});
  CHECK(params.GetPath("labels") == "a.geojson");
  CHECK_NOTHROW(params.CheckRequired());
}

TEST_CASE("Bad parameter values are rejected naming the value and where it came from",
          "[core][params]") {
  ParamSpecs specs = ExampleSpecs();
  Params params(specs);
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          params.SetFromString("images", "abc", "--images");
        }) == "invalid value 'abc' for --images: expected an integer");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          params.SetFromString("images", "12x", "--images");
        }) == "invalid value '12x' for --images: expected an integer");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          params.SetFromString("images", "0", "--images");
        }) == "value 0 for --images is outside [1, 10000]");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          params.SetFromString("threshold", "nan", "--threshold");
        }) == "invalid value 'nan' for --threshold: expected a finite number");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          params.SetFromString("city", "rome", "--city");
        }) == "invalid value 'rome' for --city: expected one of vegas, paris");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          params.SetFromString("percentiles", "2,101", "--percentiles");
        }) == "value 101 for --percentiles is outside [0, 100]");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          params.SetFromString("emit_truth", "maybe", "--emit-truth");
        }) == "invalid value 'maybe' for --emit-truth: expected true or false");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          params.SetFromString("image", "3", "--set image");
        }) == "unknown parameter 'image' (did you mean 'images'?)");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] { params.CheckRequired(); }) ==
        "missing required parameter --labels (label GeoJSON)");
  // A rejected value leaves the previous one in place.
  CHECK(params.GetInt("images") == 24);
}

TEST_CASE("Parameters from JSON are type-checked", "[core][params]") {
  ParamSpecs specs = ExampleSpecs();
  Params params(specs);
  params.SetFromJson("images", 5, "'images' in p.json");
  params.SetFromJson("percentiles", nlohmann::json::array({1, 99.5}), "'percentiles' in p.json");
  CHECK(params.GetInt("images") == 5);
  CHECK(params.GetFloatList("percentiles") == std::vector<double>{1, 99.5});
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          params.SetFromJson("images", "5", "'images' in p.json");
        }) == "invalid value '\"5\"' for 'images' in p.json: expected an integer");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          params.SetFromJson("images", 2.5, "'images' in p.json");
        }) == "invalid value '2.5' for 'images' in p.json: expected an integer");
}

TEST_CASE("Describe lists every declaration with its type and default and bounds",
          "[core][params]") {
  nlohmann::json described = ExampleSpecs().Describe();
  REQUIRE(described.size() == 9);
  CHECK(described[0]["name"] == "images");
  CHECK(described[0]["type"] == "int");
  CHECK(described[0]["default"] == 24);
  CHECK(described[0]["min"] == 1);
  CHECK(described[0]["max"] == 10000);
  CHECK(described[2]["choices"] == nlohmann::json::array({"vegas", "paris"}));
  CHECK(described[3]["flag"] == "--emit-truth");
  CHECK(described[7]["required"] == true);
  CHECK(described[7]["path_kind"] == "file");
  CHECK(described[8]["default"].is_null());
}

}  // namespace
}  // namespace rb
