// The shared stage driver, exercised through the rb-probe test binary as a real process.
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "common/io/files.hpp"
#include "common/io/npy.hpp"
#include "roadbrew/kernels/device.hpp"
#include "test/support/test_support.hpp"

namespace rb {
namespace {

using test::DataSample;
using test::ProcessResult;
using test::TempDir;
namespace fs = std::filesystem;

ProcessResult Probe(std::vector<std::string> args) {
  args.insert(args.begin(), RB_PROBE_PATH);
  return test::RunProcess(args);
}

// Exactly one line on stderr, in the driver's format.
void CheckOneLineError(const ProcessResult& result, const std::string& fragment) {
  INFO("stderr: " << result.err);
  CHECK(result.err.rfind("rb-probe: error: ", 0) == 0);
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  CHECK_THAT(result.err, Catch::Contains(fragment));
}

TEST_CASE("Help lists the stage's parameters with defaults and the driver flags", "[cli]") {
  ProcessResult result = Probe({"--help"});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("--input"));
  CHECK_THAT(result.out, Catch::Contains("--fail-after-write"));
  CHECK_THAT(result.out, Catch::Contains("default 1"));
  CHECK_THAT(result.out, Catch::Contains("[0, 10]"));
  CHECK_THAT(result.out, Catch::Contains("one of raster|geojson|npy|safetensors|json|wktpix"));
  for (const char* flag : {"--config", "--set", "--threads", "--device", "--seed", "--describe",
                           "--quiet", "--progress"}) {
    CHECK_THAT(result.out, Catch::Contains(flag));
  }
}

TEST_CASE("Describe prints the declared parameters as JSON", "[cli]") {
  ProcessResult result = Probe({"--describe"});
  REQUIRE(result.exit_code == 0);
  auto json = nlohmann::json::parse(result.out);
  CHECK(json["stage"] == "rb-probe");
  CHECK(json["supports_cuda"] == true);
  REQUIRE(json["params"].size() == 9);
  CHECK(json["params"][0]["name"] == "input");
  CHECK(json["params"][0]["required"] == true);
  CHECK(json["params"][5]["max"] == 10);
  CHECK(json["params"][4]["path_kind"] == "directory");
  CHECK(Probe({"--version"}).out.rfind("rb-probe (roadbrew ", 0) == 0);
}

TEST_CASE("A successful run writes the output and its report and nothing else", "[cli]") {
  TempDir dir;
  fs::path input = DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif");
  ProcessResult result =
      Probe({"--input", input.string(), "--out", (dir / "sub/copy.tif").string(), "--summary",
             (dir / "sub/summary.json").string(), "--seed", "7", "--threads", "1"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK(test::TempDir().List().empty());
  fs::path sub = dir / "sub";
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(sub)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"copy.tif", "copy.tif.report.json", "summary.json",
                                          "summary.json.report.json"});

  auto report = nlohmann::json::parse(test::ReadText(sub / "copy.tif.report.json"));
  CHECK(report["stage"] == "rb-probe");
  CHECK(report["seed"] == 7);
  CHECK(report["threads"] == 1);
  CHECK(report["device"] == "cpu");
  CHECK(report["parameters"]["scale"] == 1.0);
  CHECK(report["parameters"]["kind"] == "raster");
  CHECK(report["figures"]["pixels"] == 1690000);
  io::FileDigest digest = io::DigestFile(input);
  CHECK(report["inputs"][0]["param"] == "input");
  CHECK(report["inputs"][0]["xxh3_128"] == digest.xxh3_128);
  CHECK(report["inputs"][0]["size_bytes"] == digest.size_bytes);
  CHECK(report["outputs"][0]["xxh3_128"] == io::DigestFile(sub / "copy.tif").xxh3_128);
  CHECK(report["wall_seconds"].get<double>() >= 0);

  ProcessResult quiet =
      Probe({"--input", input.string(), "--out", (dir / "plain.tif").string(), "--no-report"});
  CHECK(quiet.exit_code == 0);
  CHECK(fs::exists(dir / "plain.tif"));
  CHECK_FALSE(fs::exists(dir / "plain.tif.report.json"));
}

TEST_CASE("Usage and configuration errors exit 2 with one line", "[cli]") {
  TempDir dir;
  std::string input = DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif").string();
  std::string out = (dir / "o.tif").string();
  struct Case {
    std::vector<std::string> args;
    std::string fragment;
  };
  test::WriteText(dir / "typo.json", R"({"schema_version": 1, "scal": 2})");
  test::WriteText(dir / "old.json", R"({"scale": 2})");
  test::WriteText(dir / "broken.json", "{\"scale\": }");
  std::vector<Case> cases = {
      {{"--input", input, "--out", out, "--bogus"}, "--bogus"},
      {{"--input", input, "--out", out, "--scale", "abc"},
       "invalid value 'abc' for --scale: expected a finite number"},
      {{"--input", input, "--out", out, "--scale", "11"},
       "value 11 for --scale is outside [0, 10]"},
      {{"--input", input, "--out", out, "--kind", "pdf"}, "expected one of raster, geojson"},
      {{"--out", out}, "missing required parameter --input"},
      {{"--input", input, "--out", out, "--config", (dir / "typo.json").string()},
       "unknown key 'scal' in"},
      {{"--input", input, "--out", out, "--config", (dir / "old.json").string()},
       "missing key 'schema_version'"},
      {{"--input", input, "--out", out, "--config", (dir / "broken.json").string()},
       "invalid JSON at line 1"},
      {{"--input", input, "--out", out, "--set", "scale"}, "--set expects KEY=VALUE"},
      {{"--input", input, "--out", out, "--set", "sclae=2"}, "did you mean 'scale'"},
      {{"--input", input, "--out", input}, "would overwrite an input"},
      {{"--input", input, "--out", out, "--threads", "-2"}, "--threads"},
  };
  for (const Case& c : cases) {
    ProcessResult result = Probe(c.args);
    INFO(fmt::format("{}", fmt::join(c.args, " ")));
    CHECK(result.exit_code == 2);
    CheckOneLineError(result, c.fragment);
  }
  CHECK(dir.List() == std::vector<std::string>{"broken.json", "old.json", "typo.json"});
}

TEST_CASE("Presets then --set then flags take precedence in that order", "[cli]") {
  TempDir dir;
  std::string input = DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif").string();
  test::WriteText(dir / "preset.json", R"({"schema_version": 1, "scale": 2, "kind": "raster"})");
  auto scale_of = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"--input",  input,
                                     "--out",    (dir / "o.tif").string(),
                                     "--config", (dir / "preset.json").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult result = Probe(args);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(test::ReadText(dir / "o.tif.report.json"))["parameters"]["scale"]
        .get<double>();
  };
  CHECK(scale_of({}) == 2);
  CHECK(scale_of({"--set", "scale=3"}) == 3);
  CHECK(scale_of({"--set", "scale=3", "--scale", "4"}) == 4);
}

TEST_CASE("Bad inputs exit 1 with one line and leave no output behind", "[cli]") {
  TempDir dir;
  fs::path inputs = dir / "inputs";
  fs::create_directories(inputs);
  std::string pan = test::ReadText(DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif"));
  test::WriteText(inputs / "cut.tif", pan.substr(0, pan.size() / 2));
  test::WriteText(inputs / "notjson.geojson", "<html>not json</html>");
  std::vector<float> values(12, 1.0f);
  std::string npy = io::EncodeNpy(io::NpyArray::From<float>(values, {3, 4}));
  npy.replace(npy.find("(3, 4)"), 6, "(9, 4)");  // the header lies about the shape
  test::WriteText(inputs / "lying.npy", npy);
  test::WriteText(inputs / "cut.safetensors", std::string("\x40\0\0\0\0\0\0\0{}", 10));
  test::WriteText(inputs / "bad.csv", "AOI_2_Vegas_img1,\"LINESTRING (1 2, x)\"\n");
  test::WriteText(inputs / "extra.json", R"({"schema_version": 1, "name": "a", "nmae": "b"})");

  struct Case {
    std::string input;
    std::string kind;
    std::string fragment;
  };
  std::vector<Case> cases = {
      {(inputs / "cut.tif").string(), "raster", "cut.tif"},
      {(inputs / "notjson.geojson").string(), "geojson", "notjson.geojson"},
      {(inputs / "lying.npy").string(), "npy", "needs 144 bytes, 48 present"},
      {(inputs / "cut.safetensors").string(), "safetensors", "exceeds the file"},
      {(inputs / "bad.csv").string(), "wktpix", "at line 1 of"},
      {(dir / "missing.tif").string(), "raster", "does not exist, for --input"},
  };
  for (const Case& c : cases) {
    ProcessResult result =
        Probe({"--input", c.input, "--kind", c.kind, "--out", (dir / "out.bin").string()});
    INFO(c.input);
    CHECK(result.exit_code == 1);
    CheckOneLineError(result, c.fragment);
  }
  ProcessResult config = Probe({"--input", (inputs / "extra.json").string(), "--kind", "json",
                                "--out", (dir / "out.json").string()});
  CHECK(config.exit_code == 2);  // a configuration error
  CheckOneLineError(config, "unknown key 'nmae'");
  CHECK(dir.List() == std::vector<std::string>{"inputs"});
}

TEST_CASE("Runs into one output folder add their own units and keep the others", "[cli]") {
  TempDir dir;
  TempDir inputs;
  std::string pan = test::ReadText(DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif"));
  test::WriteText(inputs / "a.tif", pan);
  test::WriteText(inputs / "b.tif", pan);
  auto run = [&](const std::string& name, bool fail) {
    std::vector<std::string> args = {"--input",  (inputs / name).string(),
                                     "--out",    (dir / (name + ".copy.tif")).string(),
                                     "--bundle", (dir / "bundle").string()};
    if (fail) args.push_back("--fail-after-write");
    return Probe(args).exit_code;
  };
  CHECK(run("a.tif", false) == 0);
  CHECK(run("b.tif", false) == 0);
  CHECK(run("a.tif", true) == 1);  // a failed re-run leaves the earlier "a" untouched
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir / "bundle")) {
    names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"a", "a.report.json", "b", "b.report.json"});
  CHECK(fs::exists(dir / "bundle" / "a" / "figures.json"));
  auto report = nlohmann::json::parse(test::ReadText(dir / "bundle" / "b.report.json"));
  CHECK(report["inputs"][0]["path"] == (inputs / "b.tif").string());
}

TEST_CASE("A failure after writing removes every output", "[cli]") {
  TempDir dir;
  ProcessResult result = Probe(
      {"--input", DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif").string(), "--out",
       (dir / "o.tif").string(), "--summary", (dir / "s.json").string(), "--fail-after-write"});
  CHECK(result.exit_code == 1);
  CheckOneLineError(result, "simulated failure");
  CHECK(dir.List().empty());
}

TEST_CASE("Device cuda exits 3 unless a CUDA device is usable", "[cli]") {
  TempDir dir;
  ProcessResult result =
      Probe({"--input", DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif").string(), "--out",
             (dir / "o.tif").string(), "--device", "cuda"});
  bool usable = kernels::cuda::BuiltWithCuda() && !kernels::cuda::ListDevices().empty();
  if (usable) {
    CHECK(result.exit_code == 0);
  } else {
    CHECK(result.exit_code == 3);
    CheckOneLineError(result,
                      kernels::cuda::BuiltWithCuda() ? "no usable CUDA device" : "no CUDA support");
    CHECK(dir.List().empty());
  }
  ProcessResult automatic =
      Probe({"--input", DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif").string(), "--out",
             (dir / "a.tif").string(), "--device", "auto"});
  CHECK(automatic.exit_code == 0);
  auto report = nlohmann::json::parse(test::ReadText(dir / "a.tif.report.json"));
  CHECK(report["device"] == (usable ? "cuda" : "cpu"));
}

// Waits until the probe has written its temporary output (the stage is then mid-run).
bool WaitForTempFile(const TempDir& dir, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const std::string& name : dir.List()) {
      if (name.find(".rbtmp-") != std::string::npos) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST_CASE("SIGTERM cancels a run at its next progress tick and removes its outputs", "[cli]") {
  TempDir dir;
  TempDir logs;
  pid_t pid = test::StartProcess(
      {RB_PROBE_PATH, "--input", DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif").string(),
       "--out", (dir / "o.tif").string(), "--ticks", "3000"},
      logs.path());
  REQUIRE(WaitForTempFile(dir, std::chrono::seconds(60)));
  kill(pid, SIGTERM);
  ProcessResult result = test::WaitProcess(pid, logs.path());
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("rb-probe: error: cancelled by SIGTERM"));
  CHECK(dir.List().empty());
}

TEST_CASE("A second SIGTERM ends a stage that never checks and still leaves nothing", "[cli]") {
  TempDir dir;
  TempDir logs;
  pid_t pid = test::StartProcess(
      {RB_PROBE_PATH, "--input", DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif").string(),
       "--out", (dir / "o.tif").string(), "--busy-ms", "60000"},
      logs.path());
  REQUIRE(WaitForTempFile(dir, std::chrono::seconds(60)));
  kill(pid, SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(pid, SIGTERM);
  ProcessResult result = test::WaitProcess(pid, logs.path());
  CHECK(result.exit_code == 128 + SIGTERM);
  CHECK(dir.List().empty());
}

}  // namespace
}  // namespace rb
