#include <catch2/catch.hpp>

#include "common/io/json_config.hpp"
#include "test/support/test_support.hpp"

namespace rb::io {
namespace {

using test::ErrorText;

nlohmann::json Parse(const char* text) { return nlohmann::json::parse(text); }

TEST_CASE("ConfigReader hands out typed values and checks the schema version", "[io][config]") {
  auto json = Parse(R"({"schema_version": 1, "base_lr": 0.01, "name": "sgd",
                        "steps": [10, 20], "momentum": {"value": 0.9}})");
  ConfigReader reader(json, "s.json");
  CHECK(reader.CheckSchemaVersion(2) == 1);
  CHECK(reader.Require<double>("base_lr") == 0.01);
  CHECK(reader.Get<std::string>("name", "x") == "sgd");
  CHECK(reader.Get<int>("iter_size", 3) == 3);
  CHECK(reader.Require<std::vector<int>>("steps") == std::vector<int>{10, 20});
  CHECK(reader.Object("momentum").Require<double>("value") == 0.9);
  CHECK_NOTHROW(reader.Finish());
}

TEST_CASE("Unknown keys are rejected with their full path", "[io][config]") {
  auto json = Parse(R"({"schema_version": 1, "solver": {"base_lr": 0.1, "momentun": 0.9},
                        "layers": [{"type": "ReLU"}, {"type": "Conv", "kernal": 3}]})");
  ConfigReader reader(json, "net.json");
  reader.CheckSchemaVersion(1);
  ConfigReader solver = reader.Object("solver");
  solver.Require<double>("base_lr");
  for (ConfigReader& layer : reader.Objects("layers")) layer.Require<std::string>("type");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] { reader.Finish(); }) ==
        "unknown key 'layers[1].kernal' in 'net.json'");
  solver.Get<double>("momentun", 0);  // read it: now only the layer typo remains
  auto only_solver = Parse(R"({"solver": {"a": 1, "b": {"c": 2}}})");
  ConfigReader second(only_solver, "x.json");
  second.Object("solver").Require<int>("a");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] { second.Finish(); }) ==
        "unknown key 'solver.b' in 'x.json'");
  second.Object("solver").Raw("b");  // taken whole: inner keys are the caller's business
  CHECK_NOTHROW(second.Finish());
}

TEST_CASE("Type errors and bad schema versions name the key and file", "[io][config]") {
  auto json = Parse(R"({"schema_version": 3, "base_lr": "fast"})");
  ConfigReader reader(json, "s.json");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] { reader.CheckSchemaVersion(2); }) ==
        "schema_version 3 in 's.json' is not supported by this build (1 to 2)");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] { reader.Require<double>("base_lr"); }) ==
        "key 'base_lr' in 's.json' must be a number, not \"fast\"");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] { reader.Require<int>("missing"); }) ==
        "missing key 'missing' in 's.json'");
  auto no_version = Parse(R"({"a": 1})");
  ConfigReader unversioned(no_version, "p.json");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] { unversioned.CheckSchemaVersion(1); }) ==
        "missing key 'schema_version' in 'p.json'");
}

TEST_CASE("JSON syntax errors report line and column", "[io][config]") {
  test::TempDir dir;
  test::WriteText(dir / "bad.json", "{\n  \"a\": 1,\n  \"b\": ]\n}\n");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] { LoadJsonFile(dir / "bad.json"); }) ==
        fmt::format("invalid JSON at line 3, column 8, in '{}'", (dir / "bad.json").string()));
}

}  // namespace
}  // namespace rb::io
