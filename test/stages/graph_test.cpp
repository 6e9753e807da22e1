// rb-graph: masks, skeletons, the pixel-path graph, cleaning, scorer-safe WKT lines, and the
// binary on a drawn probability raster and on ground truth.
#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "common/geo/crs.hpp"
#include "common/geo/raster_io.hpp"
#include "common/geo/road_vectors.hpp"
#include "common/geo/wkt_pix.hpp"
#include "stages/graph/graph.hpp"
#include "test/support/test_support.hpp"

namespace rb::graphs {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::TempDir;

const graph::LengthFunction kPixels = graph::EuclideanLength;

size_t Degree(const graph::Graph& g, graph::Vertex v) { return boost::out_degree(v, g); }

int CountDegree(const graph::Graph& g, size_t degree) {
  int n = 0;
  for (graph::Vertex v = 0; v < boost::num_vertices(g); ++v) n += Degree(g, v) == degree;
  return n;
}

TEST_CASE("A plus sign of one-pixel lines is four ends and one junction", "[graph]") {
  cv::Mat skeleton(41, 41, CV_8U, cv::Scalar(0));
  cv::line(skeleton, {5, 20}, {35, 20}, 1);
  cv::line(skeleton, {20, 5}, {20, 35}, 1);
  graph::Graph g = SkeletonToGraph(skeleton, kPixels);
  CHECK(boost::num_vertices(g) == 5);
  CHECK(boost::num_edges(g) == 4);
  CHECK(CountDegree(g, 4) == 1);
  CHECK(CountDegree(g, 1) == 4);
  CHECK(graph::TotalLength(g) == Approx(60).margin(2));
}

TEST_CASE("Staircase diagonals stay one edge and a ring gets one node", "[graph]") {
  // Thinning a wide road at a shallow angle leaves staircases with corner pixels (three
  // mutually adjacent skeleton pixels); they must not become junctions.
  cv::Mat road(80, 120, CV_8U, cv::Scalar(0));
  cv::line(road, {10, 20}, {110, 55}, 1, 7);
  cv::Mat skeleton = Skeleton(road);
  graph::Graph g = SkeletonToGraph(skeleton, kPixels);
  graph::Simplify(g);
  CHECK(CountDegree(g, 1) == 2);
  CHECK(CountDegree(g, 3) + CountDegree(g, 4) == 0);
  CHECK(graph::TotalLength(g) == Approx(std::hypot(100, 35)).epsilon(0.1));

  cv::Mat ring(40, 40, CV_8U, cv::Scalar(0));
  cv::circle(ring, {20, 20}, 12, 1);
  graph::Graph loop = SkeletonToGraph(ring, kPixels);
  graph::Simplify(loop);
  CHECK(boost::num_vertices(loop) == 1);
  CHECK(boost::num_edges(loop) == 1);
  CHECK(graph::TotalLength(loop) == Approx(2 * 3.14159 * 12).epsilon(0.15));
}

TEST_CASE("Masks drop small blobs and fill small holes and skeletons keep border ends", "[graph]") {
  cv::Mat prob(60, 80, CV_32F, cv::Scalar(0.1f));
  cv::rectangle(prob, {0, 25}, {79, 34}, 0.9f, cv::FILLED);   // a road crossing the tile
  cv::rectangle(prob, {40, 28}, {41, 29}, 0.1f, cv::FILLED);  // a 4-pixel hole in it
  cv::rectangle(prob, {10, 5}, {13, 8}, 0.9f, cv::FILLED);    // a 16-pixel speck
  prob.at<float>(50, 50) = NAN;
  cv::Mat mask = RoadMask(prob, {0.3, 20, 10});
  CHECK(mask.at<uint8_t>(28, 40) == 1);  // hole filled
  CHECK(mask.at<uint8_t>(6, 11) == 0);   // speck dropped
  CHECK(mask.at<uint8_t>(50, 50) == 0);
  cv::Mat skeleton = Skeleton(mask);
  CHECK(skeleton.at<uint8_t>(29, 0) + skeleton.at<uint8_t>(30, 0) == 1);  // reaches the edges
  CHECK(skeleton.at<uint8_t>(29, 79) + skeleton.at<uint8_t>(30, 79) == 1);
  graph::Graph g = SkeletonToGraph(skeleton, kPixels);
  graph::Simplify(g);
  CHECK(boost::num_edges(g) == 1);
  CHECK(graph::TotalLength(g) == Approx(79).margin(2));
}

TEST_CASE("Cleaning prunes spurs, closes gaps ahead of ends and drops short pieces", "[graph]") {
  // A long road, a 4 px spur off it, a second road stopping 5 px short of the first's end
  // line and heading for it, and a far 8 px fragment.
  std::vector<geo::LineString> lines = {{{0, 50}, {50, 50}, {100, 50}},
                                        {{50, 50}, {50, 46}},
                                        {{75, 0}, {75, 45}},
                                        {{10, 90}, {18, 90}}};
  graph::Graph g = graph::FromPolylines(lines);
  CleanSpec spec{5, 20, 6, 30, 1};
  int joins = CleanGraph(g, spec, kPixels, 1.0);
  CHECK(joins == 1);
  CHECK(boost::num_vertices(g) == 4);  // ends at x=0, x=100, y=0 and the new junction at (75, 50)
  CHECK(boost::num_edges(g) == 3);
  CHECK(graph::TotalLength(g) == Approx(150));
  CHECK(CountDegree(g, 3) == 1);
}

TEST_CASE("Submission lines hold nothing the leaderboard scorer rejects", "[graph]") {
  std::vector<geo::LineString> lines = {
      {{0, 0}, {10, 0}, {10.004, 0.001}, {20, 0}},  // a 0.004 px step
      {{20, 0}, {10, 0}, {10, 10}},                 // repeats 10..20 backwards
      {{5, 5}},                                     // a single point
      {{30, 30}, {30.001, 30.001}}};                // nothing left after merging
  std::vector<geo::LineString> out = SubmissionLines(lines);
  REQUIRE(out.size() == 2);
  CHECK(out[0] == geo::LineString{{0, 0}, {10, 0}, {20, 0}});
  CHECK(out[1] == geo::LineString{{10, 0}, {10, 10}});
}

geo::GeoReference VegasGrid() {
  return {geo::GeoTransform::NorthUp(-115.3, 36.2, 2.7e-6, 2.7e-6), geo::CrsWkt("EPSG:4326")};
}

TEST_CASE("rb-graph turns a probability raster and its truth into the same roads", "[graph][e2e]") {
  TempDir dir;
  geo::Raster prob(geo::PixelType::kFloat32, 1, 300, 300);
  cv::Mat view(300, 300, CV_32F, prob.Band<float>(0).data());
  view.setTo(0.05f);
  cv::line(view, {0, 150}, {299, 150}, 0.9f, 9);
  cv::line(view, {150, 150}, {150, 299}, 0.9f, 9);
  prob.georef = VegasGrid();
  geo::WriteGeoTiff(dir / "AOI_2_Vegas_img7.prob.tif", prob);
  ProcessResult run =
      test::RunProcess({RB_GRAPH_PATH, "--prob", (dir / "AOI_2_Vegas_img7.prob.tif").string(),
                        "--out", (dir / "g.geojson").string(), "--wkt-out",
                        (dir / "g.csv").string(), "--overlay", (dir / "g.png").string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::vector<geo::WktPixRow> rows = geo::ReadWktPixCsv(dir / "g.csv");
  REQUIRE(rows.size() == 3);  // a T: three roads from the junction
  for (const geo::WktPixRow& row : rows) CHECK(row.image_id == "AOI_2_Vegas_img7");
  auto features = geo::ReadRoadGeoJson(dir / "g.geojson");
  double metres = 0;
  for (const auto& f : features) metres += f.properties["length_m"].get<double>();
  // 300 + 150 px of 2.7e-6 deg at 36.2 N: ~0.30 m north-south, ~0.243 m east-west.
  CHECK(metres == Approx(300 * 0.2427 + 150 * 0.2998).epsilon(0.03));
  CHECK(fs::file_size(dir / "g.png") > 1000);

  // The same roads as truth labels give the same graph shape.
  geo::WriteRoadGeoJson(dir / "labels.geojson", features);
  ProcessResult truth = test::RunProcess(
      {RB_GRAPH_PATH, "--labels", (dir / "labels.geojson").string(), "--reference",
       (dir / "AOI_2_Vegas_img7.prob.tif").string(), "--wkt-out", (dir / "t.csv").string(), "-q"});
  REQUIRE(truth.exit_code == 0);
  CHECK(geo::ReadWktPixCsv(dir / "t.csv").size() == 3);

  // No roads: one LINESTRING EMPTY row.
  view.setTo(0.0f);
  geo::WriteGeoTiff(dir / "AOI_2_Vegas_img8.prob.tif", prob);
  REQUIRE(test::RunProcess({RB_GRAPH_PATH, "--prob", (dir / "AOI_2_Vegas_img8.prob.tif").string(),
                            "--wkt-out", (dir / "e.csv").string(), "-q"})
              .exit_code == 0);
  CHECK_THAT(test::ReadText(dir / "e.csv"), Catch::Contains("AOI_2_Vegas_img8,LINESTRING EMPTY"));

  ProcessResult both = test::RunProcess(
      {RB_GRAPH_PATH, "--prob", (dir / "AOI_2_Vegas_img8.prob.tif").string(), "--labels",
       (dir / "labels.geojson").string(), "--out", (dir / "x.geojson").string()});
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.err, Catch::Contains("exactly one of --prob, --labels or --wkt"));
}

}  // namespace
}  // namespace rb::graphs
