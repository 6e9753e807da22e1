// rb-apls internals: the graph steps of both variants (building, simplifying, cleaning, control
// points, snapping, shortest paths). Graphs are graph::Graph; a graph's frame and length unit are
// the caller's (pixels for the leaderboard variant, UTM metres for the CosmiQ variant).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/geo/crs.hpp"
#include "common/geo/geometry.hpp"
#include "common/graph/road_graph.hpp"
#include "stages/apls/apls.hpp"

namespace rb::apls {

// The leaderboard scorer's point identity (P2): same cell of the 0.1 px grid (coordinates x 10
// rounded) and closer than 0.1 px.
bool SameScorerPoint(geo::Point2 a, geo::Point2 b);

// Merges every node that has exactly two edges to two distinct other nodes into one edge (lengths
// added, polylines joined), as osmnx's simplify_graph and the Java scorer do: ends, junctions and
// self-loop nodes stay, and so does every node of a component without any of those (a pure ring).
void SimplifyChains(graph::Graph& g);

// CosmiQ quirk Q1 (create_edge_linestrings): an edge with the same polyline (either direction) as
// an earlier edge between the same nodes removes two edges between those nodes, so a segment
// labelled twice disappears entirely.
void RemoveIdenticalParallelEdges(graph::Graph& g);

// CosmiQ's simplification walks a ring hanging on one node from both sides, giving two
// self-loops with reversed polylines that its Q1 step then deletes both: such rings vanish.
void DropSelfLoops(graph::Graph& g);

// CosmiQ's _clean_sub_graphs: deletes every connected component of at most `max_nodes` nodes
// whose longest shortest path (by edge length) is shorter than `min_length`.
void DropShortComponents(graph::Graph& g, double min_length, int64_t max_nodes);

// CosmiQ graphs, in UTM metres of `frame`:
// - from GeoJSON (lon/lat): vertices equal exactly are one node, one edge per consecutive vertex
//   pair, repeated segments kept as parallel edges; lengths haversine (sphere 6 371 009 m, each
//   segment rounded to 1 mm) then simplified, rings on one node and identical parallels removed,
//   components < 5 m (<= 100 nodes) dropped.
graph::Graph CosmiqGraphFromLonLat(const std::vector<geo::LineString>& lon_lat,
                                   const geo::MetricFrame& frame);
// - from WKT_Pix: pixel vertices equal exactly are one node, a repeated segment skipped,
//   components < 10 px (<= 30 nodes) dropped, pixels placed with `pixel_to_lon_lat` (the image's
//   geotransform, no half-pixel shift) and lengths in UTM metres, simplified, rings on one node
//   and identical parallels removed; as truth also components < 5 m (<= 100 nodes) dropped.
graph::Graph CosmiqGraphFromPixels(const std::vector<geo::LineString>& pixels,
                                   const std::function<geo::Point2(geo::Point2)>& pixel_to_lon_lat,
                                   const geo::MetricFrame& frame, bool as_truth);

// Haversine distance in metres on CosmiQ's sphere (osmnx great_circle_vec, radius 6 371 009 m).
double HaversineMetres(geo::Point2 a_lon_lat, geo::Point2 b_lon_lat);

struct ControlPointRule {
  Variant variant = Variant::kLeaderboard;
  double spacing = 50;        // frame units
  double curvature_eps = -1;  // kCosmiq only
};
// Inserts control points into the edges of `g` (new nodes after the existing ones, edges split).
void AddControlPoints(graph::Graph& g, const ControlPointRule& rule);

// Snaps `points` one after the other into `target`, splitting the edges they land on (pieces get
// their Euclidean lengths). Returns each point's node in `target`, -1 when it did not snap (or,
// for kCosmiq, when a later point renamed the node it had landed on).
std::vector<int64_t> SnapPoints(graph::Graph& target, const std::vector<geo::Point2>& points,
                                Variant variant, double max_distance);

// Single-source shortest path lengths (Boost.Graph Dijkstra on edge lengths); unreachable nodes
// get +infinity. `distances` is resized to the node count.
void ShortestPaths(const graph::Graph& g, graph::Vertex source, std::vector<double>& distances);

// Euclidean length of a polyline, with the same arithmetic as the arc lengths of projections
// onto it (so a point projecting onto a line's end is found at exactly its length): every
// length in rb-apls's graphs but CosmiQ's haversine ones.
double PolylineLength(const geo::LineString& line);

}  // namespace rb::apls
