// The road graph every graph stage shares (rb-graph builds it, rb-apls scores it, rb-route
// walks it): a Boost.Graph undirected adjacency list whose nodes are points and whose edges are
// polylines with a length.
//
// Coordinates are in one frame per graph, stated by the builder: pixel (column, row), metres
// (a local UTM frame) or lon/lat degrees. Edge lengths are metres when the builder gives a
// length function (e.g. ground distance from a georeference), else lengths in the frame's units.
// An edge's polyline joins its two nodes and its end points equal the nodes' points exactly; its
// direction is arbitrary (an undirected descriptor's source depends on where it was reached
// from), so LineFrom orients it.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "common/geo/geometry.hpp"

namespace rb::graph {

struct NodeData {
  geo::Point2 point;
};

struct EdgeData {
  geo::LineString line;  // between the two nodes, at least 2 points
  double length = 0;
};

using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, NodeData, EdgeData>;
using Vertex = Graph::vertex_descriptor;
using EdgeRef = Graph::edge_descriptor;

// Length of a polyline; the default is the Euclidean length in the frame.
using LengthFunction = std::function<double(const geo::LineString&)>;
double EuclideanLength(const geo::LineString& line);

// A graph of polylines: every vertex a node, vertices closer than `merge_tolerance` (in frame
// units; 0 = exactly equal) merged into one node; one edge per consecutive vertex pair; a segment
// joining the same two nodes as an earlier one is dropped (SpaceNet labels repeat segments);
// zero-length segments are dropped.
Graph FromPolylines(const std::vector<geo::LineString>& lines, double merge_tolerance = 0,
                    const LengthFunction& length = EuclideanLength);

// Removes every node with exactly two incident edges (not a self-loop), joining the edges'
// polylines and adding their lengths, so nodes remain only at ends and junctions (a ring keeps
// one node). Node indices are renumbered.
void Simplify(Graph& graph);

// One polyline per edge, in edge order.
std::vector<geo::LineString> ToPolylines(const Graph& graph);

// The edge's polyline oriented to start at node `from` (one of its ends): reversed unless it
// already starts at that node's point.
geo::LineString LineFrom(const Graph& graph, EdgeRef edge, Vertex from);

// Total length of all edges.
double TotalLength(const Graph& graph);

// Removes nodes without edges (renumbering the rest).
void RemoveIsolatedNodes(Graph& graph);

}  // namespace rb::graph
