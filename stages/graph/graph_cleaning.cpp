// Cleaning a skeleton graph: spurs, small components, gaps, simplification; and the lines a
// SpaceNet scorer accepts.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include <boost/graph/connected_components.hpp>
#include <opencv2/imgproc.hpp>

#include "stages/graph/graph.hpp"

namespace rb::graphs {
namespace {

using graph::EdgeRef;
using graph::Graph;
using graph::Vertex;

constexpr double kPi = 3.14159265358979323846;

size_t Degree(const Graph& g, Vertex v) { return boost::out_degree(v, g); }

// Removes terminal edges (one end of degree 1, the other a junction) shorter than `metres`,
// merging the junctions they leave behind, until none is left.
void PruneSpurs(Graph& g, double metres) {
  bool changed = true;
  while (changed) {
    changed = false;
    std::vector<EdgeRef> spurs;
    for (auto [it, end] = boost::edges(g); it != end; ++it) {
      size_t ds = Degree(g, boost::source(*it, g)), dt = Degree(g, boost::target(*it, g));
      bool terminal = (ds == 1 && dt >= 3) || (dt == 1 && ds >= 3);
      if (terminal && g[*it].length < metres) spurs.push_back(*it);
    }
    // The shortest spur first, then a rescan: removing it may leave its junction with two edges,
    // which merge, so a fork of two short spurs loses only one of them.
    if (spurs.empty()) break;
    auto shortest = std::min_element(spurs.begin(), spurs.end(), [&](EdgeRef a, EdgeRef b) {
      return g[a].length < g[b].length;
    });
    boost::remove_edge(*shortest, g);
    graph::Simplify(g);
    changed = true;
  }
}

void DropSmallComponents(Graph& g, double metres) {
  std::vector<int> component(boost::num_vertices(g));
  int count = boost::connected_components(g, component.data());
  std::vector<double> total(count, 0.0);
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    total[component[boost::source(*it, g)]] += g[*it].length;
  }
  boost::remove_edge_if(
      [&](const EdgeRef& e) { return total[component[boost::source(e, g)]] < metres; }, g);
  graph::RemoveIsolatedNodes(g);
}

struct GapJoin {
  Vertex end;
  geo::Point2 point;
  double distance;
  std::optional<Vertex> node;   // joining an existing node...
  std::optional<EdgeRef> edge;  // ...or a point inside this edge...
  size_t segment = 0;           // ...on this segment of its line
};

// The direction in which the road at end node `u` (degree 1) heads out of the graph.
geo::Point2 OutwardDirection(const Graph& g, Vertex u) {
  EdgeRef e = *boost::out_edges(u, g).first;
  geo::LineString line = graph::LineFrom(g, e, u);  // starts at u
  geo::Point2 tip = line.front(), back = line.back();
  for (const geo::Point2& p : line) {
    back = p;
    if (std::hypot(p.x - tip.x, p.y - tip.y) >= 5) break;  // ~5 px of road give the heading
  }
  double norm = std::hypot(tip.x - back.x, tip.y - back.y);
  return norm > 0 ? geo::Point2{(tip.x - back.x) / norm, (tip.y - back.y) / norm}
                  : geo::Point2{0, 0};
}

std::optional<GapJoin> BestJoin(const Graph& g, double max_pixels, double max_angle) {
  std::optional<GapJoin> best;
  const double min_cos = std::cos(max_angle * kPi / 180);
  auto consider = [&](Vertex u, geo::Point2 dir, geo::Point2 q, GapJoin join) {
    geo::Point2 p = g[u].point;
    double d = std::hypot(q.x - p.x, q.y - p.y);
    if (d <= 1e-9 || d > max_pixels) return;
    double cos = (dir.x * (q.x - p.x) + dir.y * (q.y - p.y)) / d;
    if (cos < min_cos || (best && best->distance <= d)) return;
    join.point = q;
    join.distance = d;
    best = join;
  };
  for (Vertex u = 0; u < boost::num_vertices(g); ++u) {
    if (Degree(g, u) != 1) continue;
    geo::Point2 dir = OutwardDirection(g, u);
    EdgeRef own = *boost::out_edges(u, g).first;
    Vertex other = boost::target(own, g);
    for (Vertex v = 0; v < boost::num_vertices(g); ++v) {
      if (v != u && v != other) consider(u, dir, g[v].point, {u, {}, 0, v, {}, 0});
    }
    for (auto [it, end] = boost::edges(g); it != end; ++it) {
      if (boost::source(*it, g) == u || boost::target(*it, g) == u) continue;
      const geo::LineString& line = g[*it].line;
      for (size_t i = 1; i < line.size(); ++i) {
        geo::Point2 a = line[i - 1], b = line[i], p = g[u].point;
        double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
        if (t <= 0 || t >= 1) continue;  // the ends are nodes or neighbouring segments
        consider(u, dir, {a.x + t * dx, a.y + t * dy}, {u, {}, 0, {}, *it, i});
      }
    }
  }
  return best;
}

void ApplyJoin(Graph& g, const GapJoin& join, const graph::LengthFunction& length) {
  Vertex target;
  if (join.node) {
    target = *join.node;
  } else {
    EdgeRef e = *join.edge;
    Vertex s = boost::source(e, g), t = boost::target(e, g);
    geo::LineString line = graph::LineFrom(g, e, s);
    target = boost::add_vertex(graph::NodeData{join.point}, g);
    geo::LineString first(line.begin(), line.begin() + static_cast<long>(join.segment));
    first.push_back(join.point);
    geo::LineString second = {join.point};
    second.insert(second.end(), line.begin() + static_cast<long>(join.segment), line.end());
    boost::remove_edge(e, g);
    boost::add_edge(s, target, graph::EdgeData{first, length(first)}, g);
    boost::add_edge(target, t, graph::EdgeData{second, length(second)}, g);
  }
  geo::LineString bridge = {g[join.end].point, g[target].point};
  boost::add_edge(join.end, target, graph::EdgeData{bridge, length(bridge)}, g);
}

void SimplifyLines(Graph& g, double tolerance, const graph::LengthFunction& length) {
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    geo::LineString& line = g[*it].line;
    if (line.size() <= 2) continue;
    std::vector<cv::Point2f> points, kept;  // approxPolyDP takes 32-bit points
    for (const geo::Point2& p : line)
      points.emplace_back(static_cast<float>(p.x), static_cast<float>(p.y));
    bool closed = line.front() == line.back();
    if (closed) points.pop_back();  // approxPolyDP wants a ring without its repeated end
    cv::approxPolyDP(points, kept, tolerance, closed);
    geo::LineString simplified;
    for (const cv::Point2f& p : kept) simplified.push_back({p.x, p.y});
    if (closed) simplified.push_back(simplified.front());
    if (simplified.size() < 2) continue;
    simplified.front() = line.front();  // the ends stay exactly on their nodes
    simplified.back() = line.back();
    line = std::move(simplified);
    g[*it].length = length(line);
  }
}

}  // namespace

int CleanGraph(Graph& g, const CleanSpec& spec, const graph::LengthFunction& length,
               double metres_per_pixel) {
  graph::Simplify(g);
  PruneSpurs(g, spec.spur_metres);
  int joins = 0;
  while (auto join = BestJoin(g, spec.gap_metres / metres_per_pixel, spec.gap_angle_degrees)) {
    ApplyJoin(g, *join, length);
    ++joins;
  }
  DropSmallComponents(g, spec.component_metres);
  graph::Simplify(g);
  SimplifyLines(g, spec.simplify_pixels, length);
  return joins;
}

std::vector<geo::LineString> SubmissionLines(const std::vector<geo::LineString>& lines,
                                             int decimals) {
  const double scale = std::pow(10.0, decimals);
  auto rounded = [&](geo::Point2 p) {
    return geo::Point2{std::round(p.x * scale) / scale, std::round(p.y * scale) / scale};
  };
  // The scorer identifies points by their 0.1 px cell and a distance under 0.1 px, and segments
  // by their ends' cells: a vertex it would merge with the previous one is dropped, and a segment
  // repeating an earlier one's cells is removed.
  using Cell = std::pair<int64_t, int64_t>;
  auto cell = [](geo::Point2 p) { return Cell{std::llround(p.x * 10), std::llround(p.y * 10)}; };
  std::set<std::pair<Cell, Cell>> seen;
  std::vector<geo::LineString> out;
  for (const geo::LineString& line : lines) {
    geo::LineString current;
    auto flush = [&] {
      if (current.size() >= 2) out.push_back(current);
      current.clear();
    };
    for (const geo::Point2& raw : line) {
      geo::Point2 p = rounded(raw);
      if (!current.empty()) {
        double d = std::hypot(p.x - current.back().x, p.y - current.back().y);
        Cell a = cell(current.back()), b = cell(p);
        if (d < 0.01 || (a == b && d < 0.1)) continue;
        if (!seen.insert({std::min(a, b), std::max(a, b)}).second) {  // a repeated segment
          flush();
          current.push_back(p);
          continue;
        }
      }
      current.push_back(p);
    }
    flush();
  }
  return out;
}

}  // namespace rb::graphs
