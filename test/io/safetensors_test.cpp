#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/io/safetensors.hpp"
#include "test/support/test_support.hpp"

namespace rb::io {
namespace {

using test::TempDir;

TEST_CASE("safetensors round-trip tensors and metadata through a memory map", "[io][safetensors]") {
  TempDir dir;
  std::vector<float> weights = {1.5f, -2.0f, 3.25f, 0.0f, 5.0f, 6.0f};
  std::vector<int64_t> steps = {42};
  std::vector<uint8_t> mask = {1, 0, 1};
  SafeTensorsWriter writer;
  writer.Add<float>("conv1.weight", {2, 3}, weights);
  writer.Add<int64_t>("solver.iter", {}, steps);
  writer.Add<uint8_t>("mask", {3}, mask);
  writer.SetMetadata("model", "{\"name\": \"tiny\"}");
  writer.Write(dir / "w.safetensors");

  SafeTensorsReader reader = SafeTensorsReader::Open(dir / "w.safetensors");
  CHECK(reader.names() == std::vector<std::string>{"conv1.weight", "mask", "solver.iter"});
  CHECK(reader.metadata().at("model") == "{\"name\": \"tiny\"}");
  const TensorView& w = reader.Get("conv1.weight");
  CHECK(w.shape == std::vector<int64_t>{2, 3});
  auto values = w.as<float>();
  CHECK(std::vector<float>(values.begin(), values.end()) == weights);
  CHECK(reader.Get("solver.iter").as<int64_t>()[0] == 42);
  CHECK(reader.Get("solver.iter").shape.empty());
  CHECK_THROWS_WITH(reader.Get("missing"), Catch::Contains("no tensor 'missing'"));
  CHECK_THROWS_WITH(w.as<double>(), Catch::Contains("is float32, not float64"));
  // Each tensor is aligned to its element size inside the mapping.
  CHECK(reinterpret_cast<uintptr_t>(w.data.data()) % alignof(float) == 0);
  CHECK(reinterpret_cast<uintptr_t>(reader.Get("solver.iter").data.data()) % 8 == 0);
}

TEST_CASE("The safetensors layout follows the format description", "[io][safetensors]") {
  SafeTensorsWriter writer;
  std::vector<double> a = {1.0};
  writer.Add<double>("a", {1}, a);
  std::string bytes = writer.Encode();
  uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i)
    header_length = (header_length << 8) | static_cast<uint8_t>(bytes[i]);
  CHECK(header_length % 8 == 0);
  auto header = nlohmann::json::parse(bytes.substr(8, header_length));
  CHECK(header["a"]["dtype"] == "F64");
  CHECK(header["a"]["data_offsets"] == nlohmann::json::array({0, 8}));
  CHECK(bytes.size() == 8 + header_length + 8);
}

std::string OpenError(const test::TempDir& dir, const std::string& bytes) {
  test::WriteText(dir / "bad.safetensors", bytes);
  return test::ErrorText(ErrorCode::kIo, [&] { SafeTensorsReader::Open(dir / "bad.safetensors"); });
}

std::string WithHeader(const std::string& header, size_t data_bytes) {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + header + std::string(data_bytes, '\0');
}

TEST_CASE("Malformed safetensors files are rejected with the reason", "[io][safetensors]") {
  TempDir dir;
  CHECK_THAT(OpenError(dir, "abc"), Catch::Contains("too short"));
  CHECK_THAT(OpenError(dir, std::string("\xff\xff\xff\x00\x00\x00\x00\x00", 8) + "{}"),
             Catch::Contains("exceeds the file"));
  CHECK_THAT(OpenError(dir, WithHeader("not json", 0)), Catch::Contains("not a JSON object"));
  CHECK_THAT(
      OpenError(dir, WithHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4)),
      Catch::Contains("span 4 bytes but the shape needs 8"));
  CHECK_THAT(
      OpenError(dir, WithHeader(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 2)),
      Catch::Contains("outside the 2 data bytes"));
  CHECK_THAT(
      OpenError(dir, WithHeader(R"({"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", 8)),
      Catch::Contains("unsupported dtype"));
  CHECK_THAT(OpenError(dir, WithHeader(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                                       R"("b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}})",
                                       3)),
             Catch::Contains("overlaps"));
  CHECK_THAT(
      OpenError(dir, WithHeader(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", 5)),
      Catch::Contains("5 data bytes but the tensors cover 2"));
}

}  // namespace
}  // namespace rb::io
