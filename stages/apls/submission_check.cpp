// The leaderboard scorer's validation of a submitted image (RoadSet.getError in the TopCoder
// SpaceNet 3 tester): what it rejects, so rb-apls refuses what the leaderboard would refuse.
#include <cmath>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "stages/apls/apls.hpp"

namespace rb::apls {
namespace {

// Points are hashed on the 0.1 px grid, as the scorer's P2 does.
std::pair<int64_t, int64_t> Cell(geo::Point2 p) {
  return {std::llround(p.x * 10), std::llround(p.y * 10)};
}

std::string Show(geo::Point2 p) { return fmt::format("({:.2f} {:.2f})", p.x, p.y); }

}  // namespace

std::string SubmissionError(const std::vector<geo::LineString>& lines) {
  bool has_empty = false, has_roads = false;
  for (const geo::LineString& line : lines) (line.empty() ? has_empty : has_roads) = true;
  if (has_empty && has_roads) return "LINESTRING EMPTY mixed with road lines";
  std::set<std::pair<std::pair<int64_t, int64_t>, std::pair<int64_t, int64_t>>> segments;
  for (const geo::LineString& line : lines) {
    if (line.size() == 1) return fmt::format("a LINESTRING of one point {}", Show(line[0]));
    for (size_t i = 1; i < line.size(); ++i) {
      const geo::Point2 a = line[i - 1], b = line[i];
      if (std::hypot(b.x - a.x, b.y - a.y) < 0.01) {
        return fmt::format("consecutive vertices {} and {} less than 0.01 px apart", Show(a),
                           Show(b));
      }
      auto ka = Cell(a), kb = Cell(b);
      if (!segments.insert({std::min(ka, kb), std::max(ka, kb)}).second) {
        return fmt::format("segment {}-{} appears twice", Show(a), Show(b));
      }
    }
  }
  return "";
}

}  // namespace rb::apls
