// Graph building, simplification and cleaning for both variants.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "common/core/check.hpp"
#include "stages/apls/apls_graph.hpp"

namespace rb::apls {
namespace {

int64_t ScorerCell(double v) { return std::llround(v * 10); }

uint64_t CellKey(geo::Point2 p) {
  return static_cast<uint64_t>(ScorerCell(p.x)) * 0x9E3779B97F4A7C15ull ^
         static_cast<uint64_t>(ScorerCell(p.y));
}

// Nodes found by the leaderboard scorer's point identity (a hash map keyed on the 0.1 px cell).
class ScorerNodes {
 public:
  explicit ScorerNodes(graph::Graph& g) : g_(g) {}
  graph::Vertex At(geo::Point2 p) {
    std::vector<graph::Vertex>& bucket = cells_[CellKey(p)];
    for (graph::Vertex v : bucket) {
      if (SameScorerPoint(g_[v].point, p)) return v;
    }
    graph::Vertex v = boost::add_vertex(graph::NodeData{p}, g_);
    bucket.push_back(v);
    return v;
  }

 private:
  graph::Graph& g_;
  std::unordered_map<uint64_t, std::vector<graph::Vertex>> cells_;
};

// Nodes at exactly equal coordinates (CosmiQ's rule for both GeoJSON and WKT).
class ExactNodes {
 public:
  explicit ExactNodes(graph::Graph& g) : g_(g) {}
  graph::Vertex At(geo::Point2 p) {
    auto [it, added] = nodes_.try_emplace({p.x, p.y}, 0);
    if (added) it->second = boost::add_vertex(graph::NodeData{p}, g_);
    return it->second;
  }

 private:
  graph::Graph& g_;
  std::map<std::pair<double, double>, graph::Vertex> nodes_;
};

bool IsChainNode(const graph::Graph& g, graph::Vertex v) {
  if (boost::out_degree(v, g) != 2) return false;
  auto [begin, end] = boost::out_edges(v, g);
  graph::Vertex a = boost::target(*begin, g), b = boost::target(*std::next(begin), g);
  return a != v && b != v && a != b;
}

// Follows a chain from `start` (not a chain node) along `first` until the next non-chain node,
// marking the edges used; returns the merged edge's far node, polyline and length.
struct Walk {
  graph::Vertex end;
  geo::LineString line;
  double length = 0;
};
Walk WalkChain(const graph::Graph& g, graph::Vertex start, graph::EdgeRef first,
               std::set<const void*>& used) {
  Walk walk{start, {g[start].point}, 0};
  graph::Vertex at = start;
  graph::EdgeRef edge = first;
  while (true) {
    used.insert(edge.get_property());
    geo::LineString piece = graph::LineFrom(g, edge, at);
    walk.line.insert(walk.line.end(), piece.begin() + 1, piece.end());
    walk.length += g[edge].length;
    at = boost::target(edge, g) == at ? boost::source(edge, g) : boost::target(edge, g);
    if (!IsChainNode(g, at)) break;
    for (auto [it, end] = boost::out_edges(at, g); it != end; ++it) {
      if (!used.count(it->get_property())) edge = *it;
    }
    if (used.count(edge.get_property())) break;  // defensive: a chain closing on itself
  }
  walk.end = at;
  return walk;
}

}  // namespace

bool SameScorerPoint(geo::Point2 a, geo::Point2 b) {
  if (ScorerCell(a.x) != ScorerCell(b.x) || ScorerCell(a.y) != ScorerCell(b.y)) return false;
  double dx = a.x - b.x, dy = a.y - b.y;
  return dx * dx + dy * dy < 1e-2;
}

void SimplifyChains(graph::Graph& g) {
  graph::Graph out;
  std::vector<graph::Vertex> index(boost::num_vertices(g), graph::Graph::null_vertex());
  auto keep = [&](graph::Vertex v) {
    if (index[v] == graph::Graph::null_vertex()) index[v] = boost::add_vertex(g[v], out);
    return index[v];
  };
  std::set<const void*> used;
  for (graph::Vertex v = 0; v < boost::num_vertices(g); ++v) {
    if (IsChainNode(g, v)) continue;
    keep(v);
    for (auto [it, end] = boost::out_edges(v, g); it != end; ++it) {
      if (used.count(it->get_property())) continue;
      Walk walk = WalkChain(g, v, *it, used);
      boost::add_edge(keep(v), keep(walk.end), graph::EdgeData{walk.line, walk.length}, out);
    }
  }
  // Edges never reached belong to pure rings: kept as they are, every node with them.
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    if (used.count(it->get_property())) continue;
    boost::add_edge(keep(boost::source(*it, g)), keep(boost::target(*it, g)), g[*it], out);
  }
  g = std::move(out);
}

void RemoveIdenticalParallelEdges(graph::Graph& g) {
  // Edges grouped by node pair in edge order; within a pair, each edge whose polyline repeats the
  // first one's (forward or reversed) condemns two edges of the pair, the last ones (the reference
  // matches it against the first edge's stored geometry and its stored reverse, one removal each,
  // and networkx removes the most recent parallel edge).
  std::map<std::pair<graph::Vertex, graph::Vertex>, std::vector<graph::EdgeRef>> pairs;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    graph::Vertex a = boost::source(*it, g), b = boost::target(*it, g);
    pairs[{std::min(a, b), std::max(a, b)}].push_back(*it);
  }
  for (auto& [pair, edges] : pairs) {
    if (edges.size() < 2) continue;
    size_t removals = 0;
    const geo::LineString& first = g[edges[0]].line;
    for (size_t i = 1; i < edges.size(); ++i) {
      const geo::LineString& line = g[edges[i]].line;
      if (first == line || std::equal(first.begin(), first.end(), line.rbegin(), line.rend())) {
        removals += 2;
      }
    }
    removals = std::min(removals, edges.size());
    for (size_t k = 0; k < removals; ++k) boost::remove_edge(edges[edges.size() - 1 - k], g);
  }
  graph::RemoveIsolatedNodes(g);
}

void DropSelfLoops(graph::Graph& g) {
  for (graph::Vertex v = 0; v < boost::num_vertices(g); ++v) boost::remove_edge(v, v, g);
  graph::RemoveIsolatedNodes(g);
}

void DropShortComponents(graph::Graph& g, double min_length, int64_t max_nodes) {
  size_t n = boost::num_vertices(g);
  std::vector<int> component(n, -1);
  std::vector<std::vector<graph::Vertex>> members;
  for (graph::Vertex s = 0; s < n; ++s) {
    if (component[s] >= 0) continue;
    members.emplace_back();
    std::vector<graph::Vertex> stack = {s};
    component[s] = static_cast<int>(members.size() - 1);
    while (!stack.empty()) {
      graph::Vertex v = stack.back();
      stack.pop_back();
      members.back().push_back(v);
      for (auto [it, end] = boost::adjacent_vertices(v, g); it != end; ++it) {
        if (component[*it] < 0) {
          component[*it] = component[s];
          stack.push_back(*it);
        }
      }
    }
  }
  std::vector<bool> drop(n, false);
  std::vector<double> distances;
  for (const std::vector<graph::Vertex>& nodes : members) {
    if (static_cast<int64_t>(nodes.size()) > max_nodes) continue;
    double longest = 0;
    for (graph::Vertex v : nodes) {
      ShortestPaths(g, v, distances);
      for (graph::Vertex w : nodes) longest = std::max(longest, distances[w]);
    }
    if (longest < min_length) {
      for (graph::Vertex v : nodes) drop[v] = true;
    }
  }
  for (graph::Vertex v = 0; v < n; ++v) {
    if (drop[v]) boost::clear_vertex(v, g);
  }
  graph::RemoveIsolatedNodes(g);
}

graph::Graph LeaderboardGraph(const std::vector<geo::LineString>& pixel_lines) {
  graph::Graph g;
  ScorerNodes nodes(g);
  std::set<std::pair<graph::Vertex, graph::Vertex>> segments;
  for (const geo::LineString& line : pixel_lines) {
    for (size_t i = 1; i < line.size(); ++i) {
      graph::Vertex a = nodes.At(line[i - 1]), b = nodes.At(line[i]);
      if (a == b || !segments.insert({std::min(a, b), std::max(a, b)}).second) continue;
      geo::LineString segment = {g[a].point, g[b].point};
      boost::add_edge(a, b, graph::EdgeData{segment, PolylineLength(segment)}, g);
    }
  }
  graph::RemoveIsolatedNodes(g);
  SimplifyChains(g);
  return g;
}

double HaversineMetres(geo::Point2 a, geo::Point2 b) {
  constexpr double kRadius = 6371009.0;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  double dlat = (b.y - a.y) * kRad, dlon = (b.x - a.x) * kRad;
  double h = std::pow(std::sin(dlat / 2), 2) +
             std::cos(a.y * kRad) * std::cos(b.y * kRad) * std::pow(std::sin(dlon / 2), 2);
  h = std::min(1.0, h);  // osmnx clips rounding overshoot the same way
  return kRadius * 2 * std::asin(std::sqrt(h));
}

graph::Graph CosmiqGraphFromLonLat(const std::vector<geo::LineString>& lon_lat,
                                   const geo::MetricFrame& frame) {
  graph::Graph g;
  ExactNodes nodes(g);
  for (const geo::LineString& line : lon_lat) {
    for (size_t i = 1; i < line.size(); ++i) {
      graph::Vertex a = nodes.At(line[i - 1]), b = nodes.At(line[i]);
      if (a == b) continue;  // a repeated vertex: no segment
      double length = std::round(HaversineMetres(line[i - 1], line[i]) * 1000) / 1000;
      boost::add_edge(a, b, graph::EdgeData{{line[i - 1], line[i]}, length}, g);
    }
  }
  for (graph::Vertex v = 0; v < boost::num_vertices(g); ++v) {
    g[v].point = frame.ToMetres(g[v].point);
  }
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    for (geo::Point2& p : g[*it].line) p = frame.ToMetres(p);
  }
  SimplifyChains(g);
  DropSelfLoops(g);
  RemoveIdenticalParallelEdges(g);
  DropShortComponents(g, 5, 100);
  return g;
}

graph::Graph CosmiqGraphFromPixels(const std::vector<geo::LineString>& pixels,
                                   const std::function<geo::Point2(geo::Point2)>& pixel_to_lon_lat,
                                   const geo::MetricFrame& frame, bool as_truth) {
  graph::Graph g;
  ExactNodes nodes(g);
  std::set<std::pair<graph::Vertex, graph::Vertex>> segments;
  for (const geo::LineString& line : pixels) {
    for (size_t i = 1; i < line.size(); ++i) {
      graph::Vertex a = nodes.At(line[i - 1]), b = nodes.At(line[i]);
      if (a == b || !segments.insert({std::min(a, b), std::max(a, b)}).second) continue;
      geo::LineString segment = {line[i - 1], line[i]};
      boost::add_edge(a, b, graph::EdgeData{segment, PolylineLength(segment)}, g);
    }
  }
  DropShortComponents(g, 10, 30);  // on pixel lengths, before the graph is simplified
  for (graph::Vertex v = 0; v < boost::num_vertices(g); ++v) {
    g[v].point = frame.ToMetres(pixel_to_lon_lat(g[v].point));
  }
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    graph::EdgeData& edge = g[*it];
    for (geo::Point2& p : edge.line) p = frame.ToMetres(pixel_to_lon_lat(p));
    edge.length = PolylineLength(edge.line);
  }
  SimplifyChains(g);
  DropSelfLoops(g);
  RemoveIdenticalParallelEdges(g);  // make_graphs runs create_edge_linestrings on both graphs
  if (as_truth) DropShortComponents(g, 5, 100);
  return g;
}

}  // namespace rb::apls
