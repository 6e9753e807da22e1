#include "common/graph/road_graph.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "common/core/check.hpp"

namespace rb::graph {
namespace {

// Finds or creates the node at a point, merging points within a tolerance through a grid of
// cells of that size (a point's match lies in its cell or one of the eight around it).
class NodeIndex {
 public:
  NodeIndex(Graph& graph, double tolerance) : graph_(graph), tolerance_(tolerance) {}

  Vertex At(geo::Point2 p) {
    if (tolerance_ <= 0) {
      auto [it, added] = exact_.try_emplace({p.x, p.y}, 0);
      if (added) it->second = boost::add_vertex(NodeData{p}, graph_);
      return it->second;
    }
    int64_t cx = Cell(p.x), cy = Cell(p.y);
    for (int64_t dx = -1; dx <= 1; ++dx) {
      for (int64_t dy = -1; dy <= 1; ++dy) {
        auto it = cells_.find(Key(cx + dx, cy + dy));
        if (it == cells_.end()) continue;
        for (Vertex v : it->second) {
          const geo::Point2& q = graph_[v].point;
          if (std::hypot(q.x - p.x, q.y - p.y) <= tolerance_) return v;
        }
      }
    }
    Vertex v = boost::add_vertex(NodeData{p}, graph_);
    cells_[Key(cx, cy)].push_back(v);
    return v;
  }

 private:
  int64_t Cell(double value) const { return static_cast<int64_t>(std::floor(value / tolerance_)); }
  static uint64_t Key(int64_t x, int64_t y) {
    return (static_cast<uint64_t>(x) * 0x9E3779B97F4A7C15ull) ^ static_cast<uint64_t>(y);
  }
  Graph& graph_;
  double tolerance_;
  std::map<std::pair<double, double>, Vertex> exact_;
  std::unordered_map<uint64_t, std::vector<Vertex>> cells_;
};

}  // namespace

double EuclideanLength(const geo::LineString& line) {
  double length = 0;
  for (size_t i = 1; i < line.size(); ++i) {
    length += std::hypot(line[i].x - line[i - 1].x, line[i].y - line[i - 1].y);
  }
  return length;
}

Graph FromPolylines(const std::vector<geo::LineString>& lines, double merge_tolerance,
                    const LengthFunction& length) {
  Graph graph;
  NodeIndex nodes(graph, merge_tolerance);
  std::set<std::pair<Vertex, Vertex>> segments;
  for (const geo::LineString& line : lines) {
    for (size_t i = 1; i < line.size(); ++i) {
      Vertex a = nodes.At(line[i - 1]), b = nodes.At(line[i]);
      if (a == b) continue;
      if (!segments.insert({std::min(a, b), std::max(a, b)}).second) continue;
      geo::LineString segment = {graph[a].point, graph[b].point};
      boost::add_edge(a, b, EdgeData{segment, length(segment)}, graph);
    }
  }
  return graph;
}

geo::LineString LineFrom(const Graph& graph, EdgeRef edge, Vertex from) {
  RB_CHECK(from == boost::source(edge, graph) || from == boost::target(edge, graph));
  geo::LineString line = graph[edge].line;
  if (!(line.front() == graph[from].point)) std::reverse(line.begin(), line.end());
  return line;
}

void Simplify(Graph& graph) {
  for (Vertex v = 0; v < boost::num_vertices(graph); ++v) {
    if (boost::out_degree(v, graph) != 2) continue;
    auto [begin, end] = boost::out_edges(v, graph);
    EdgeRef first = *begin, second = *std::next(begin);
    Vertex a = boost::target(first, graph), b = boost::target(second, graph);
    if (a == v || b == v) continue;  // a self-loop: the last node of a ring stays
    geo::LineString joined = LineFrom(graph, first, a);
    geo::LineString tail = LineFrom(graph, second, v);
    joined.insert(joined.end(), tail.begin() + 1, tail.end());
    double length = graph[first].length + graph[second].length;
    boost::remove_edge(first, graph);
    boost::remove_edge(second, graph);
    boost::add_edge(a, b, EdgeData{joined, length}, graph);
  }
  RemoveIsolatedNodes(graph);
}

void RemoveIsolatedNodes(Graph& graph) {
  Graph compact;
  std::vector<Vertex> index(boost::num_vertices(graph));
  for (Vertex v = 0; v < boost::num_vertices(graph); ++v) {
    if (boost::out_degree(v, graph) > 0) index[v] = boost::add_vertex(graph[v], compact);
  }
  for (auto [it, end] = boost::edges(graph); it != end; ++it) {
    Vertex s = boost::source(*it, graph), t = boost::target(*it, graph);
    boost::add_edge(index[s], index[t], graph[*it], compact);
  }
  graph = std::move(compact);
}

std::vector<geo::LineString> ToPolylines(const Graph& graph) {
  std::vector<geo::LineString> lines;
  for (auto [it, end] = boost::edges(graph); it != end; ++it) lines.push_back(graph[*it].line);
  return lines;
}

double TotalLength(const Graph& graph) {
  double total = 0;
  for (auto [it, end] = boost::edges(graph); it != end; ++it) total += graph[*it].length;
  return total;
}

}  // namespace rb::graph
