#include "stages/synth/road_network.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

namespace rb::synth {
namespace {

using geo::LineString;
using geo::Point2;
using geo::RoadType;

template <class T>
const T& PickWeighted(const std::vector<std::pair<T, double>>& items, RandomStream& random) {
  double total = 0;
  for (const auto& item : items) total += item.second;
  double r = random.Uniform() * total;
  for (const auto& item : items) {
    if ((r -= item.second) < 0) return item.first;
  }
  return items.back().first;
}

Material PickMaterial(const std::vector<WeightedMaterial>& options, RandomStream& random) {
  std::vector<std::pair<Material, double>> items;
  for (const WeightedMaterial& option : options) items.emplace_back(option.material, option.weight);
  return PickWeighted(items, random);
}

RoadType PickType(const CityStyle& style, double length_m, RandomStream& random) {
  // Major roads are long: a line crossing the tile is far more likely an arterial than a
  // residential street of the same total kilometres.
  double major_factor = std::clamp(length_m / 250.0, 0.15, 2.5);
  std::vector<std::pair<RoadType, double>> items;
  for (int t = 1; t <= 7; ++t) {
    double factor = t <= 4 ? major_factor : 1.0;
    items.emplace_back(static_cast<RoadType>(t), style.road_type_km[t - 1] * factor);
  }
  return PickWeighted(items, random);
}

int PickLanes(RoadType type, const CityStyle& style, RandomStream& random) {
  switch (type) {
    case RoadType::kMotorway:
      return static_cast<int>(random.UniformInt(3, 4));
    case RoadType::kPrimary:
      return static_cast<int>(random.UniformInt(2, 4));
    case RoadType::kSecondary:
      return static_cast<int>(random.UniformInt(2, 3));
    case RoadType::kTertiary:
      return 2;
    case RoadType::kResidential:
      return random.Bernoulli(style.key == "vegas" ? 0.05 : 0.3) ? 1 : 2;
    case RoadType::kUnclassified:
      return random.Bernoulli(0.5) ? 1 : 2;
    default:
      return 1;
  }
}

// Liang-Barsky: the part of segment a-b inside [0, size]^2, or nothing.
std::optional<std::pair<Point2, Point2>> ClipSegment(Point2 a, Point2 b, double size) {
  double t0 = 0, t1 = 1;
  double dx = b.x - a.x, dy = b.y - a.y;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x, size - a.x, a.y, size - a.y};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return std::nullopt;
      continue;
    }
    double t = q[i] / p[i];
    if (p[i] < 0) {
      t0 = std::max(t0, t);
    } else {
      t1 = std::min(t1, t);
    }
    if (t0 > t1) return std::nullopt;
  }
  Point2 start{a.x + t0 * dx, a.y + t0 * dy}, end{a.x + t1 * dx, a.y + t1 * dy};
  if (std::hypot(end.x - start.x, end.y - start.y) < 1.0) return std::nullopt;
  return std::make_pair(start, end);
}

}  // namespace

double LengthMetres(const LineString& line, GroundScale scale) {
  double length = 0;
  for (size_t i = 1; i < line.size(); ++i) {
    length += std::hypot((line[i].x - line[i - 1].x) * scale.x_m,
                         (line[i].y - line[i - 1].y) * scale.y_m);
  }
  return length;
}

std::vector<SynthRoad> DressRoads(const std::vector<LineString>& lines, const CityStyle& style,
                                  GroundScale scale, int64_t road_id_base, RandomStream& random) {
  std::vector<SynthRoad> roads;
  for (size_t i = 0; i < lines.size(); ++i) {
    SynthRoad road;
    road.line = lines[i];
    geo::SpaceNetRoadAttributes& a = road.attributes;
    a.road_id = road_id_base + static_cast<int64_t>(i);
    a.road_type = PickType(style, LengthMetres(road.line, scale), random);
    int type = static_cast<int>(a.road_type);
    a.lanes = PickLanes(a.road_type, style, random);
    bool unpaved = random.Bernoulli(style.unpaved_probability[type - 1]);
    a.paved = unpaved ? geo::Surface::kUnpaved : geo::Surface::kPaved;
    a.bridge = geo::BridgeFlag::kNotBridge;
    a.one_way = 2;

    road.width_m = a.lanes * style.lane_width_m;
    if (a.road_type == RoadType::kResidential || a.road_type == RoadType::kUnclassified) {
      road.width_m += style.residential_extra_width_m * random.Uniform(0.5, 1.0);
    }
    if (a.road_type == RoadType::kMotorway || a.road_type == RoadType::kPrimary) {
      road.width_m += 2.0;  // shoulders
    }
    if (a.road_type == RoadType::kCartTrack) road.width_m = random.Uniform(2.5, 3.5);
    if (unpaved) road.width_m *= 0.85;
    road.surface = unpaved ? Material::kDirtRoad : PickMaterial(style.paved_surfaces, random);
    bool urban = type >= 2 && type <= 5 && !unpaved;
    if (urban && random.Bernoulli(style.sidewalk_probability)) {
      road.sidewalk_m = random.Uniform(style.sidewalk_width_m.lo, style.sidewalk_width_m.hi);
    }
    roads.push_back(std::move(road));
  }
  return roads;
}

std::vector<LineString> ProceduralRoads(const CityStyle& style, int size, GroundScale scale,
                                        RandomStream& random) {
  // Block size and regularity by city: Vegas suburban grid, Paris irregular and dense,
  // Shanghai superblocks, Khartoum a tight grid of narrow streets.
  double spacing_m = style.key == "paris"      ? 70
                     : style.key == "shanghai" ? 140
                     : style.key == "khartoum" ? 55
                                               : 95;
  double jitter = style.key == "paris" ? 0.25 : 0.08;
  double keep = style.key == "paris" ? 0.8 : 0.88;
  double angle = style.key == "paris"      ? random.Uniform(0, M_PI / 2)
                 : style.key == "shanghai" ? random.Uniform(-0.25, 0.25)
                                           : random.Uniform(-0.05, 0.05);
  double tile_m = std::max(size * scale.x_m, size * scale.y_m);
  int n = static_cast<int>(std::ceil(tile_m * 1.5 / spacing_m)) + 2;
  double centre = size / 2.0;
  std::vector<Point2> nodes(static_cast<size_t>(n * n));
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      double u = (i - n / 2.0 + random.Uniform(-jitter, jitter)) * spacing_m;
      double v = (j - n / 2.0 + random.Uniform(-jitter, jitter)) * spacing_m;
      double east = u * std::cos(angle) - v * std::sin(angle);
      double south = u * std::sin(angle) + v * std::cos(angle);
      nodes[static_cast<size_t>(j * n + i)] = {centre + east / scale.x_m,
                                               centre + south / scale.y_m};
    }
  }
  std::vector<LineString> lines;
  auto add_edge = [&](int a, int b) {
    if (auto clipped = ClipSegment(nodes[a], nodes[b], size)) {
      lines.push_back({clipped->first, clipped->second});
    }
  };
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      int here = j * n + i;
      if (i + 1 < n && random.Bernoulli(keep)) add_edge(here, here + 1);
      if (j + 1 < n && random.Bernoulli(keep)) add_edge(here, here + n);
      if (style.key == "paris" && i + 1 < n && j + 1 < n && random.Bernoulli(0.12)) {
        add_edge(here, here + n + 1);
      }
    }
  }
  return lines;
}

}  // namespace rb::synth
