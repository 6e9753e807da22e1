// The shared road graph: building from polylines (merging, duplicates), simplification to
// junctions and ends, rings, and the polylines that come back out.
#include <catch2/catch.hpp>

#include "common/graph/road_graph.hpp"

namespace rb::graph {
namespace {

using geo::LineString;

TEST_CASE("Polylines become a graph with shared vertices merged and repeats dropped", "[graph]") {
  // A T: a horizontal road and a vertical one ending on its middle vertex; one segment repeated.
  std::vector<LineString> lines = {{{0, 0}, {5, 0}, {10, 0}}, {{5, 0}, {5, 6}}, {{10, 0}, {5, 0}}};
  Graph g = FromPolylines(lines);
  CHECK(boost::num_vertices(g) == 4);
  CHECK(boost::num_edges(g) == 3);
  CHECK(TotalLength(g) == Approx(16));
  // Within a tolerance, near-equal vertices are one node.
  Graph near = FromPolylines({{{0, 0}, {4, 0}}, {{4.05, 0.02}, {4, 3}}}, 0.1);
  CHECK(boost::num_vertices(near) == 3);
  Graph apart = FromPolylines({{{0, 0}, {4, 0}}, {{4.05, 0.02}, {4, 3}}}, 0);
  CHECK(boost::num_vertices(apart) == 4);
}

TEST_CASE("Simplification keeps junctions and ends and joins the polylines", "[graph]") {
  Graph g = FromPolylines({{{0, 0}, {1, 0}, {2, 0}, {3, 0}}, {{2, 0}, {2, 1}, {2, 2}}}, 0,
                          [](const LineString& l) { return 10 * EuclideanLength(l); });
  Simplify(g);
  CHECK(boost::num_vertices(g) == 4);  // three ends and the junction at (2, 0)
  CHECK(boost::num_edges(g) == 3);
  CHECK(TotalLength(g) == Approx(50));  // the length function's lengths add up
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    LineString line = LineFrom(g, *it, boost::source(*it, g));
    CHECK(line.front() == g[boost::source(*it, g)].point);
    CHECK(line.back() == g[boost::target(*it, g)].point);
    bool middle_kept =
        line.size() != 3 || line[1] == geo::Point2{1, 0} || line[1] == geo::Point2{2, 1};
    CHECK(middle_kept);
  }
  // A ring keeps one node and one self-loop with the whole circumference.
  Graph ring = FromPolylines({{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}});
  Simplify(ring);
  CHECK(boost::num_vertices(ring) == 1);
  CHECK(boost::num_edges(ring) == 1);
  CHECK(TotalLength(ring) == Approx(4));
  CHECK(ToPolylines(ring)[0].size() == 5);
}

}  // namespace
}  // namespace rb::graph
