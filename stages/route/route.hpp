// rb-route: the most probable or shortest route across a road-probability map, on the pixel
// grid (Dijkstra or A*) or on a road graph from rb-graph.
//
// Pixel grid: a route is a chain of 4- or 8-neighbour steps; the cost of a step is that of the
// pixel it enters (the start pixel costs nothing):
//   length       ground length of the step in metres (diagonals exact on anisotropic pixels)
//   neglogp      -log p of the entered pixel: the route maximising the product of the
//                probabilities of its pixels (independent pixels; the notes' ML route)
//   length_per_p step length / p: short routes that avoid doubtful pixels
// p is clipped to [p_floor, p_ceiling] for the cost (finite, positive costs); pixels that are
// nodata or below `min_probability` cannot be entered.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/cli/stage.hpp"
#include "common/geo/probability_map.hpp"
#include "common/graph/road_graph.hpp"

namespace rb::route {

enum class Cost { kLength, kNegLogP, kLengthPerP };
Cost ParseCost(const std::string& name);  // "length", "neglogp", "length_per_p"

struct GridSpec {
  Cost cost = Cost::kNegLogP;
  int neighbours = 4;     // 4 or 8
  double p_floor = 1e-3;  // the notes' clipping, so -log p stays finite
  double p_ceiling = 0.999;
  double min_probability = 0;  // pixels below this cannot be entered
  double pixel_width_m = 1;    // ground size of a step along a row...
  double pixel_height_m = 1;   // ...and along a column
};

struct GridRoute {
  bool found = false;
  double cost = 0;
  std::vector<geo::PixelPoint> pixels;  // from the source to the target
  double length_m = 0;
  double log10_probability = 0;  // sum of log10 p over the entered pixels (unclipped)
  int64_t settled = 0;           // nodes taken off the queue: the work done
};

class GridRouter {
 public:
  GridRouter(const geo::ProbabilityMap& map, const GridSpec& spec);

  // Dijkstra from `source` to every pixel; Route() then reads any target. Runs Dinitz's bucket
  // queue where the costs allow it (BucketWidth), else a radix heap: the same distances.
  void SolveFrom(geo::PixelPoint source);
  GridRoute Route(geo::PixelPoint target) const;
  // The cost of the cheapest route from the last SolveFrom source (infinity: unreachable).
  double Distance(geo::PixelPoint target) const;

  // A* from `source` to `target` with an admissible, consistent heuristic (the cheapest
  // possible cost per step times the octile or Manhattan distance).
  GridRoute AStar(geo::PixelPoint source, geo::PixelPoint target);

 private:
  double Heuristic(size_t from, size_t to) const;
  GridRoute Trace(size_t source, size_t target) const;
  template <class Queue, class Heuristic>
  void Search(size_t source, size_t target, Queue& queue, Heuristic&& h);
  // Resets every pixel's distance and parent and starts a search at `source`.
  void Start(size_t source);
  // Settles u (false: it already was, a stale entry) and relaxes its neighbours, calling
  // push(candidate distance, v) for each improved one.
  template <class Push>
  bool Settle(size_t u, Push&& push);
  // Dijkstra with Dinitz's buckets of `width` (<= the cheapest step) from `source`.
  void SearchBuckets(size_t source, double width);
  // The cost of the dearest finite step (its pixel factor times the longest step).
  double DearestStep() const;
  // The bucket width for SearchBuckets: just under the cheapest step's cost, or 0 when the
  // cheapest and dearest steps are too far apart (or the cheapest is free) for a bucket array.
  double BucketWidth() const;

  // Per pixel, packed so that one relaxation touches one cache line: on a 1300x1300 grid the
  // search is bound by memory, not arithmetic.
  struct Cell {
    double distance;
    float enter_cost;  // cost factor of entering the pixel; infinity when it cannot be entered
    uint32_t parent;   // predecessor pixel, with kClosed set once the pixel is settled
  };
  static constexpr uint32_t kClosed = 0x80000000u;
  static constexpr uint32_t kNoParent = 0x7fffffffu;

  const geo::ProbabilityMap& map_;
  GridSpec spec_;
  std::vector<Cell> cells_;
  double step_length_[8] = {};  // per direction: the factor's multiplier (metres, or 1)
  double min_enter_cost_ = 0;   // the cheapest enterable pixel's factor, for the A* heuristic
  double max_enter_cost_ = 0;   // the dearest finite one
  size_t source_ = 0;
  int64_t settled_ = 0;
};

struct GraphRoute {
  bool found = false;
  double length_m = 0;
  geo::LineString lon_lat;   // the route's polyline
  double snap_source_m = 0;  // distances from the asked points to the graph nodes used
  double snap_target_m = 0;
};

// Shortest route by length on a graph whose node points are lon/lat and edge lengths metres,
// between the nodes nearest to the two lon/lat points (Boost.Graph Dijkstra).
GraphRoute RouteOnGraph(const graph::Graph& g, geo::Point2 from, geo::Point2 to);

cli::StageDescriptor RouteStage();

}  // namespace rb::route
