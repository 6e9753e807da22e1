// rb-route: grid routes against hand sums and a Bellman-Ford oracle, A* against Dijkstra, routes
// on a road graph, and the binary's outputs and errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "common/geo/crs.hpp"
#include "common/geo/raster_io.hpp"
#include "common/geo/road_vectors.hpp"
#include "stages/route/route.hpp"
#include "test/support/test_support.hpp"

namespace rb::route {
namespace {

namespace fs = std::filesystem;
using geo::PixelPoint;
using test::ProcessResult;
using test::TempDir;

geo::ProbabilityMap Map(std::vector<float> p, int width, int height) {
  return geo::MakeProbabilityMap(p, width, height, /*nan_is_nodata=*/true, "test");
}

geo::ProbabilityMap RandomMap(int width, int height, uint32_t seed, double nodata_fraction) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<float> p(static_cast<size_t>(width) * height);
  for (float& v : p) v = u(rng) < nodata_fraction ? std::nanf("") : u(rng);
  return Map(p, width, height);
}

// The oracle: Bellman-Ford relaxation until nothing changes, with the costs written out again
// from the definition in route.hpp (entering pixel v by step d costs length(d) * f(p_v)).
std::vector<double> BellmanFord(const geo::ProbabilityMap& map, const GridSpec& spec,
                                PixelPoint source) {
  const int w = map.width, h = map.height;
  std::vector<double> d(map.p.size(), std::numeric_limits<double>::infinity());
  d[map.Index(source.column, source.row)] = 0;
  auto factor = [&](size_t i) {
    double p = std::clamp<double>(map.p[i], spec.p_floor, spec.p_ceiling);
    float f = static_cast<float>(spec.cost == Cost::kNegLogP      ? -std::log(p)
                                 : spec.cost == Cost::kLengthPerP ? 1 / p
                                                                  : 1.0);
    return static_cast<double>(f);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (int r = 0; r < h; ++r) {
      for (int c = 0; c < w; ++c) {
        for (int dr = -1; dr <= 1; ++dr) {
          for (int dc = -1; dc <= 1; ++dc) {
            bool diagonal = dr != 0 && dc != 0;
            if ((dr == 0 && dc == 0) || (diagonal && spec.neighbours == 4)) continue;
            int nr = r + dr, nc = c + dc;
            if (nr < 0 || nc < 0 || nr >= h || nc >= w) continue;
            size_t v = map.Index(nc, nr);
            if (map.IsNodata(v) || map.p[v] < spec.min_probability) continue;
            double length = spec.cost == Cost::kNegLogP
                                ? 1.0
                                : std::hypot(dc * spec.pixel_width_m, dr * spec.pixel_height_m);
            double candidate = d[map.Index(c, r)] + length * factor(v);
            if (candidate < d[v] * (1 - 1e-12)) d[v] = candidate, changed = true;
          }
        }
      }
    }
  }
  return d;
}

TEST_CASE("The most probable route on a hand grid takes the road around the doubtful pixel",
          "[route]") {
  // 3x3: the straight middle row has a 0.1 pixel in the centre; the top row is all 0.9.
  geo::ProbabilityMap map = Map({0.9f, 0.9f, 0.9f,  //
                                 0.9f, 0.1f, 0.9f,  //
                                 0.2f, 0.2f, 0.2f},
                                3, 3);
  GridRouter router(map, {.cost = Cost::kNegLogP, .neighbours = 4});
  GridRoute route = router.AStar({0, 1}, {2, 1});
  REQUIRE(route.found);
  // Up, right, right, down: enters four 0.9 pixels.
  CHECK(route.pixels == std::vector<PixelPoint>{{0, 1}, {0, 0}, {1, 0}, {2, 0}, {2, 1}});
  CHECK(route.cost == Approx(-4 * std::log(0.9)).epsilon(1e-6));
  CHECK(route.log10_probability == Approx(4 * std::log10(0.9)).epsilon(1e-6));
  CHECK(route.length_m == 4);
  // The shortest route goes straight through the doubtful pixel instead.
  GridRouter shortest(map, {.cost = Cost::kLength, .neighbours = 4});
  CHECK(shortest.AStar({0, 1}, {2, 1}).pixels == std::vector<PixelPoint>{{0, 1}, {1, 1}, {2, 1}});
}

TEST_CASE("Step lengths are metres: Manhattan for 4 neighbours and octile for 8", "[route]") {
  geo::ProbabilityMap map = Map(std::vector<float>(20 * 10, 0.5f), 20, 10);
  GridSpec spec{
      .cost = Cost::kLength, .neighbours = 4, .pixel_width_m = 0.3, .pixel_height_m = 0.25};
  GridRouter four(map, spec);
  GridRoute r4 = four.AStar({1, 1}, {16, 8});
  CHECK(r4.cost == Approx(15 * 0.3 + 7 * 0.25));
  CHECK(r4.length_m == Approx(r4.cost));
  spec.neighbours = 8;
  GridRouter eight(map, spec);
  GridRoute r8 = eight.AStar({1, 1}, {16, 8});
  CHECK(r8.cost == Approx(7 * std::hypot(0.3, 0.25) + 8 * 0.3));
  // length / p on a uniform map is length / 0.5.
  spec.cost = Cost::kLengthPerP;
  GridRouter per_p(map, spec);
  CHECK(per_p.AStar({1, 1}, {16, 8}).cost == Approx(r8.cost / 0.5));
}

TEST_CASE("Dijkstra matches a Bellman-Ford oracle and A* matches Dijkstra exactly", "[route]") {
  // A ceiling of 1 makes the certain pixel free to enter under -log p: no bucket width fits, so
  // SolveFrom takes its radix heap there and Dinitz's buckets everywhere else.
  for (uint32_t seed : {1u, 2u, 3u}) {
    geo::ProbabilityMap map = RandomMap(23, 17, seed, 0.1);
    map.p[map.Index(5, 6)] = 1.0f;  // certain: free under -log p when the ceiling is 1
    for (Cost cost : {Cost::kNegLogP, Cost::kLength, Cost::kLengthPerP}) {
      for (auto [neighbours, ceiling] : {std::pair{4, 0.999}, {8, 0.999}, {4, 1.0}, {8, 1.0}}) {
        GridSpec spec{.cost = cost,
                      .neighbours = neighbours,
                      .p_ceiling = ceiling,
                      .min_probability = 0.05,
                      .pixel_width_m = 0.31,
                      .pixel_height_m = 0.27};
        INFO("seed " << seed << " cost " << int(cost) << " neighbours " << neighbours << " ceiling "
                     << ceiling);
        PixelPoint source{3, 4};
        if (map.IsNodata(map.Index(3, 4))) continue;
        GridRouter router(map, spec);
        router.SolveFrom(source);
        std::vector<double> oracle = BellmanFord(map, spec, source);
        GridRouter astar(map, spec);
        for (int r = 0; r < map.height; ++r) {
          for (int c = 0; c < map.width; ++c) {
            double d = router.Distance({c, r});
            if (std::isinf(oracle[map.Index(c, r)])) {
              CHECK(std::isinf(d));
              continue;
            }
            REQUIRE(d == Approx(oracle[map.Index(c, r)]).epsilon(1e-12));
            if ((r * 31 + c) % 7 == 0) {  // A* on a sample of targets: the same double
              GridRoute route = astar.AStar(source, {c, r});
              REQUIRE(route.found);
              CHECK(route.cost == d);
              CHECK(route.pixels.front() == source);
              CHECK(route.pixels.back() == PixelPoint{c, r});
            }
          }
        }
      }
    }
  }
}

TEST_CASE("A* settles fewer pixels than Dijkstra when the map is confident", "[route]") {
  std::vector<float> p(200 * 200, 0.95f);
  geo::ProbabilityMap map = Map(p, 200, 200);
  GridRouter router(map, {.cost = Cost::kNegLogP, .neighbours = 8});
  GridRoute a = router.AStar({10, 10}, {60, 30});
  router.SolveFrom({10, 10});
  GridRoute d = router.Route({60, 30});
  CHECK(a.cost == d.cost);
  CHECK(a.settled * 10 < d.settled);
}

TEST_CASE("A wall of nodata or of pixels below the minimum leaves the target unreachable",
          "[route]") {
  std::vector<float> p(10 * 10, 0.8f);
  for (int r = 0; r < 10; ++r) p[r * 10 + 5] = r % 2 ? std::nanf("") : 0.01f;
  geo::ProbabilityMap map = Map(p, 10, 10);
  GridRouter blocked(map, {.neighbours = 8, .min_probability = 0.02});
  GridRoute route = blocked.AStar({1, 1}, {8, 8});
  CHECK_FALSE(route.found);
  CHECK(route.pixels.empty());
  GridRouter open(map, {.neighbours = 8, .min_probability = 0.0});
  GridRoute through = open.AStar({1, 1}, {8, 8});
  REQUIRE(through.found);
  size_t wall = 0;
  for (const PixelPoint& q : through.pixels) wall += q.column == 5;
  CHECK(wall == 1);  // crosses the wall once, at one of the 0.01 pixels (never nodata)
  for (const PixelPoint& q : through.pixels) CHECK_FALSE(map.IsNodata(map.Index(q.column, q.row)));
}

TEST_CASE("Routes on a road graph take the shorter branch and keep its geometry", "[route]") {
  // Two ways from (0,0) to (0.002,0): straight, or up and over (longer).
  std::vector<geo::LineString> lines = {{{0, 0}, {0.001, 0}, {0.002, 0}},
                                        {{0, 0}, {0.001, 0.001}, {0.002, 0}},
                                        {{0.002, 0}, {0.003, 0}}};
  graph::Graph g = graph::FromPolylines(lines, 1e-9, geo::GeodesicLength);
  GraphRoute route = RouteOnGraph(g, {0.00001, 0}, {0.003, 0.00001});
  REQUIRE(route.found);
  CHECK(route.lon_lat == geo::LineString{{0, 0}, {0.001, 0}, {0.002, 0}, {0.003, 0}});
  CHECK(route.length_m == Approx(geo::GeodesicDistance({0, 0}, {0.003, 0})).epsilon(1e-9));
  CHECK(route.snap_source_m == Approx(geo::GeodesicDistance({0.00001, 0}, {0, 0})));
  CHECK_FALSE(RouteOnGraph(graph::Graph(), {0, 0}, {1, 1}).found);
}

geo::GeoReference VegasGrid() {
  return {geo::GeoTransform::NorthUp(-115.3, 36.2, 2.7e-6, 2.7e-6), geo::CrsWkt("EPSG:4326")};
}

fs::path WriteProbabilities(const TempDir& dir, const std::string& name, float fill, float road) {
  geo::Raster prob(geo::PixelType::kFloat32, 1, 60, 80);
  auto p = prob.Band<float>(0);
  for (int r = 0; r < 60; ++r) {
    for (int c = 0; c < 80; ++c) p[r * 80 + c] = (r >= 28 && r <= 31) ? road : fill;
  }
  prob.georef = VegasGrid();
  fs::path path = dir / name;
  geo::WriteGeoTiff(path, prob);
  return path;
}

TEST_CASE("rb-route writes lon/lat routes, an overlay and a report", "[route][e2e]") {
  TempDir dir;
  fs::path prob = WriteProbabilities(dir, "p.tif", 0.1f, 0.95f);
  ProcessResult run = test::RunProcess({RB_ROUTE_PATH, "--prob", prob.string(), "--from", "0,30",
                                        "--to", "79,30,79,0", "--out", (dir / "r.geojson").string(),
                                        "--overlay", (dir / "r.png").string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::vector<geo::RoadFeature> routes = geo::ReadRoadGeoJson(dir / "r.geojson");
  REQUIRE(routes.size() == 2);
  const geo::LineString& line = routes[0].parts.at(0);
  // Along the road row 30: centres of pixels (0,30) .. (79,30).
  CHECK(line.front().x == Approx(-115.3 + 0.5 * 2.7e-6));
  CHECK(line.front().y == Approx(36.2 - 30.5 * 2.7e-6));
  CHECK(line.back().x == Approx(-115.3 + 79.5 * 2.7e-6));
  CHECK(fs::file_size(dir / "r.png") > 0);
  nlohmann::json report = nlohmann::json::parse(test::ReadText(dir / "r.geojson.report.json"));
  const nlohmann::json& first = report["figures"]["routes"][0];
  CHECK(first["found"] == true);
  CHECK(first["algorithm"] == "dijkstra");  // one source, many targets
  CHECK(first["cost"].get<double>() == Approx(-79 * std::log(0.95)).epsilon(1e-6));
  CHECK(first["length_m"].get<double>() > 79 * 0.24);

  // Without points: across the confident pixels, first and last along the diagonal.
  ProcessResult automatic = test::RunProcess({RB_ROUTE_PATH, "--prob", prob.string(), "--auto-ends",
                                              "0.9", "--overlay", (dir / "a.png").string(), "-q"});
  REQUIRE(automatic.exit_code == 0);
  nlohmann::json across = nlohmann::json::parse(test::ReadText(dir / "a.png.report.json"));
  CHECK(across["figures"]["routes"][0]["from"] == nlohmann::json::array({0, 28}));
  CHECK(across["figures"]["routes"][0]["to"] == nlohmann::json::array({79, 31}));
}

TEST_CASE("rb-route names the bad value and writes nothing", "[route][e2e]") {
  TempDir dir;
  fs::path prob = WriteProbabilities(dir, "p.tif", 0.1f, 0.95f);
  fs::path out = dir / "r.geojson";
  ProcessResult outside = test::RunProcess({RB_ROUTE_PATH, "--prob", prob.string(), "--from",
                                            "0,30", "--to", "80,30", "--out", out.string()});
  CHECK(outside.exit_code == 2);
  CHECK_THAT(outside.err, Catch::Contains("--to point 1 = (col 80, row 30) is outside"));
  CHECK_FALSE(fs::exists(out));

  fs::path bad = WriteProbabilities(dir, "bad.tif", 0.1f, 1.5f);
  ProcessResult range = test::RunProcess({RB_ROUTE_PATH, "--prob", bad.string(), "--from", "0,30",
                                          "--to", "10,30", "--out", out.string()});
  CHECK(range.exit_code == 1);
  CHECK_THAT(range.err, Catch::Contains("probability 1.5 at pixel (col 0, row 28)"));
  CHECK_FALSE(fs::exists(out));

  ProcessResult low = test::RunProcess({RB_ROUTE_PATH, "--prob", prob.string(), "--from", "0,0",
                                        "--to", "10,30", "--min-probability", "0.5"});
  CHECK(low.exit_code == 2);
  CHECK_THAT(low.err, Catch::Contains("--from pixel (col 0, row 0)"));
}

}  // namespace
}  // namespace rb::route
