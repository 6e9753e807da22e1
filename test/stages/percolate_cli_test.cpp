// The rb-percolate binary: Monte Carlo outputs on a georeferenced map (lon/lat points, field
// GeoTIFF, PNGs), identical bytes whatever --threads, is-connected, sweeps, and bad inputs
// rejected with one line naming the value and the place, leaving no output behind.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "common/geo/crs.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/npy.hpp"
#include "test/support/test_support.hpp"

namespace rb::percolate {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::TempDir;

const geo::GeoTransform kTransform = geo::GeoTransform::NorthUp(-115.3, 36.2, 1e-4, 1e-4);

// 60x40 float map: a certain road along row 10 (columns 0..59), a doubtful road (p 0.7) along
// column 30, background 0.05, and nodata (NaN, declared) in the bottom-right corner.
fs::path WriteMap(const TempDir& dir) {
  geo::Raster raster(geo::PixelType::kFloat32, 1, 40, 60);
  auto p = raster.Band<float>(0);
  for (int r = 0; r < 40; ++r) {
    for (int c = 0; c < 60; ++c) {
      float v = r == 10 ? 1.0f : c == 30 ? 0.7f : 0.05f;
      if (r >= 36 && c >= 56) v = std::numeric_limits<float>::quiet_NaN();
      p[static_cast<size_t>(r) * 60 + c] = v;
    }
  }
  raster.georef = {kTransform, geo::CrsWkt("EPSG:4326")};
  raster.nodata = std::numeric_limits<double>::quiet_NaN();
  fs::path path = dir / "map.tif";
  geo::WriteGeoTiff(path, raster);
  return path;
}

// The lon/lat of a pixel centre, as "lon,lat".
std::string LonLat(int column, int row) {
  geo::Point2 p = kTransform.PixelToGeo({column + 0.5, row + 0.5});
  return fmt::format("{:.9f},{:.9f}", p.x, p.y);
}

ProcessResult Percolate(std::vector<std::string> args) {
  args.insert(args.begin(), RB_PERCOLATE_PATH);
  return test::RunProcess(args);
}

TEST_CASE("rb-percolate mc answers lon/lat pairs and writes the field and renders",
          "[percolate][e2e]") {
  TempDir dir;
  fs::path map = WriteMap(dir);
  std::vector<std::string> args = {"mc",
                                   "-q",
                                   "--prob",
                                   map.string(),
                                   "--points",
                                   "lonlat",
                                   "--from",
                                   LonLat(0, 10),
                                   "--to",
                                   LonLat(59, 10) + "," + LonLat(30, 39),
                                   "--source",
                                   LonLat(0, 10),
                                   "--realizations",
                                   "200",
                                   "--connectivity",
                                   "8",
                                   "--seed",
                                   "4"};
  std::vector<std::string> one = args, two = args;
  for (const char* name : {"out", "field", "heatmap-png", "components-png", "realization-png"}) {
    std::string ext = std::string(name) == "out"     ? ".json"
                      : std::string(name) == "field" ? ".tif"
                                                     : ".png";
    one.insert(one.end(),
               {std::string("--") + name, (dir / (std::string("a_") + name + ext)).string()});
    two.insert(two.end(),
               {std::string("--") + name, (dir / (std::string("b_") + name + ext)).string()});
  }
  one.insert(one.end(), {"--threads", "1"});
  two.insert(two.end(), {"--threads", "2"});
  ProcessResult first = Percolate(one);
  REQUIRE(first.exit_code == 0);
  REQUIRE(Percolate(two).exit_code == 0);
  nlohmann::json out = nlohmann::json::parse(test::ReadText(dir / "a_out.json"));
  CHECK(out == nlohmann::json::parse(first.out));  // stdout carries the same JSON
  CHECK(out["connectivity"]["neighbours"] == 8);
  CHECK(out["realizations"] == 200);
  // Along the certain road: always connected. Down the doubtful column: 29 pixels at 0.7 from
  // row 11 to row 39, so practically never.
  CHECK(out["pairs"][0]["count"] == 200);
  CHECK(out["pairs"][0]["a"]["col"] == 0);
  CHECK(out["pairs"][0]["a"]["row"] == 10);
  CHECK(out["pairs"][0]["a"]["lon"].get<double>() == Approx(-115.3 + 0.5e-4).margin(1e-9));
  CHECK(out["pairs"][1]["b"]["col"] == 30);
  CHECK(out["pairs"][1]["probability"].get<double>() < 0.02);
  CHECK(out["clusters"]["spans_left_right"]["probability"] == 1.0);
  // Same bytes with one thread and two.
  CHECK(test::ReadText(dir / "a_out.json") == test::ReadText(dir / "b_out.json"));
  CHECK(test::ReadText(dir / "a_field.tif") == test::ReadText(dir / "b_field.tif"));
  CHECK(test::ReadText(dir / "a_components-png.png") ==
        test::ReadText(dir / "b_components-png.png"));
  // The field: 1 along the certain road, 0.7 ** rows down the doubtful column (it touches the
  // road at row 10), NaN where the map is nodata; the georeference and connectivity stated.
  geo::Raster field = geo::ReadRaster(dir / "a_field.tif");
  CHECK(field.georef.transform->coefficients() == kTransform.coefficients());
  REQUIRE(field.band_names.size() == 1);
  CHECK(field.band_names[0].find("8-connectivity") != std::string::npos);
  auto values = field.Band<float>(0);
  CHECK(values[10 * 60 + 45] == 1.0f);
  CHECK(values[12 * 60 + 30] == Approx(0.49).margin(0.1));
  CHECK(std::isnan(values[38 * 60 + 58]));
  CHECK(values[30 * 60 + 5] <= 0.05f);
  for (const char* png : {"a_heatmap-png.png", "a_components-png.png", "a_realization-png.png"}) {
    CHECK(fs::file_size(dir / png) > 1000);
    CHECK(fs::exists(dir / (std::string(png) + ".report.json")));
  }
}

TEST_CASE("rb-percolate mc stops early once the intervals are narrow", "[percolate][e2e]") {
  TempDir dir;
  fs::path map = WriteMap(dir);
  // (30, 11) is the doubtful column's first pixel: connected to the road with probability 0.7.
  ProcessResult run =
      Percolate({"mc", "-q", "--prob", map.string(), "--from", "0,10", "--to", "30,11", "--width",
                 "0.15", "--batch", "16", "--realizations", "100000", "--no-report"});
  REQUIRE(run.exit_code == 0);
  nlohmann::json out = nlohmann::json::parse(run.out);
  CHECK(out["width_reached"] == true);
  int64_t n = out["realizations"];
  CHECK(n % 16 == 0);
  CHECK(n < 400);
  auto interval = out["pairs"][0]["wilson95"];
  CHECK(interval[1].get<double>() - interval[0].get<double>() <= 0.15);
  CHECK(interval[0].get<double>() < 0.7);
  CHECK(interval[1].get<double>() > 0.7);
  CHECK(out["pairs"][0]["realizations_for_width"].get<int64_t>() <= n + 16);
}

TEST_CASE("rb-percolate mc --no-clusters answers the same pairs", "[percolate][e2e]") {
  TempDir dir;
  fs::path map = WriteMap(dir);
  std::vector<std::string> args = {"mc",         "-q",   "--prob", map.string(),     "--from",
                                   "0,10",       "--to", "30,11",  "--realizations", "300",
                                   "--no-report"};
  ProcessResult with = Percolate(args);
  args.push_back("--no-clusters");
  ProcessResult without = Percolate(args);
  REQUIRE(with.exit_code == 0);
  REQUIRE(without.exit_code == 0);
  nlohmann::json a = nlohmann::json::parse(with.out), b = nlohmann::json::parse(without.out);
  CHECK(a["pairs"] == b["pairs"]);
  CHECK(a.contains("clusters"));
  CHECK_FALSE(b.contains("clusters"));
}

TEST_CASE("rb-percolate is-connected and sweep", "[percolate][e2e]") {
  TempDir dir;
  fs::path map = WriteMap(dir);
  ProcessResult yes = Percolate({"is-connected", "-q", "--prob", map.string(), "--threshold", "0.6",
                                 "--from", "0,10", "--to", "59,10,30,39,5,5"});
  REQUIRE(yes.exit_code == 0);
  nlohmann::json out = nlohmann::json::parse(yes.out);
  CHECK(out["pairs"][0]["connected"] == true);
  CHECK(out["pairs"][1]["connected"] == true);   // the 0.7 column is above 0.6
  CHECK(out["pairs"][2]["connected"] == false);  // background
  CHECK(out["pairs"][2]["b_is_road"] == false);
  CHECK(out["components"] == 1);
  ProcessResult no = Percolate({"is-connected", "-q", "--prob", map.string(), "--threshold", "0.8",
                                "--from", "0,10", "--to", "30,39", "--no-report"});
  CHECK(nlohmann::json::parse(no.out)["pairs"][0]["connected"] == false);

  ProcessResult lattice = Percolate({"sweep", "-q", "--lattice", "24", "--samples", "50", "--p",
                                     "0.3,0.59274605,0.9", "--csv", (dir / "s.csv").string()});
  REQUIRE(lattice.exit_code == 0);
  nlohmann::json sweep = nlohmann::json::parse(lattice.out);
  CHECK(sweep["points"].size() == 3);
  CHECK(sweep["points"][0]["vertical"]["probability"].get<double>() < 0.01);
  CHECK(sweep["points"][2]["vertical"]["probability"].get<double>() > 0.99);
  CHECK(sweep["connectivity"]["neighbours"] == 4);
  CHECK(test::ReadText(dir / "s.csv").find("p,vertical,") == 0);

  ProcessResult scaled = Percolate({"sweep", "-q", "--prob", map.string(), "--samples", "20",
                                    "--scales", "0.5,1,1.5", "--no-report"});
  REQUIRE(scaled.exit_code == 0);
  nlohmann::json map_sweep = nlohmann::json::parse(scaled.out);
  // The certain road spans left-right from scale 1 on; at 0.5 its 60 pixels are coin flips.
  CHECK(map_sweep["points"][0]["horizontal"]["probability"] == 0.0);
  CHECK(map_sweep["points"][1]["horizontal"]["probability"] == 1.0);
  CHECK(map_sweep["points"][2]["scale"] == 1.5);
}

TEST_CASE("rb-percolate rejects bad probabilities and points naming value and place",
          "[percolate][e2e]") {
  TempDir dir;
  fs::path map = WriteMap(dir);
  // A value outside [0, 1] at (col 3, row 2) of an NPY.
  std::vector<float> p(5 * 4, 0.5f);
  p[2 * 5 + 3] = 1.5f;
  io::WriteNpy(dir / "bad.npy", io::NpyArray::From<float>(p, {4, 5}));
  ProcessResult bad = Percolate({"mc", "--prob", (dir / "bad.npy").string(), "--from", "0,0",
                                 "--to", "1,1", "--out", (dir / "out.json").string()});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("probability 1.5 at pixel (col 3, row 2)") != std::string::npos);
  CHECK(bad.err.find("bad.npy") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out.json"));
  // NaN in a GeoTIFF that declares no nodata.
  geo::Raster raster(geo::PixelType::kFloat32, 1, 3, 3);
  raster.Band<float>(0)[4] = std::numeric_limits<float>::quiet_NaN();
  geo::WriteGeoTiff(dir / "nan.tif", raster);
  ProcessResult nan = Percolate(
      {"is-connected", "--prob", (dir / "nan.tif").string(), "--from", "0,0", "--to", "2,2"});
  CHECK(nan.exit_code == 1);
  CHECK(nan.err.find("NaN at pixel (col 1, row 1)") != std::string::npos);
  // Points outside the raster, in pixels and in lon/lat.
  ProcessResult outside = Percolate({"mc", "--prob", map.string(), "--from", "0,10", "--to", "60,5",
                                     "--out", (dir / "out.json").string()});
  CHECK(outside.exit_code == 2);
  CHECK(outside.err.find("--to point 1 = (col 60, row 5) is outside the 60x40 raster") !=
        std::string::npos);
  ProcessResult far = Percolate({"mc", "--prob", map.string(), "--points", "lonlat", "--from",
                                 LonLat(0, 10), "--to", "-115.2,36.3"});
  CHECK(far.exit_code == 2);
  CHECK(far.err.find("(lon -115.2, lat 36.3)") != std::string::npos);
  ProcessResult source = Percolate(
      {"mc", "--prob", map.string(), "--source", "5,-1", "--field", (dir / "f.tif").string()});
  CHECK(source.exit_code == 2);
  CHECK(source.err.find("(col 5, row -1)") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "f.tif"));
  ProcessResult odd = Percolate({"mc", "--prob", map.string(), "--from", "0,10,4", "--to", "1,1"});
  CHECK(odd.exit_code == 2);
  CHECK(odd.err.find("--from needs x,y pairs, got 3 numbers") != std::string::npos);
  CHECK(Percolate({"sweep", "--lattice", "10", "--prob", map.string()}).exit_code == 2);
  CHECK(dir.List() == std::vector<std::string>{"bad.npy", "map.tif", "nan.tif"});
}

}  // namespace
}  // namespace rb::percolate
