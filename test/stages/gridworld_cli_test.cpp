// The rb-gridworld binary: map outputs on a georeferenced raster (cells, lon/lat goals, obstacles,
// GeoTIFF and NPY rasters, quiver, summary), warm starts, the mdp command on the book's examples,
// and bad inputs rejected with one line naming the value and the place, leaving nothing behind.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common/geo/crs.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/npy.hpp"
#include "stages/gridworld/grid_solvers.hpp"
#include "test/stages/gridworld_fixtures.hpp"
#include "test/support/test_support.hpp"

namespace rb::gridworld {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::TempDir;

const geo::GeoTransform kTransform = geo::GeoTransform::NorthUp(32.5, 15.6, 1e-4, 1e-4);
constexpr int kWidth = 90, kHeight = 60;
const float kNaN = std::numeric_limits<float>::quiet_NaN();

fs::path WriteFloat(const fs::path& path, const std::vector<float>& values, bool nodata) {
  geo::Raster raster(geo::PixelType::kFloat32, 1, kHeight, kWidth);
  std::copy(values.begin(), values.end(), raster.Band<float>(0).begin());
  raster.georef = {kTransform, geo::CrsWkt("EPSG:4326")};
  if (nodata) raster.nodata = std::numeric_limits<double>::quiet_NaN();
  geo::WriteGeoTiff(path, raster);
  return path;
}

std::vector<float> Map() {
  std::vector<float> p = fixtures::RoadField(kWidth, kHeight, 2);
  p[kHeight * kWidth - 1] = kNaN;  // declared nodata in a corner
  return p;
}

// Buildings: a block left of the vertical road.
std::vector<uint8_t> Buildings() {
  std::vector<uint8_t> b(kWidth * kHeight, 0);
  for (int y = 30; y < 50; ++y) {
    for (int x = 30; x < 40; ++x) b[y * kWidth + x] = 1;
  }
  return b;
}

ProcessResult Gridworld(std::vector<std::string> args) {
  args.insert(args.begin(), RB_GRIDWORLD_PATH);
  return test::RunProcess(args);
}

std::string LonLat(int column, int row) {
  geo::Point2 p = kTransform.PixelToGeo({column + 0.5, row + 0.5});
  return fmt::format("{:.9f},{:.9f}", p.x, p.y);
}

TEST_CASE("rb-gridworld map writes values policy quiver and summary on cells", "[gridworld][e2e]") {
  TempDir dir;
  fs::path map = WriteFloat(dir / "p.tif", Map(), true);
  std::vector<uint8_t> b = Buildings();
  std::vector<float> buildings(b.begin(), b.end());
  fs::path obstacles = WriteFloat(dir / "b.tif", buildings, false);
  geo::Raster image(geo::PixelType::kUInt8, 3, kHeight, kWidth);  // a flat olive picture
  for (int band = 0; band < 3; ++band) {
    std::fill_n(image.Band<uint8_t>(band).begin(), kWidth * kHeight, band == 2 ? 20 : 120);
  }
  geo::WriteGeoTiff(dir / "image.tif", image);
  const geo::PixelPoint goal{45, 20};  // on the crossing roads
  ProcessResult run = Gridworld({"map",         "-q",
                                 "--prob",      map.string(),
                                 "--obstacles", obstacles.string(),
                                 "--image",     (dir / "image.tif").string(),
                                 "--points",    "lonlat",
                                 "--goal",      LonLat(goal.column, goal.row),
                                 "--cell",      "2",
                                 "--values",    (dir / "v.tif").string(),
                                 "--policy",    (dir / "a.tif").string(),
                                 "--quiver",    (dir / "q.png").string(),
                                 "--summary",   (dir / "s.json").string()});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  nlohmann::json summary = nlohmann::json::parse(test::ReadText(dir / "s.json"));
  CHECK(summary == nlohmann::json::parse(run.out));
  CHECK(summary["solver"] == "exact (label-setting)");
  CHECK(summary["grid"]["width"] == 45);
  CHECK(summary["grid"]["height"] == 30);
  CHECK(summary["goals"][0]["pixel"] == nlohmann::json({45, 20}));
  CHECK(summary["goals"][0]["cell"] == nlohmann::json({22, 10}));
  CHECK(summary["bellman_residual"].get<double>() < 1e-10);
  CHECK(summary["seconds"].get<double>() >= 0);

  // The rasters hold what the core computes on the same world, on a grid of 2x2-pixel cells.
  geo::ProbabilityMap prob = geo::ReadProbabilityMap(map);
  GridWorld world = BuildWorld(prob, b, std::vector{goal}, {.cell = 2});
  GridSolution expected = SolveExact(world);
  geo::Raster values = geo::ReadRaster(dir / "v.tif");
  geo::Raster policy = geo::ReadRaster(dir / "a.tif");
  REQUIRE(values.width() == 45);
  REQUIRE(values.height() == 30);
  CHECK(values.type() == geo::PixelType::kFloat32);
  CHECK(policy.type() == geo::PixelType::kUInt8);
  CHECK(*policy.nodata == 255);
  CHECK(std::isnan(*values.nodata));
  CHECK(values.georef.transform->coefficients() == kTransform.Resampled(0.5, 0.5).coefficients());
  for (size_t i = 0; i < expected.value.size(); ++i) {
    float v = values.Band<float>(0)[i];
    if (std::isnan(expected.value[i])) {
      CHECK(std::isnan(v));
    } else {
      CHECK(v == static_cast<float>(expected.value[i]));
    }
    CHECK(policy.Band<uint8_t>(0)[i] == expected.policy[i]);
  }
  CHECK(policy.At<uint8_t>(0, 20, 17) == kNodataCode);  // inside the buildings
  CHECK(policy.At<uint8_t>(0, 10, 22) == kGoalCode);
  cv::Mat quiver = cv::imread((dir / "q.png").string());
  REQUIRE(quiver.cols == kWidth * 7);  // small maps are enlarged (640 / 90 -> 7)
  REQUIRE(quiver.rows == kHeight * 7);
  // Cell corners lie between arrows: the image there, shaded red inside the buildings.
  CHECK(quiver.at<cv::Vec3b>(0, 0) == cv::Vec3b(20, 120, 120));  // BGR
  CHECK(quiver.at<cv::Vec3b>(40 * 7, 30 * 7) == cv::Vec3b(20 / 3, 120 / 3, 120 / 3 + 110));
  CHECK(fs::exists(dir / "v.tif.report.json"));
}

TEST_CASE("rb-gridworld map warm-starts from its own values and writes NPY", "[gridworld][e2e]") {
  TempDir dir;
  std::vector<float> before = Map();
  fs::path map = WriteFloat(dir / "p.tif", before, true);
  std::vector<std::string> common = {"map",   "-q",          "--no-report", "--goal",
                                     "45,20", "--solver",    "value",       "--sweep",
                                     "sync",  "--tolerance", "1e-6"};
  auto run = [&](const fs::path& prob, std::vector<std::string> extra) {
    std::vector<std::string> args = common;
    args.insert(args.end(), {"--prob", prob.string()});
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult r = Gridworld(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
  };
  nlohmann::json first = run(map, {"--values", (dir / "v0.tif").string()});
  std::vector<float> after = before;
  for (int x = 50; x < 60; ++x) after[20 * kWidth + x] = 0.05f;  // a closed stretch of road
  fs::path changed = WriteFloat(dir / "p2.tif", after, true);
  nlohmann::json cold =
      run(changed, {"--values", (dir / "cold.npy").string(), "--value-type", "float64"});
  nlohmann::json warm = run(changed, {"--init-values", (dir / "v0.tif").string(), "--values",
                                      (dir / "warm.npy").string(), "--value-type", "float64"});
  CHECK(warm["sweeps"].get<int>() < cold["sweeps"].get<int>());
  CHECK(warm["warm_start"] == (dir / "v0.tif").string());
  io::NpyArray a = io::ReadNpy(dir / "cold.npy"), b = io::ReadNpy(dir / "warm.npy");
  REQUIRE(a.shape == std::vector<int64_t>{kHeight, kWidth});
  double worst = 0;
  for (size_t i = 0; i < a.as<double>().size(); ++i) {
    worst = std::max(worst, std::abs(a.as<double>()[i] - b.as<double>()[i]));
  }
  CHECK(worst < 2 * cold["error_bound"].get<double>() + 1e-9);
  // A raster of another grid is refused by name.
  ProcessResult wrong = Gridworld({"map", "-q", "--prob", map.string(), "--goal", "45,20", "--cell",
                                   "3", "--init-values", (dir / "v0.tif").string(), "--summary",
                                   (dir / "s.json").string()});
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.err.find("starting values '" + (dir / "v0.tif").string() +
                       "' are 90x60, the cell grid is 30x20") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "s.json"));
}

TEST_CASE("rb-gridworld map refuses bad inputs naming the value and the place",
          "[gridworld][e2e]") {
  TempDir dir;
  std::vector<float> p = Map();
  fs::path good = WriteFloat(dir / "p.tif", p, true);
  p[7 * kWidth + 11] = 1.5f;
  fs::path above = WriteFloat(dir / "above.tif", p, true);
  p[7 * kWidth + 11] = kNaN;
  fs::path nan = WriteFloat(dir / "nan.tif", p, false);
  std::vector<uint8_t> b = Buildings();
  fs::path obstacles = WriteFloat(dir / "b.tif", std::vector<float>(b.begin(), b.end()), false);
  fs::path out = dir / "v.tif";
  geo::WriteGeoTiff(dir / "small.tif", geo::Raster(geo::PixelType::kUInt8, 3, 10, 10));
  auto fails = [&](std::vector<std::string> args, int code, const std::string& text) {
    args.insert(args.begin(), {"map", "-q"});
    args.insert(args.end(), {"--values", out.string()});
    ProcessResult r = Gridworld(args);
    INFO(r.err);
    CHECK(r.exit_code == code);
    CHECK(r.err.find(text) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(out));
  };
  fails({"--prob", above.string(), "--goal", "45,20"}, 1,
        "probability 1.5 at pixel (col 11, row 7) of '" + above.string() + "' is outside [0, 1]");
  fails({"--prob", nan.string(), "--goal", "45,20"}, 1, "NaN at pixel (col 11, row 7)");
  fails({"--prob", good.string(), "--goal", "45,200"}, 2,
        "goal 1 = (col 45, row 200) is outside the 90x60 raster");
  fails({"--prob", good.string(), "--goal", "35,40", "--obstacles", obstacles.string()}, 2,
        "goal 1 = (col 35, row 40) of '" + good.string() + "' lies on an obstacle");
  fails({"--prob", good.string(), "--goal", "45,20", "--slip", "0.3", "--solver", "exact"}, 2,
        "the exact solver needs moves that succeed or stay");
  fails({"--prob", good.string(), "--goal", "45,20", "--gamma", "1"}, 2, "gamma");
  fails({"--prob", good.string(), "--goal", "45"}, 2, "--goal needs x,y pairs, got 1 numbers");
  fails({"--prob", good.string(), "--goal", "45,20", "--init-values", nan.string()}, 2,
        "starting value nan at cell (col 11, row 7) of '" + nan.string() + "' is not finite");
  fails({"--prob", good.string(), "--goal", "45,20", "--quiver", (dir / "q.png").string(),
         "--image", (dir / "small.tif").string()},
        2, "background image '" + (dir / "small.tif").string() + "' is 10x10, the map is 90x60");
}

nlohmann::json Mdp(const std::string& file, std::vector<std::string> args) {
  TempDir dir;
  args.insert(args.begin(),
              {"mdp", "-q", "--no-report", "--mdp", test::DataSample("mdp/" + file).string(),
               "--out", (dir / "r.json").string()});
  ProcessResult r = Gridworld(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(test::ReadText(dir / "r.json"));
}

// The rows of a result rounded to one decimal, as the book prints them.
std::vector<std::vector<double>> Rounded(const nlohmann::json& rows) {
  std::vector<std::vector<double>> out;
  for (const auto& row : rows) {
    out.emplace_back();
    for (double v : row) out.back().push_back(std::round(v * 10) / 10 + 0.0);
  }
  return out;
}

TEST_CASE("rb-gridworld mdp reproduces the book's tables from the JSON samples",
          "[gridworld][e2e]") {
  using Table = std::vector<std::vector<double>>;
  CHECK(Rounded(Mdp("sutton_barto_4_1.json", {"--solver", "evaluate", "--sweep", "sync", "--sweeps",
                                              "10"})["values"]) == Table{{0, -6.1, -8.4, -9.0},
                                                                         {-6.1, -7.7, -8.4, -8.4},
                                                                         {-8.4, -8.4, -7.7, -6.1},
                                                                         {-9.0, -8.4, -6.1, 0}});
  nlohmann::json limit = Mdp("sutton_barto_4_1.json", {"--solver", "evaluate"});
  CHECK(Rounded(limit["values"]) ==
        Table{{0, -14, -20, -22}, {-14, -18, -20, -20}, {-20, -20, -18, -14}, {-22, -20, -14, 0}});
  CHECK(limit["greedy_actions"][0][3] == nlohmann::json({"down", "left"}));
  CHECK(Rounded(Mdp("sutton_barto_3_5.json", {"--solver", "evaluate"})["values"]) ==
        Table{{3.3, 8.8, 4.4, 5.3, 1.5},
              {1.5, 3.0, 2.3, 1.9, 0.5},
              {0.1, 0.7, 0.7, 0.4, -0.4},
              {-1.0, -0.4, -0.4, -0.6, -1.2},
              {-1.9, -1.3, -1.2, -1.4, -2.0}});
  const Table v_star = {{22.0, 24.4, 22.0, 19.4, 17.5},
                        {19.8, 22.0, 19.8, 17.8, 16.0},
                        {17.8, 19.8, 17.8, 16.0, 14.4},
                        {16.0, 17.8, 16.0, 14.4, 13.0},
                        {14.4, 16.0, 14.4, 13.0, 11.7}};
  CHECK(Rounded(Mdp("sutton_barto_3_5.json", {"--solver", "value"})["values"]) == v_star);
  nlohmann::json pi = Mdp("sutton_barto_3_5.json", {"--solver", "policy", "--sweep", "sync"});
  CHECK(Rounded(pi["values"]) == v_star);
  CHECK(pi["converged"] == true);
  CHECK(pi["greedy_actions"][0][1] == nlohmann::json({"up", "down", "left", "right"}));
}

TEST_CASE("rb-gridworld mdp names the key and value of a bad description", "[gridworld][e2e]") {
  TempDir dir;
  test::WriteText(dir / "m.json", R"({"schema_version": 1, "gamma": 0.9, "states": 2,
    "actions": ["go"], "transitions": [
      {"state": 0, "action": "go", "outcomes": [{"next": 1, "probability": -0.25}]},
      {"state": 1, "action": "go", "next": 0}]})");
  ProcessResult r = Gridworld(
      {"mdp", "-q", "--mdp", (dir / "m.json").string(), "--out", (dir / "r.json").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("'transitions[0].outcomes[0].probability' = -0.25 in '" +
                   (dir / "m.json").string() + "' is outside [0, 1]") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "r.json"));
}

}  // namespace
}  // namespace rb::gridworld
