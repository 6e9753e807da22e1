// rb-apls core: hand-computed APLS on small graphs, each rule of the SpaceNet 3 leaderboard
// scorer, the CosmiQ variant's quirks, the scorer's submission checks and length overlap.
#include <catch2/catch.hpp>

#include <cmath>

#include "common/core/rng.hpp"
#include "stages/apls/apls.hpp"
#include "stages/apls/apls_graph.hpp"
#include "stages/graph/graph.hpp"

namespace rb::apls {
namespace {

using Lines = std::vector<geo::LineString>;

// Hand computations are easiest with pixels of 1 m: control points every 50 px, snapping 4 px.
Options MetrePixels(Variant variant = Variant::kLeaderboard) {
  Options o;
  o.variant = variant;
  o.metres_per_pixel = 1;
  return o;
}

GraphScore Score(const Lines& truth, const Lines& proposal, const Options& options) {
  return ScoreGraphs(LeaderboardGraph(truth), LeaderboardGraph(proposal), options);
}

double HarmonicMean(double a, double b) { return 2 * a * b / (a + b); }

TEST_CASE("Identical graphs score 1 and empty sides follow the scorer's rules", "[apls]") {
  Lines roads = {{{0, 0}, {120, 0}, {120, 90}}, {{120, 0}, {260, 10}}, {{60, 0}, {60, -70}}};
  roads[0].insert(roads[0].begin() + 1, {60, 0});  // the stub joins at a shared vertex
  for (Variant variant : {Variant::kLeaderboard, Variant::kCosmiq}) {
    GraphScore same = Score(roads, roads, MetrePixels(variant));
    CHECK(same.apls == Approx(1).margin(1e-12));
    CHECK(same.truth_to_proposal.missing == 0);
    CHECK(same.truth_to_proposal.routes > 0);
    CHECK(Score(roads, {}, MetrePixels(variant)).apls == 0);
    CHECK(Score({}, roads, MetrePixels(variant)).apls == 0);
  }
  CHECK(Score({}, {}, MetrePixels()).apls == 1);  // both empty: the leaderboard's 1
  CHECK(Score({}, {}, MetrePixels(Variant::kCosmiq)).apls == 0);
  // A stub ending on a road without a shared vertex is not joined to it. Its end lies on two
  // edges: the leaderboard finds the node itself first, CosmiQ snaps to the first edge at that
  // distance, the road, so even the graph against itself loses the stub's routes.
  roads[0].erase(roads[0].begin() + 1);
  CHECK(Score(roads, roads, MetrePixels()).apls == Approx(1));
  GraphScore quirk = Score(roads, roads, MetrePixels(Variant::kCosmiq));
  CHECK(quirk.truth_to_proposal.missing > 0);
  CHECK(quirk.apls < 0.99);
}

TEST_CASE("A removed edge costs every route through its far end", "[apls]") {
  // Truth: a T of three 30 px roads (no control points besides the 4 nodes). Proposal: the
  // straight road only; its 60 px edge gets one control point at 30 px, where the junction was.
  Lines truth = {{{0, 0}, {30, 0}}, {{30, 0}, {60, 0}}, {{30, 0}, {30, 30}}};
  Lines proposal = {{{0, 0}, {30, 0}, {60, 0}}};
  GraphScore s = Score(truth, proposal, MetrePixels());
  // Truth -> proposal: 12 routes, the 6 touching the stub's end (30 px off the road) missing.
  CHECK(s.truth_to_proposal.routes == 12);
  CHECK(s.truth_to_proposal.missing == 6);
  CHECK(s.truth_to_proposal.snapped == 3);
  CHECK(s.truth_to_proposal.score == Approx(0.5));
  CHECK(s.proposal_to_truth.routes == 6);
  CHECK(s.proposal_to_truth.score == Approx(1));
  CHECK(s.apls == Approx(2.0 / 3.0));
}

TEST_CASE("A node shifted within the snap radius keeps its routes at their length ratio",
          "[apls]") {
  Lines truth = {{{0, 0}, {30, 0}}};
  Lines proposal = {{{0, 0}, {30, 3}}};  // the end 3 px away, inside 4 px
  GraphScore s = Score(truth, proposal, MetrePixels());
  // (30, 0) projects onto the proposal at t = 900/909; (30, 3) projects onto the truth's end.
  double proposal_length = std::hypot(30, 3);
  double snapped_path = 900.0 / 909.0 * proposal_length;
  double c1 = 1 - (30 - snapped_path) / 30;
  double c2 = 1 - (proposal_length - 30) / proposal_length;
  CHECK(s.truth_to_proposal.routes == 2);
  CHECK(s.truth_to_proposal.missing == 0);
  CHECK(s.truth_to_proposal.score == Approx(c1).epsilon(1e-12));
  CHECK(s.proposal_to_truth.score == Approx(c2).epsilon(1e-12));
  CHECK(s.apls == Approx(HarmonicMean(c1, c2)).epsilon(1e-12));
  CHECK(s.apls == Approx(0.99504).margin(1e-5));
}

TEST_CASE("A node shifted beyond the snap radius loses its routes", "[apls]") {
  // (30, 0) lies 4.93 px from the proposal's line, (30, 5) 5 px from the truth's.
  GraphScore s = Score({{{0, 0}, {30, 0}}}, {{{0, 0}, {30, 5}}}, MetrePixels());
  CHECK(s.truth_to_proposal.routes == 2);
  CHECK(s.truth_to_proposal.missing == 2);
  CHECK(s.truth_to_proposal.snapped == 1);
  CHECK(s.apls == 0);
  // A longer road around it: the far node's routes alone are lost.
  Lines truth = {{{0, 0}, {30, 0}, {30, 20}}, {{30, 0}, {60, 0}}};
  Lines proposal = {{{0, 0}, {30, 0}, {30, 26}}, {{30, 0}, {60, 0}}};  // the stub 6 px longer
  GraphScore t = Score(truth, proposal, MetrePixels());
  CHECK(t.truth_to_proposal.routes == 12);
  CHECK(t.truth_to_proposal.missing == 0);  // (30, 20) projects onto the longer stub
  CHECK(t.proposal_to_truth.missing == 6);  // (30, 26) is 6 px past the truth's end
  CHECK(t.proposal_to_truth.score == Approx(0.5));
}

TEST_CASE("Vertices in one 0.1 px cell closer than 0.1 px are one node", "[apls]") {
  CHECK(SameScorerPoint({10.0, 5.0}, {10.04, 5.02}));
  CHECK_FALSE(SameScorerPoint({10.04, 5.0}, {10.06, 5.0}));  // 0.02 px apart, other cells
  CHECK_FALSE(SameScorerPoint({10.0, 5.0}, {10.12, 5.0}));
  Lines truth = {{{0, 0}, {10, 0}, {20, 0}}};
  GraphScore joined = Score(truth, {{{0, 0}, {10, 0}}, {{10.04, 0}, {20, 0}}}, MetrePixels());
  CHECK(joined.apls == Approx(1));
  GraphScore apart = Score(truth, {{{0, 0}, {10, 0}}, {{10.12, 0}, {20, 0}}}, MetrePixels());
  CHECK(apart.truth_to_proposal.missing == 2);
  CHECK(apart.apls == 0);
}

int64_t ControlPoints(double length, const Options& options) {
  graph::Graph g = LeaderboardGraph({{{0, 0}, {length, 0}}});
  return ScoreGraphs(g, g, options).truth_to_proposal.control_points;
}

TEST_CASE("Control points: floor(L/d) on the leaderboard and ceil(L/d) - 1 in CosmiQ", "[apls]") {
  for (Variant variant : {Variant::kLeaderboard, Variant::kCosmiq}) {
    Options o = MetrePixels(variant);
    CHECK(ControlPoints(37, o) == 2);  // under 0.75 d: the two ends only
    CHECK(ControlPoints(38, o) == 3);  // one midpoint
    CHECK(ControlPoints(60, o) == 3);
    CHECK(ControlPoints(120, o) == 4);
  }
  // L = 2d: the leaderboard puts 2 points at L/3, CosmiQ 1 at L/2.
  CHECK(ControlPoints(100, MetrePixels(Variant::kLeaderboard)) == 4);
  CHECK(ControlPoints(100, MetrePixels(Variant::kCosmiq)) == 3);
  graph::Graph g = LeaderboardGraph({{{0, 0}, {100, 0}}});
  AddControlPoints(g, {Variant::kLeaderboard, 50});
  REQUIRE(boost::num_vertices(g) == 4);
  CHECK(g[2].point.x + g[3].point.x == Approx(100));
  CHECK(std::min(g[2].point.x, g[3].point.x) == Approx(100.0 / 3));
}

TEST_CASE("The leaderboard works in pixels of 0.31 m", "[apls]") {
  Options o;  // defaults: 50 m = 161.3 px between control points, 4 m = 12.9 px snap
  CHECK(ControlPoints(120, o) == 2);  // 37.2 m
  CHECK(ControlPoints(121, o) == 3);  // 37.5 m
  Lines truth = {{{0, 0}, {100, 0}}};
  CHECK(Score(truth, {{{0, 12.8}, {100, 12.8}}}, o).apls == Approx(1));
  CHECK(Score(truth, {{{0, 13.0}, {100, 13.0}}}, o).apls == 0);
}

TEST_CASE("Points landing on a node alias it on the leaderboard and rename it in CosmiQ",
          "[apls]") {
  // The proposal forks 1 px past the truth's end: the junction and both fork ends all land on
  // the truth's end node (30, 0).
  Lines truth = {{{0, 0}, {30, 0}}};
  Lines proposal = {{{0, 0}, {30, 0}}, {{30, 0}, {31, 1}}, {{30, 0}, {31, -1}}};
  double fork = 30 + std::sqrt(2.0);
  double e = (fork - 30) / fork;  // a fork end's route from (0, 0)
  // Leaderboard: all three alias the node; routes between them have d2 = 0 and count 1.
  GraphScore board = Score(truth, proposal, MetrePixels());
  CHECK(board.truth_to_proposal.score == Approx(1));
  CHECK(board.proposal_to_truth.snapped == 4);
  CHECK(board.proposal_to_truth.score == Approx(1 - (4 * e + 6) / 12));
  CHECK(board.apls == Approx(HarmonicMean(1, 1 - (4 * e + 6) / 12)));
  // CosmiQ: each lands by renaming the node, so only the last one keeps it (quirk Q3).
  GraphScore cosmiq = Score(truth, proposal, MetrePixels(Variant::kCosmiq));
  CHECK(cosmiq.proposal_to_truth.snapped == 2);
  CHECK(cosmiq.proposal_to_truth.missing == 10);
  CHECK(cosmiq.proposal_to_truth.score == Approx(1 - (10 + 2 * e) / 12));
  CHECK(cosmiq.apls == Approx(HarmonicMean(1, 1 - (10 + 2 * e) / 12)));
}

TEST_CASE("CosmiQ counts no route shorter than its minimum path from a snapped start", "[apls]") {
  // A T with a 0.2 m spur at the junction (longer than the 0.05 m the reference allows a snapped
  // point to miss a node by, so the spur's end does not land on the junction).
  graph::Graph g;
  for (geo::Point2 p : {geo::Point2{0, 0}, {30, 0}, {30, 30}, {30, -0.2}}) {
    boost::add_vertex(graph::NodeData{p}, g);
  }
  boost::add_edge(0, 1, graph::EdgeData{{{0, 0}, {30, 0}}, 30}, g);
  boost::add_edge(1, 2, graph::EdgeData{{{30, 0}, {30, 30}}, 30}, g);
  boost::add_edge(1, 3, graph::EdgeData{{{30, 0}, {30, -0.2}}, 0.2}, g);
  Options options = MetrePixels(Variant::kCosmiq);
  CHECK(ScoreGraphs(g, g, options).truth_to_proposal.routes == 12);  // 0.001 m: all count
  options.min_path_metres = 0.5;  // the spur's two routes to its junction go
  GraphScore fewer = ScoreGraphs(g, g, options);
  CHECK(fewer.truth_to_proposal.routes == 10);
  CHECK(fewer.apls == Approx(1));
}

TEST_CASE("CosmiQ samples seeded control points on large truth graphs", "[apls]") {
  Lines roads = {{{0, 0}, {30, 0}, {30, 30}},
                 {{30, 0}, {60, 0}},
                 {{60, 0}, {60, 30}},
                 {{60, 0}, {90, 0}}};  // 6 nodes
  Options o = MetrePixels(Variant::kCosmiq);
  o.large_graph_nodes = 6;
  o.sampled_control_points = 4;
  GraphScore sampled = Score(roads, roads, o);
  CHECK(sampled.truth_to_proposal.control_points == 4);
  CHECK(sampled.truth_to_proposal.routes == 12);
  CHECK(sampled.apls == Approx(1));
  o.large_graph_nodes = 7;  // under the threshold: every node (no edge is long enough for more)
  CHECK(Score(roads, roads, o).truth_to_proposal.control_points == 6);
}

TEST_CASE("Rings on one node and repeated segments vanish from CosmiQ graphs", "[apls]") {
  // A road ending in a loop (a lollipop): the leaderboard graph keeps the loop as a self-loop.
  Lines lollipop = {{{0, 0}, {40, 0}, {60, 20}, {80, 0}, {60, -20}, {40, 0}}};
  graph::Graph board = LeaderboardGraph(lollipop);
  CHECK(boost::num_edges(board) == 2);
  CHECK(boost::num_vertices(board) == 2);
  DropSelfLoops(board);  // what the reference's double walk and duplicate removal amount to
  CHECK(boost::num_edges(board) == 1);
  // A segment labelled twice (two parallel edges with one polyline) takes both copies away.
  graph::Graph g;
  for (int i = 0; i < 3; ++i) boost::add_vertex(graph::NodeData{{i * 10.0, 0}}, g);
  boost::add_edge(0, 1, graph::EdgeData{{{0, 0}, {10, 0}}, 10}, g);
  boost::add_edge(1, 2, graph::EdgeData{{{10, 0}, {20, 0}}, 10}, g);
  boost::add_edge(2, 1, graph::EdgeData{{{20, 0}, {10, 0}}, 10}, g);
  RemoveIdenticalParallelEdges(g);
  CHECK(boost::num_edges(g) == 1);
  CHECK(boost::num_vertices(g) == 2);
}

TEST_CASE("Small components go and chains merge as CosmiQ cleans graphs", "[apls]") {
  graph::Graph g = LeaderboardGraph({{{0, 0}, {3, 0}, {3, 1}}, {{100, 0}, {140, 0}}});
  DropShortComponents(g, 5, 100);  // the 4 px piece goes, the 40 px one stays
  REQUIRE(boost::num_edges(g) == 1);
  CHECK(g[*boost::edges(g).first].length == Approx(40));
  // Pure rings keep every node (nothing ends there), unlike a ring hanging on a road.
  graph::Graph ring = LeaderboardGraph({{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}});
  CHECK(boost::num_vertices(ring) == 4);
  CHECK(boost::num_edges(ring) == 4);
}

TEST_CASE("The scorer's submission checks", "[apls]") {
  CHECK(SubmissionError({{{0, 0}, {10, 0}}, {{10, 0}, {10, 10}}}) == "");
  CHECK(SubmissionError({{}}) == "");  // LINESTRING EMPTY alone
  CHECK_THAT(SubmissionError({{{0, 0}, {10, 0}}, {}}), Catch::Contains("LINESTRING EMPTY mixed"));
  CHECK_THAT(SubmissionError({{{5, 5}}}), Catch::Contains("one point (5.00 5.00)"));
  CHECK_THAT(SubmissionError({{{0, 0}, {0.005, 0}, {10, 0}}}),
             Catch::Contains("less than 0.01 px apart"));
  CHECK_THAT(SubmissionError({{{0, 0}, {10, 0}}, {{10, 0}, {0, 0}}}),
             Catch::Contains("(10.00 0.00)-(0.00 0.00) appears twice"));
  // On the 0.1 px grid: 0.02 px away from a segment's ends is the same segment.
  CHECK_THAT(SubmissionError({{{0, 0}, {10, 0}}, {{0.02, 0}, {10.01, 0}}}),
             Catch::Contains("appears twice"));
}

TEST_CASE("rb-graph's submission lines pass the scorer's checks", "[apls]") {
  // Random polylines on a fine grid, full of repeats, tiny steps and lone points.
  RandomStream random(11, 0);
  for (int trial = 0; trial < 200; ++trial) {
    Lines lines(1 + random.UniformInt(0, 5));
    for (geo::LineString& line : lines) {
      line.resize(static_cast<size_t>(random.UniformInt(1, 6)));
      for (geo::Point2& p : line) {
        p = {0.005 * static_cast<double>(random.UniformInt(0, 8)),
             0.005 * static_cast<double>(random.UniformInt(0, 8))};
        if (random.Bernoulli(0.5)) p.x += 10 * static_cast<double>(random.UniformInt(0, 2));
      }
    }
    Lines out = graphs::SubmissionLines(lines);
    INFO("trial " << trial);
    CHECK(SubmissionError(out.empty() ? Lines{{}} : out) == "");
  }
}

TEST_CASE("Length precision and recall measure road within the radius", "[apls]") {
  graph::Graph truth = LeaderboardGraph({{{0, 0}, {100, 0}}});
  graph::Graph proposal = LeaderboardGraph({{{50, 3}, {100, 3}}, {{0, 40}, {50, 40}}});
  LengthOverlap o = MeasureLengthOverlap(truth, proposal, 4, 1);
  CHECK(o.truth_length == Approx(100));
  CHECK(o.proposal_length == Approx(100));
  CHECK(o.precision == Approx(0.5));
  // The truth from x = 50 - sqrt(7) on lies within 4 px of (50, 3) or the line after it.
  CHECK(o.recall == Approx((50 + std::sqrt(7.0)) / 100).margin(0.01));
  LengthOverlap none = MeasureLengthOverlap(truth, graph::Graph(), 4, 1);
  CHECK(none.precision == 1);
  CHECK(none.recall == 0);
}

}  // namespace
}  // namespace rb::apls
