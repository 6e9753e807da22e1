#include "stages/route/route.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>

#include <boost/graph/dijkstra_shortest_paths.hpp>

#include "common/core/check.hpp"
#include "common/geo/crs.hpp"
#include "stages/route/min_heap.hpp"

namespace rb::route {
namespace {

// Neighbour offsets: the four axis steps first, then the diagonals.
constexpr int kDc[8] = {1, -1, 0, 0, 1, 1, -1, -1};
constexpr int kDr[8] = {0, 0, 1, -1, 1, -1, 1, -1};
constexpr double kInfinity = std::numeric_limits<double>::infinity();
// The heuristic is shrunk by this factor so that float rounding can never make it exceed the
// true remaining cost (A* then returns exactly the costs Dijkstra does).
constexpr double kHeuristicShrink = 1.0 - 1e-9;

}  // namespace

Cost ParseCost(const std::string& name) {
  if (name == "length") return Cost::kLength;
  if (name == "neglogp") return Cost::kNegLogP;
  if (name == "length_per_p") return Cost::kLengthPerP;
  Throw(ErrorCode::kInvalidArgument, "cost '{}' is not length, neglogp or length_per_p", name);
}

GridRouter::GridRouter(const geo::ProbabilityMap& map, const GridSpec& spec)
    : map_(map), spec_(spec) {
  RB_CHECK_ARG(spec.neighbours == 4 || spec.neighbours == 8, "neighbours must be 4 or 8, not {}",
               spec.neighbours);
  RB_CHECK_ARG(spec.p_floor > 0 && spec.p_floor <= spec.p_ceiling && spec.p_ceiling <= 1,
               "need 0 < p_floor <= p_ceiling <= 1, got {} and {}", spec.p_floor, spec.p_ceiling);
  RB_CHECK_ARG(map.p.size() < kClosed, "'{}' has {} pixels; routes need fewer than 2^31",
               map.source, map.p.size());
  cells_.resize(map.p.size());
  min_enter_cost_ = kInfinity;
  for (size_t i = 0; i < map.p.size(); ++i) {
    if (map.IsNodata(i) || map.p[i] < spec.min_probability) {
      cells_[i].enter_cost = std::numeric_limits<float>::infinity();
      continue;
    }
    double p = std::clamp(static_cast<double>(map.p[i]), spec.p_floor, spec.p_ceiling);
    cells_[i].enter_cost = static_cast<float>(spec.cost == Cost::kNegLogP      ? -std::log(p)
                                              : spec.cost == Cost::kLengthPerP ? 1.0 / p
                                                                               : 1.0);
    min_enter_cost_ = std::min(min_enter_cost_, static_cast<double>(cells_[i].enter_cost));
    max_enter_cost_ = std::max(max_enter_cost_, static_cast<double>(cells_[i].enter_cost));
  }
  const double diagonal = std::hypot(spec.pixel_width_m, spec.pixel_height_m);
  for (int d = 0; d < 8; ++d) {
    step_length_[d] = spec.cost == Cost::kNegLogP ? 1.0
                      : d < 2                     ? spec.pixel_width_m
                      : d < 4                     ? spec.pixel_height_m
                                                  : diagonal;
  }
}

double GridRouter::Heuristic(size_t from, size_t to) const {
  const int w = map_.width;
  double dc = std::abs(static_cast<int>(from % w) - static_cast<int>(to % w));
  double dr = std::abs(static_cast<int>(from / w) - static_cast<int>(to / w));
  double along;  // the cheapest number of steps (neglogp) or metres (otherwise) to the target
  if (spec_.cost == Cost::kNegLogP) {
    along = spec_.neighbours == 4 ? dc + dr : std::max(dc, dr);
  } else if (spec_.neighbours == 4) {
    along = dc * step_length_[0] + dr * step_length_[2];
  } else {
    double both = std::min(dc, dr);  // octile: diagonals first, then straight
    along = both * step_length_[4] + (dc - both) * step_length_[0] + (dr - both) * step_length_[2];
  }
  // Every step costs at least the cheapest enterable pixel's factor times its length.
  return along * min_enter_cost_ * kHeuristicShrink;
}

void GridRouter::Start(size_t source) {
  for (Cell& cell : cells_) {
    cell.distance = kInfinity;
    cell.parent = kNoParent;
  }
  source_ = source;
  settled_ = 0;
  cells_[source].distance = 0;
}

template <class Push>
bool GridRouter::Settle(size_t u, Push&& push) {
  const int w = map_.width, height = map_.height;
  Cell& from = cells_[u];
  if (from.parent & kClosed) return false;  // a stale entry: u was settled through a cheaper one
  from.parent |= kClosed;
  ++settled_;
  const int r = static_cast<int>(u / w), c = static_cast<int>(u - size_t(r) * w);
  for (int d = 0; d < spec_.neighbours; ++d) {
    const int nc = c + kDc[d], nr = r + kDr[d];
    if (nc < 0 || nr < 0 || nc >= w || nr >= height) continue;
    const size_t v = static_cast<size_t>(nr) * w + nc;
    Cell& to = cells_[v];
    // No test of closed: a settled pixel's distance is already <= candidate (costs are
    // non-negative and the heuristic consistent), and an unenterable pixel costs infinity,
    // which never improves on its distance (infinity).
    const double candidate = from.distance + to.enter_cost * step_length_[d];
    if (candidate < to.distance) {
      to.distance = candidate;
      to.parent = static_cast<uint32_t>(u);
      push(candidate, v);
    }
  }
  return true;
}

template <class Queue, class HeuristicFn>
void GridRouter::Search(size_t source, size_t target, Queue& queue, HeuristicFn&& h) {
  Start(source);
  queue.push(h(source), static_cast<uint32_t>(source));
  auto push = [&](double candidate, size_t v) {
    queue.push(candidate + h(v), static_cast<uint32_t>(v));
  };
  while (!queue.empty()) {
    double priority;
    const size_t u = queue.pop(&priority);
    if (Settle(u, push) && u == target) break;
  }
}

double GridRouter::DearestStep() const {
  return max_enter_cost_ * *std::max_element(step_length_, step_length_ + 8);
}

double GridRouter::BucketWidth() const {
  const double cheapest = min_enter_cost_ * *std::min_element(step_length_, step_length_ + 8);
  if (!(cheapest > 0) || DearestStep() / cheapest > 65536) return 0;
  // Under the cheapest step by far more than rounding, so a relaxed pixel always lands in a
  // later bucket than the one being settled.
  return cheapest * (1 - 1e-6);
}

void GridRouter::SearchBuckets(size_t source, double width) {
  // Dinitz (1978): every pixel whose distance lies in [k width, (k + 1) width) is final once the
  // buckets before k are done, since any other route to it would add at least one step (more
  // than a width) to a distance that is itself at least k width. A bucket is thus settled in
  // any order and never grows while it is settled, which lets the loop prefetch the pixels a few
  // entries ahead: a heap's next pop is unknown until the pop, and waiting on those cache
  // misses is where a heap search of a large grid spends its time. The distances are those of
  // any Dijkstra (each is the least over routes of the rounded sums along them).
  const size_t count = static_cast<size_t>(DearestStep() / width) + 2;  // a cycle of buckets
  std::vector<std::vector<uint32_t>> buckets(count);
  Start(source);
  buckets[0].push_back(static_cast<uint32_t>(source));
  size_t pending = 1;
  auto push = [&](double candidate, size_t v) {
    buckets[static_cast<uint64_t>(candidate / width) % count].push_back(static_cast<uint32_t>(v));
    ++pending;
  };
  constexpr size_t kAhead = 8;
  const size_t w = map_.width;
  for (uint64_t k = 0; pending > 0; ++k) {
    std::vector<uint32_t>& bucket = buckets[k % count];
    for (size_t i = 0; i < bucket.size(); ++i) {
      if (i + kAhead < bucket.size()) {
        const size_t ahead = bucket[i + kAhead];
        __builtin_prefetch(&cells_[ahead], 1);
        if (ahead >= w) __builtin_prefetch(&cells_[ahead - w], 1);
        if (ahead + w < cells_.size()) __builtin_prefetch(&cells_[ahead + w], 1);
      }
      Settle(bucket[i], push);
    }
    pending -= bucket.size();
    bucket.clear();
  }
}

void GridRouter::SolveFrom(geo::PixelPoint source) {
  const size_t s = map_.Index(source.column, source.row);
  if (double width = BucketWidth(); width > 0) {
    SearchBuckets(s, width);
    return;
  }
  RadixHeap queue;
  Search(s, std::numeric_limits<size_t>::max(), queue, [](size_t) { return 0.0; });
}

GridRoute GridRouter::Route(geo::PixelPoint target) const {
  return Trace(source_, map_.Index(target.column, target.row));
}

double GridRouter::Distance(geo::PixelPoint target) const {
  return cells_[map_.Index(target.column, target.row)].distance;
}

GridRoute GridRouter::AStar(geo::PixelPoint source, geo::PixelPoint target) {
  size_t s = map_.Index(source.column, source.row), t = map_.Index(target.column, target.row);
  MinHeap4 queue;
  Search(s, t, queue, [&](size_t v) { return Heuristic(v, t); });
  return Trace(s, t);
}

GridRoute GridRouter::Trace(size_t source, size_t target) const {
  GridRoute route;
  route.settled = settled_;
  if (cells_[target].distance == kInfinity) return route;
  route.found = true;
  route.cost = cells_[target].distance;
  const int w = map_.width;
  for (size_t v = target;; v = cells_[v].parent & ~kClosed) {
    route.pixels.push_back({static_cast<int>(v % w), static_cast<int>(v / w)});
    if (v == source) break;
  }
  std::reverse(route.pixels.begin(), route.pixels.end());
  for (size_t i = 1; i < route.pixels.size(); ++i) {
    const geo::PixelPoint& a = route.pixels[i - 1];
    const geo::PixelPoint& b = route.pixels[i];
    double dx = (b.column - a.column) * spec_.pixel_width_m;
    double dy = (b.row - a.row) * spec_.pixel_height_m;
    route.length_m += std::hypot(dx, dy);
    route.log10_probability += std::log10(map_.p[map_.Index(b.column, b.row)]);
  }
  return route;
}

GraphRoute RouteOnGraph(const graph::Graph& g, geo::Point2 from, geo::Point2 to) {
  GraphRoute route;
  const size_t n = boost::num_vertices(g);
  if (n == 0) return route;
  auto nearest = [&](geo::Point2 p, double& metres) {
    graph::Vertex best = 0;
    metres = kInfinity;
    for (graph::Vertex v = 0; v < n; ++v) {
      double d = geo::GeodesicDistance(p, g[v].point);
      if (d < metres) metres = d, best = v;
    }
    return best;
  };
  graph::Vertex s = nearest(from, route.snap_source_m), t = nearest(to, route.snap_target_m);
  std::vector<double> distance(n);
  std::vector<graph::Vertex> parent(n);
  boost::dijkstra_shortest_paths(g, s,
                                 boost::weight_map(boost::get(&graph::EdgeData::length, g))
                                     .distance_map(distance.data())
                                     .predecessor_map(parent.data()));
  if (distance[t] == std::numeric_limits<double>::max() || (t != s && parent[t] == t)) return route;
  route.found = true;
  route.length_m = distance[t];
  std::vector<graph::Vertex> chain = {t};
  while (chain.back() != s) chain.push_back(parent[chain.back()]);
  std::reverse(chain.begin(), chain.end());
  route.lon_lat.push_back(g[s].point);
  for (size_t i = 1; i < chain.size(); ++i) {
    // The shortest of any parallel edges between the two nodes is the one Dijkstra used.
    std::optional<graph::EdgeRef> best;
    for (auto [it, end] = boost::out_edges(chain[i - 1], g); it != end; ++it) {
      if (boost::target(*it, g) == chain[i] && (!best || g[*it].length < g[*best].length))
        best = *it;
    }
    geo::LineString piece = graph::LineFrom(g, *best, chain[i - 1]);
    route.lon_lat.insert(route.lon_lat.end(), piece.begin() + 1, piece.end());
  }
  return route;
}

}  // namespace rb::route
