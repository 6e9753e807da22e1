// Control points: injected along a graph's own edges, and snapped from the other graph.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "common/core/check.hpp"
#include "stages/apls/apls_graph.hpp"

namespace rb::apls {
namespace {

// sqrt rather than std::hypot: glibc's hypot is exact but several times slower, and distances
// here are far from overflow.
double Distance(geo::Point2 a, geo::Point2 b) {
  double dx = a.x - b.x, dy = a.y - b.y;
  return std::sqrt(dx * dx + dy * dy);
}

// Where a point projects onto a polyline: segment `segment` (from vertex segment to segment + 1)
// at parameter t in [0, 1], the projected point and its distance.
struct Projection {
  size_t segment = 0;
  double t = 0;
  geo::Point2 point;
  double distance = std::numeric_limits<double>::infinity();
};

Projection ProjectOnSegment(geo::Point2 p, geo::Point2 a, geo::Point2 b) {
  double dx = b.x - a.x, dy = b.y - a.y;
  double length2 = dx * dx + dy * dy;
  double t = length2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  geo::Point2 q{a.x + t * dx, a.y + t * dy};
  return {0, t, q, Distance(p, q)};
}

// The node at the front of an edge's stored polyline (the other end is at its back).
graph::Vertex FrontNode(const graph::Graph& g, graph::EdgeRef e) {
  graph::Vertex s = boost::source(e, g);
  return g[s].point == g[e].line.front() ? s : boost::target(e, g);
}
graph::Vertex OtherEnd(const graph::Graph& g, graph::EdgeRef e, graph::Vertex v) {
  return boost::source(e, g) == v ? boost::target(e, g) : boost::source(e, g);
}

// Splits edge `e` where `at` lies on its polyline (segment `at.segment`, strictly inside the
// polyline) into two edges through a new node; pieces get their Euclidean lengths. `head` runs
// from the polyline's front node to the new node (told apart from `tail` even on a self-loop).
struct Split {
  graph::Vertex node;
  graph::EdgeRef head;
  graph::EdgeRef tail;
};
Split SplitEdge(graph::Graph& g, graph::EdgeRef e, const Projection& at) {
  const geo::LineString line = g[e].line;
  graph::Vertex front = FrontNode(g, e), back = OtherEnd(g, e, front);
  size_t i = at.segment;
  geo::LineString head(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(i) + 1);
  geo::LineString tail(line.begin() + static_cast<std::ptrdiff_t>(i) + 1, line.end());
  geo::Point2 q = at.point;
  if (at.t <= 0) {
    q = line[i];  // on a vertex: it ends the head and starts the tail
    tail.insert(tail.begin(), q);
  } else if (at.t >= 1) {
    q = line[i + 1];
    head.push_back(q);
  } else {
    head.push_back(q);
    tail.insert(tail.begin(), q);
  }
  boost::remove_edge(e, g);
  graph::Vertex v = boost::add_vertex(graph::NodeData{q}, g);
  double head_length = PolylineLength(head), tail_length = PolylineLength(tail);
  graph::EdgeRef head_edge =
      boost::add_edge(front, v, graph::EdgeData{std::move(head), head_length}, g).first;
  graph::EdgeRef tail_edge =
      boost::add_edge(v, back, graph::EdgeData{std::move(tail), tail_length}, g).first;
  return {v, head_edge, tail_edge};
}

// The position at arc length `at` (strictly inside) along a polyline, as a projection.
Projection AtArcLength(const geo::LineString& line, double at) {
  double walked = 0;
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    double length = Distance(line[i], line[i + 1]);
    if (walked + length >= at || i + 2 == line.size()) {
      double t = length > 0 ? std::clamp((at - walked) / length, 0.0, 1.0) : 0;
      geo::Point2 q{line[i].x + t * (line[i + 1].x - line[i].x),
                    line[i].y + t * (line[i + 1].y - line[i].y)};
      return {i, t, q, 0};
    }
    walked += length;
  }
  RB_CHECK(false);
  return {};
}

// Arc lengths of a rule's control points on an edge of attribute length `length` and polyline
// `line`, measured from the polyline's front.
std::vector<double> ControlDistances(const ControlPointRule& rule, double length,
                                     const geo::LineString& line) {
  const double d = rule.spacing;
  std::vector<double> at;
  if (length < 0.75 * d) return at;
  if (rule.variant == Variant::kLeaderboard) {
    int64_t n = length < d ? 1 : static_cast<int64_t>(std::floor(length / d));
    for (int64_t k = 1; k <= n; ++k) at.push_back(length * static_cast<double>(k) / (n + 1));
    return at;
  }
  if (rule.curvature_eps >= 0) {  // the reference's "curvature": bounding-box diagonal vs length
    double x0 = line[0].x, x1 = x0, y0 = line[0].y, y1 = y0;
    for (const geo::Point2& p : line) {
      x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y),
      y1 = std::max(y1, p.y);
    }
    if (std::abs(std::hypot(x1 - x0, y1 - y0) - length) / length < rule.curvature_eps) return at;
  }
  if (length <= d) return {0.5 * PolylineLength(line)};
  // numpy: linspace(0, L, len(arange(0, L, d)) + 1)[1:-1], i.e. ceil(L/d) - 1 interior points.
  int64_t intervals = static_cast<int64_t>(std::ceil(length / d));
  for (int64_t k = 1; k < intervals; ++k) {
    at.push_back(length * static_cast<double>(k) / static_cast<double>(intervals));
  }
  return at;
}

struct Nearest {
  graph::EdgeRef edge;
  Projection at;
  bool found = false;
};
Nearest NearestEdge(const graph::Graph& g, geo::Point2 p) {
  Nearest best;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    const geo::LineString& line = g[*it].line;
    for (size_t i = 0; i + 1 < line.size(); ++i) {
      Projection q = ProjectOnSegment(p, line[i], line[i + 1]);
      if (!best.found || q.distance < best.at.distance) {
        q.segment = i;
        best = {*it, q, true};
      }
    }
  }
  return best;
}

double ArcLength(const geo::LineString& line, const Projection& at) {
  double walked = 0;
  for (size_t i = 0; i < at.segment; ++i) walked += Distance(line[i], line[i + 1]);
  return walked + at.t * Distance(line[at.segment], line[at.segment + 1]);
}

// The nodes of a graph by the scorer's 0.1 px cell, kept up to date as points are snapped.
class NodeCells {
 public:
  explicit NodeCells(const graph::Graph& g) {
    for (graph::Vertex v = 0; v < boost::num_vertices(g); ++v) Add(g, v);
  }
  void Add(const graph::Graph& g, graph::Vertex v) { cells_[Key(g[v].point)].push_back(v); }
  // The first node the scorer takes for `p`, or -1.
  int64_t Find(const graph::Graph& g, geo::Point2 p) const {
    auto it = cells_.find(Key(p));
    if (it == cells_.end()) return -1;
    for (graph::Vertex v : it->second) {
      if (SameScorerPoint(g[v].point, p)) return static_cast<int64_t>(v);
    }
    return -1;
  }

 private:
  static std::pair<int64_t, int64_t> Key(geo::Point2 p) {
    return {std::llround(p.x * 10), std::llround(p.y * 10)};
  }
  std::map<std::pair<int64_t, int64_t>, std::vector<graph::Vertex>> cells_;
};

// The leaderboard scorer: a point on an existing node (its point identity) is an alias of it;
// otherwise it projects onto the nearest segment, aliasing an end node it lands on.
int64_t SnapLeaderboard(graph::Graph& g, NodeCells& cells, geo::Point2 p, double max_distance) {
  if (int64_t v = cells.Find(g, p); v >= 0) return v;
  Nearest near = NearestEdge(g, p);
  if (!near.found || near.at.distance > max_distance) return -1;
  graph::Vertex front = FrontNode(g, near.edge), back = OtherEnd(g, near.edge, front);
  if (SameScorerPoint(near.at.point, g[front].point)) return static_cast<int64_t>(front);
  if (SameScorerPoint(near.at.point, g[back].point)) return static_cast<int64_t>(back);
  graph::Vertex v = SplitEdge(g, near.edge, near.at).node;
  cells.Add(g, v);
  return static_cast<int64_t>(v);
}

}  // namespace

double PolylineLength(const geo::LineString& line) {
  double length = 0;
  for (size_t i = 0; i + 1 < line.size(); ++i) length += Distance(line[i], line[i + 1]);
  return length;
}

void AddControlPoints(graph::Graph& g, const ControlPointRule& rule) {
  std::vector<graph::EdgeRef> edges;
  for (auto [it, end] = boost::edges(g); it != end; ++it) edges.push_back(*it);
  for (graph::EdgeRef e : edges) {
    std::vector<double> at = ControlDistances(rule, g[e].length, g[e].line);
    // Cut from the back so the arc lengths along the remaining front piece stay valid.
    graph::EdgeRef piece = e;
    for (auto it = at.rbegin(); it != at.rend(); ++it) {
      const geo::LineString& line = g[piece].line;
      if (*it <= 0 || *it >= PolylineLength(line)) continue;
      piece = SplitEdge(g, piece, AtArcLength(line, *it)).head;
    }
  }
}

std::vector<int64_t> SnapPoints(graph::Graph& target, const std::vector<geo::Point2>& points,
                                Variant variant, double max_distance) {
  std::vector<int64_t> match(points.size(), -1);
  if (boost::num_edges(target) == 0) return match;
  if (variant == Variant::kLeaderboard) {
    NodeCells cells(target);
    for (size_t k = 0; k < points.size(); ++k) {
      match[k] = SnapLeaderboard(target, cells, points[k], max_distance);
    }
    return match;
  }
  // CosmiQ: a point projecting onto an end of its nearest edge renames the end node (found
  // within 0.05 m per axis), so a point that had landed there before loses its match (Q3).
  std::vector<int64_t> owner(boost::num_vertices(target), -1);
  for (size_t k = 0; k < points.size(); ++k) {
    Nearest near = NearestEdge(target, points[k]);
    if (near.at.distance > max_distance) continue;
    const geo::LineString& line = target[near.edge].line;
    double along = ArcLength(line, near.at);
    graph::Vertex node;
    if (along <= 0 || along >= PolylineLength(line)) {
      graph::Vertex front = FrontNode(target, near.edge);
      graph::Vertex back = OtherEnd(target, near.edge, front);
      auto close = [&](graph::Vertex v) {
        return std::abs(near.at.point.x - target[v].point.x) <= 0.05 &&
               std::abs(near.at.point.y - target[v].point.y) <= 0.05;
      };
      if (close(front)) {
        node = front;
      } else if (close(back)) {
        node = back;
      } else {
        continue;  // the reference reports an error and inserts nothing
      }
      if (owner[node] >= 0) match[static_cast<size_t>(owner[node])] = -1;
    } else {
      node = SplitEdge(target, near.edge, near.at).node;
      owner.push_back(-1);
    }
    owner[node] = static_cast<int64_t>(k);
    match[k] = static_cast<int64_t>(node);
  }
  return match;
}

}  // namespace rb::apls
