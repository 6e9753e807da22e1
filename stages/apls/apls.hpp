// rb-apls: the Average Path Length Similarity (APLS) of road graphs, as SpaceNet 3 scored it.
//
// Two variants (shared notes apls.md and spacenet-format.md give the sources):
//  * kLeaderboard (default), the SpaceNet 3 leaderboard scorer (TopCoder's Java "Road Detector
//    Visualizer and Offline Tester"): graphs in PIXEL space, one pixel taken as 0.31 m on both
//    axes; vertices within 0.1 px one node; control points every 50 m (floor(L/d) points at
//    L/(n+1) spacing, one midpoint for 0.75d <= L < d); foreign control points snapped within 4 m
//    onto a copy of the other graph WITH its control points, a point on an existing node becoming
//    an alias of it; both graphs empty 1, one empty 0.
//  * kCosmiq, CosmiQ's Python `apls` (github CosmiQ/apls) with its quirks: UTM metres, exact
//    vertex equality, haversine lengths for GeoJSON edges that are not split, ceil(L/d) - 1
//    control points, snapping into the other graph WITHOUT its control points, renaming of a node
//    a point lands on (an earlier point aliased there loses its match), identical parallel edges
//    of GeoJSON graphs both deleted, small components dropped, a 0.001 m minimum path length,
//    random control points (seeded here) when the truth has 500 nodes or more.
//
// APLS of one direction A -> B: for every ordered pair (s, t) of A's control points joined in A,
// diff = min(1, |L_A - L_B| / L_A) with L_B the path between their snapped copies in B, and
// diff = 1 when either did not snap or B has no path; C = 1 - mean(diff). The image score is the
// harmonic mean of truth -> proposal and proposal -> truth.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/cli/stage.hpp"
#include "common/geo/geometry.hpp"
#include "common/graph/road_graph.hpp"

namespace rb::apls {

enum class Variant { kLeaderboard, kCosmiq };

struct Options {
  Variant variant = Variant::kLeaderboard;
  double snap_metres = 4;                 // largest distance a control point is moved to snap
  double spacing_metres = 50;             // control point spacing along edges
  double metres_per_pixel = 0.31;         // kLeaderboard: the scorer's pixel size
  double min_path_metres = 0.001;         // kCosmiq: shorter source paths are not counted
  double curvature_eps = -1;              // kCosmiq: is_curved_eps (< 0: points on every edge)
  int64_t large_graph_nodes = 500;        // kCosmiq: truth nodes from which points are sampled
  int64_t sampled_control_points = 1000;  // kCosmiq: points sampled on such graphs
  uint64_t seed = 0;                      // kCosmiq: the sample (the reference does not seed it)
};

// One direction of the metric.
struct DirectionScore {
  double score = 0;            // C in [0, 1]
  int64_t routes = 0;          // ordered control point pairs counted
  int64_t missing = 0;         // of those, with an unsnapped end or no path in the other graph
  int64_t control_points = 0;  // control points of the source graph
  int64_t snapped = 0;         // of those, snapped into the other graph
};

struct GraphScore {
  double apls = 0;
  DirectionScore truth_to_proposal;
  DirectionScore proposal_to_truth;
};

// Scores two graphs built by the builders below for `options.variant` (a frame and length
// convention each variant fixes: pixels for kLeaderboard, UTM metres for kCosmiq).
GraphScore ScoreGraphs(const graph::Graph& truth, const graph::Graph& proposal,
                       const Options& options);

// kLeaderboard graphs from pixel polylines: vertices equal under the scorer's rule (same 0.1 px
// cell and closer than 0.1 px) are one node, one edge per consecutive vertex pair (repeated
// segments and segments whose ends merged dropped), nodes of exactly two edges merged away except
// on pure rings. Lengths are pixels.
graph::Graph LeaderboardGraph(const std::vector<geo::LineString>& pixel_lines);

// The scorer's rules for a submitted image (RoadSet.getError): "" when accepted, else what it
// rejects. `lines` are the image's rows, an empty line standing for LINESTRING EMPTY.
std::string SubmissionError(const std::vector<geo::LineString>& lines);

// Fraction of each graph's road length lying within `radius` (> 0) of the other graph (frame
// units), judged on pieces of at most `step` (> 0; rb-apls uses radius / 4): precision = proposal
// length near the truth / proposal length, recall = truth length near the proposal / truth length
// (1 when that length is 0).
struct LengthOverlap {
  double truth_length = 0;
  double proposal_length = 0;
  double precision = 1;
  double recall = 1;
};
LengthOverlap MeasureLengthOverlap(const graph::Graph& truth, const graph::Graph& proposal,
                                   double radius, double step);

cli::StageDescriptor AplsStage();

}  // namespace rb::apls
