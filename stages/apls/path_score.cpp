// Path comparison: one direction of the metric, and the two combined.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths_no_color_map.hpp>

#include "common/core/rng.hpp"
#include "stages/apls/apls_graph.hpp"

namespace rb::apls {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Repeated single-source searches on one graph (Boost.Graph Dijkstra), on a compressed sparse
// row copy of it holding both directions of every edge: the all-pairs loops below run a search
// per control point, and contiguous arcs keep each one cheap.
class PathSearch {
 public:
  explicit PathSearch(const graph::Graph& g) : distances_(boost::num_vertices(g)) {
    std::vector<std::pair<size_t, size_t>> arcs;
    std::vector<Arc> lengths;
    for (auto [it, end] = boost::edges(g); it != end; ++it) {
      size_t a = boost::source(*it, g), b = boost::target(*it, g);
      arcs.insert(arcs.end(), {{a, b}, {b, a}});
      lengths.insert(lengths.end(), 2, Arc{g[*it].length});
    }
    csr_ = Csr(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(), lengths.begin(),
               boost::num_vertices(g));
  }
  // Path lengths from `source` to every node, +infinity where there is no path; valid until the
  // next call.
  const std::vector<double>& From(size_t source) {
    boost::dijkstra_shortest_paths_no_color_map(
        csr_, source,
        boost::weight_map(boost::get(&Arc::length, csr_))
            .distance_map(boost::make_iterator_property_map(distances_.begin(),
                                                            boost::get(boost::vertex_index, csr_)))
            .distance_inf(kInfinity));
    return distances_;
  }

 private:
  struct Arc {
    double length;
  };
  using Csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, Arc>;
  Csr csr_;
  std::vector<double> distances_;
};

struct Controls {
  std::vector<graph::Vertex> nodes;  // control points of the source graph
  std::vector<geo::Point2> points;
};

Controls AllNodes(const graph::Graph& g) {
  Controls c;
  for (graph::Vertex v = 0; v < boost::num_vertices(g); ++v) {
    c.nodes.push_back(v);
    c.points.push_back(g[v].point);
  }
  return c;
}

// The reference's random.sample(nodes, k) for large graphs, here from a seeded stream (partial
// Fisher-Yates), so a run is reproducible.
Controls SampledNodes(const graph::Graph& g, int64_t count, uint64_t seed, uint64_t stream) {
  std::vector<graph::Vertex> all(boost::num_vertices(g));
  std::iota(all.begin(), all.end(), graph::Vertex{0});
  size_t k = std::min(all.size(), static_cast<size_t>(count));
  RandomStream random(seed, stream);
  for (size_t i = 0; i < k; ++i) {
    auto j = static_cast<size_t>(
        random.UniformInt(static_cast<int64_t>(i), static_cast<int64_t>(all.size() - 1)));
    std::swap(all[i], all[j]);
  }
  Controls c;
  for (size_t i = 0; i < k; ++i) {
    c.nodes.push_back(all[i]);
    c.points.push_back(g[all[i]].point);
  }
  return c;
}

double RouteDiff(Variant variant, double d1, double d2) {
  if (variant == Variant::kLeaderboard) {
    if (d1 == 0 && d2 == 0) return 0;
    if (d1 == 0 || d2 == 0) return 1;
  } else if (d1 <= 0) {
    return 0;
  }
  return std::min(1.0, std::abs(d1 - d2) / d1);
}

// One direction: `source` holds `controls`, `target` the snapped copies (`match`, -1 = none).
DirectionScore ScoreDirection(const graph::Graph& source, const Controls& controls,
                              const graph::Graph& target, const std::vector<int64_t>& match,
                              const Options& options, double min_path) {
  DirectionScore score;
  score.control_points = static_cast<int64_t>(controls.nodes.size());
  double total_diff = 0;
  PathSearch source_paths(source), target_paths(target);
  const std::vector<double>* d_target = nullptr;
  for (size_t si = 0; si < controls.nodes.size(); ++si) {
    const std::vector<double>& d_source = source_paths.From(controls.nodes[si]);
    const bool snapped = match[si] >= 0;
    score.snapped += snapped;
    if (snapped) d_target = &target_paths.From(static_cast<size_t>(match[si]));
    for (size_t ti = 0; ti < controls.nodes.size(); ++ti) {
      double d1 = d_source[controls.nodes[ti]];
      if (ti == si || d1 == kInfinity) continue;
      // CosmiQ applies its minimum path length only when the start snapped (its quirk Q5).
      if (snapped && d1 < min_path) continue;
      ++score.routes;
      double d2 =
          snapped && match[ti] >= 0 ? (*d_target)[static_cast<size_t>(match[ti])] : kInfinity;
      if (d2 == kInfinity) {
        ++score.missing;
        total_diff += 1;
      } else {
        total_diff += RouteDiff(options.variant, d1, d2);
      }
    }
  }
  score.score = score.routes > 0 ? 1 - total_diff / static_cast<double>(score.routes) : 0;
  return score;
}

GraphScore Combine(DirectionScore t2p, DirectionScore p2t, Variant variant) {
  GraphScore out{0, t2p, p2t};
  double a = t2p.score, b = p2t.score;
  if (variant == Variant::kLeaderboard) {
    out.apls = a + b > 0 ? 2 * a * b / (a + b) : 0;
  } else {
    out.apls = a <= 0 || b <= 0 ? 0 : 2 * a * b / (a + b);  // scipy.stats.hmean
  }
  return out;
}

GraphScore ScoreLeaderboard(const graph::Graph& truth, const graph::Graph& proposal,
                            const Options& options) {
  const bool truth_empty = boost::num_edges(truth) == 0;
  const bool proposal_empty = boost::num_edges(proposal) == 0;
  if (truth_empty && proposal_empty) {
    DirectionScore perfect{1, 0, 0, 0, 0};
    return {1, perfect, perfect};
  }
  if (truth_empty || proposal_empty) return {};
  ControlPointRule rule{Variant::kLeaderboard, options.spacing_metres / options.metres_per_pixel};
  const double snap = options.snap_metres / options.metres_per_pixel;
  graph::Graph truth_cp = truth, proposal_cp = proposal;
  AddControlPoints(truth_cp, rule);
  AddControlPoints(proposal_cp, rule);
  Controls truth_controls = AllNodes(truth_cp), proposal_controls = AllNodes(proposal_cp);
  // Each graph's points go into a copy of the other graph with its own control points.
  graph::Graph proposal_prime = proposal_cp, truth_prime = truth_cp;
  auto truth_match = SnapPoints(proposal_prime, truth_controls.points, Variant::kLeaderboard, snap);
  auto proposal_match =
      SnapPoints(truth_prime, proposal_controls.points, Variant::kLeaderboard, snap);
  return Combine(
      ScoreDirection(truth_cp, truth_controls, proposal_prime, truth_match, options, 0),
      ScoreDirection(proposal_cp, proposal_controls, truth_prime, proposal_match, options, 0),
      Variant::kLeaderboard);
}

GraphScore ScoreCosmiq(const graph::Graph& truth, const graph::Graph& proposal,
                       const Options& options) {
  if (boost::num_edges(truth) == 0 || boost::num_edges(proposal) == 0) return {};
  // make_graphs_yuge: from `large_graph_nodes` truth nodes on, no control points are added and
  // a sample of each graph's nodes stands for them.
  const bool large = static_cast<int64_t>(boost::num_vertices(truth)) >= options.large_graph_nodes;
  graph::Graph truth_cp = truth, proposal_cp = proposal;
  Controls truth_controls, proposal_controls;
  if (large) {
    truth_controls = SampledNodes(truth_cp, options.sampled_control_points, options.seed, 0);
    proposal_controls = SampledNodes(proposal_cp, options.sampled_control_points, options.seed, 1);
  } else {
    ControlPointRule rule{Variant::kCosmiq, options.spacing_metres, options.curvature_eps};
    AddControlPoints(truth_cp, rule);
    AddControlPoints(proposal_cp, rule);
    truth_controls = AllNodes(truth_cp);
    proposal_controls = AllNodes(proposal_cp);
  }
  // Each graph's points go into a copy of the other graph WITHOUT its control points.
  graph::Graph proposal_prime = proposal, truth_prime = truth;
  const double snap = options.snap_metres;
  auto truth_match = SnapPoints(proposal_prime, truth_controls.points, Variant::kCosmiq, snap);
  auto proposal_match = SnapPoints(truth_prime, proposal_controls.points, Variant::kCosmiq, snap);
  const double min_path = options.min_path_metres;
  return Combine(
      ScoreDirection(truth_cp, truth_controls, proposal_prime, truth_match, options, min_path),
      ScoreDirection(proposal_cp, proposal_controls, truth_prime, proposal_match, options,
                     min_path),
      Variant::kCosmiq);
}

}  // namespace

void ShortestPaths(const graph::Graph& g, graph::Vertex source, std::vector<double>& distances) {
  distances.assign(boost::num_vertices(g), kInfinity);
  boost::dijkstra_shortest_paths_no_color_map(
      g, source,
      boost::weight_map(boost::get(&graph::EdgeData::length, g))
          .distance_map(boost::make_iterator_property_map(distances.begin(),
                                                          boost::get(boost::vertex_index, g)))
          .distance_inf(kInfinity));
}

GraphScore ScoreGraphs(const graph::Graph& truth, const graph::Graph& proposal,
                       const Options& options) {
  return options.variant == Variant::kLeaderboard ? ScoreLeaderboard(truth, proposal, options)
                                                  : ScoreCosmiq(truth, proposal, options);
}

}  // namespace rb::apls
