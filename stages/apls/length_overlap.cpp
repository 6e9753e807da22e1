// Length-based precision and recall: how much of each graph's road lies near the other graph.
#include <algorithm>
#include <cmath>

#include "common/core/check.hpp"
#include "stages/apls/apls_graph.hpp"

namespace rb::apls {
namespace {

struct Segment {
  geo::Point2 a, b;
  // Bounding box.
  double x0() const { return std::min(a.x, b.x); }
  double x1() const { return std::max(a.x, b.x); }
  double y0() const { return std::min(a.y, b.y); }
  double y1() const { return std::max(a.y, b.y); }
};

std::vector<Segment> Segments(const graph::Graph& g) {
  std::vector<Segment> out;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    const geo::LineString& line = g[*it].line;
    for (size_t i = 0; i + 1 < line.size(); ++i) out.push_back({line[i], line[i + 1]});
  }
  return out;
}

double SegmentDistance2(geo::Point2 p, const Segment& s) {
  double dx = s.b.x - s.a.x, dy = s.b.y - s.a.y;
  double length2 = dx * dx + dy * dy;
  double t =
      length2 > 0 ? std::clamp(((p.x - s.a.x) * dx + (p.y - s.a.y) * dy) / length2, 0.0, 1.0) : 0.0;
  double ex = p.x - (s.a.x + t * dx), ey = p.y - (s.a.y + t * dy);
  return ex * ex + ey * ey;
}

// Share of the length of `mine` within `radius` of `other`: each segment cut into pieces of at
// most `step`, a piece near when its middle is, checked against the other segments whose boxes
// come within the radius of the segment's box. Summed in one loop, so that a graph entirely near
// gives exactly 1; 1 when there is no length.
double ShareNear(const std::vector<Segment>& mine, const std::vector<Segment>& other, double radius,
                 double step) {
  double near = 0, total = 0;
  std::vector<const Segment*> candidates;
  for (const Segment& s : mine) {
    candidates.clear();
    for (const Segment& o : other) {
      if (o.x0() <= s.x1() + radius && o.x1() >= s.x0() - radius && o.y0() <= s.y1() + radius &&
          o.y1() >= s.y0() - radius) {
        candidates.push_back(&o);
      }
    }
    double dx = s.b.x - s.a.x, dy = s.b.y - s.a.y;
    double length = std::sqrt(dx * dx + dy * dy);
    auto pieces = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(length / step)));
    double piece = length / static_cast<double>(pieces);
    for (int64_t k = 0; k < pieces; ++k) {
      double t = (static_cast<double>(k) + 0.5) / static_cast<double>(pieces);
      geo::Point2 p{s.a.x + t * dx, s.a.y + t * dy};
      total += piece;
      for (const Segment* o : candidates) {
        if (SegmentDistance2(p, *o) <= radius * radius) {
          near += piece;
          break;
        }
      }
    }
  }
  return total > 0 ? near / total : 1;
}

double DrawnLength(const graph::Graph& g) {
  double total = 0;
  for (auto [it, end] = boost::edges(g); it != end; ++it) total += PolylineLength(g[*it].line);
  return total;
}

}  // namespace

LengthOverlap MeasureLengthOverlap(const graph::Graph& truth, const graph::Graph& proposal,
                                   double radius, double step) {
  RB_CHECK(radius > 0 && step > 0);
  LengthOverlap out;
  out.truth_length = DrawnLength(truth);
  out.proposal_length = DrawnLength(proposal);
  std::vector<Segment> truth_segments = Segments(truth), proposal_segments = Segments(proposal);
  out.precision = ShareNear(proposal_segments, truth_segments, radius, step);
  out.recall = ShareNear(truth_segments, proposal_segments, radius, step);
  return out;
}

}  // namespace rb::apls
