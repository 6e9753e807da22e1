// Roads: sidewalks, carriageways, cul-de-sac bulbs, lane markings and traffic.
#include <cmath>
#include <map>

#include <opencv2/imgproc.hpp>

#include "stages/synth/scene_parts.hpp"

namespace rb::synth::scene {
namespace {

constexpr double kDensifyStepM = 5.0;

// A smooth displacement field (metres) shared by all roads of the scene, so junctions stay
// joined while each label sits up to ~2 m off the painted centre.
struct Displacement {
  double amplitude_m, k1x, k1y, k2x, k2y, phase1, phase2;

  cv::Point2d At(cv::Point2d metres) const {
    return {amplitude_m * std::sin(k1x * metres.x + k1y * metres.y + phase1),
            amplitude_m * std::sin(k2x * metres.x - k2y * metres.y + phase2)};
  }
};

Displacement RandomDisplacement(RandomStream& random) {
  auto wavenumber = [&] { return 2 * M_PI / random.Uniform(120, 320); };
  return {random.Uniform(0.6, 1.4),
          wavenumber(),
          wavenumber(),
          wavenumber(),
          wavenumber(),
          random.Uniform(0, 2 * M_PI),
          random.Uniform(0, 2 * M_PI)};
}

geo::LineString DrawnCentre(const geo::LineString& label, GroundScale scale,
                            const Displacement& displacement) {
  geo::LineString out;
  for (size_t i = 0; i < label.size(); ++i) {
    geo::Point2 a = label[i];
    int steps = 1;
    if (i + 1 < label.size()) {
      double length =
          std::hypot((label[i + 1].x - a.x) * scale.x_m, (label[i + 1].y - a.y) * scale.y_m);
      steps = std::max(1, static_cast<int>(std::ceil(length / kDensifyStepM)));
    }
    for (int s = 0; s < steps; ++s) {
      if (i + 1 == label.size() && s > 0) break;
      double t = static_cast<double>(s) / steps;
      geo::Point2 p = i + 1 < label.size() ? geo::Point2{a.x + t * (label[i + 1].x - a.x),
                                                         a.y + t * (label[i + 1].y - a.y)}
                                           : a;
      cv::Point2d shift = displacement.At({p.x * scale.x_m, p.y * scale.y_m});
      out.push_back({p.x + shift.x / scale.x_m, p.y + shift.y / scale.y_m});
    }
  }
  return out;
}

// Line ends that no other line touches (SpaceNet junctions are shared vertices).
std::vector<std::pair<size_t, bool>> DeadEnds(const std::vector<SynthRoad>& roads, int size) {
  std::map<std::pair<long, long>, int> uses;
  auto key = [](geo::Point2 p) {
    return std::make_pair(std::lround(p.x * 10), std::lround(p.y * 10));
  };
  for (const SynthRoad& road : roads) {
    for (const geo::Point2& p : road.line) ++uses[key(p)];
  }
  std::vector<std::pair<size_t, bool>> ends;  // (road, at its start)
  for (size_t r = 0; r < roads.size(); ++r) {
    const geo::LineString& line = roads[r].line;
    if (line.size() < 2) continue;
    for (bool start : {true, false}) {
      geo::Point2 p = start ? line.front() : line.back();
      bool inside = p.x > 30 && p.y > 30 && p.x < size - 30 && p.y < size - 30;
      if (inside && uses[key(p)] == 1) ends.emplace_back(r, start);
    }
  }
  return ends;
}

}  // namespace

std::vector<DrawnRoad> PaintRoads(Context& c, const std::vector<SynthRoad>& roads) {
  Canvas& canvas = c.canvas;
  Displacement displacement = RandomDisplacement(c.random);
  std::vector<DrawnRoad> drawn;
  for (const SynthRoad& road : roads) {
    drawn.push_back({&road, DrawnCentre(road.line, canvas.scale, displacement)});
  }
  // Sidewalks first, so that carriageways cover them where roads meet.
  for (const DrawnRoad& d : drawn) {
    if (d.road->sidewalk_m <= 0) continue;
    canvas.StrokeLine(d.centre, d.road->width_m + 2 * d.road->sidewalk_m,
                      {.material = Material::kConcrete,
                       .tint = static_cast<float>(c.random.Uniform(0.85, 1.05)),
                       .occupied = 1});
  }
  for (const DrawnRoad& d : drawn) {
    bool paved = d.road->surface != Material::kDirtRoad;
    canvas.StrokeLine(d.centre, d.road->width_m,
                      {.material = d.road->surface,
                       .tint = static_cast<float>(c.random.Uniform(0.9, 1.1)),
                       .road = 1,
                       .paved = static_cast<uint8_t>(paved ? 1 : 0),
                       .occupied = 1});
  }
  // Turning bulbs at dead ends of residential streets: paved but, as in the real labels, only
  // the centerline is labelled.
  for (auto [index, at_start] : DeadEnds(roads, canvas.size)) {
    const DrawnRoad& d = drawn[index];
    if (d.road->attributes.road_type != geo::RoadType::kResidential ||
        d.road->surface == Material::kDirtRoad ||
        !c.random.Bernoulli(c.style.cul_de_sac_probability)) {
      continue;
    }
    geo::Point2 end = at_start ? d.centre.front() : d.centre.back();
    double radius = std::max(d.road->width_m / 2 + 3, c.random.Uniform(9, 12));
    if (d.road->sidewalk_m > 0) {
      canvas.FillCircle({end.x, end.y}, radius + d.road->sidewalk_m,
                        {.material = Material::kConcrete, .occupied = 1});
    }
    canvas.FillCircle({end.x, end.y}, radius,
                      {.material = d.road->surface, .paved = 1, .occupied = 1});
  }
  return drawn;
}

namespace {

void PaintDashes(Canvas& canvas, const geo::LineString& line, double offset_m, double on_m,
                 double off_m, Material paint) {
  Brush brush{.material = paint, .tint = 0.7f};  // a 15 cm line fills about half a 0.3 m pixel
  double period = on_m + off_m, position = 0;
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    cv::Point2d a(line[i].x, line[i].y), b(line[i + 1].x, line[i + 1].y);
    cv::Point2d dir = Direction(line, i, canvas.scale);
    cv::Point2d shift = canvas.Offset(-dir.y * offset_m, dir.x * offset_m);
    double length = std::hypot((b.x - a.x) * canvas.scale.x_m, (b.y - a.y) * canvas.scale.y_m);
    for (double t = 0; t < length;) {
      double phase = std::fmod(position + t, period);
      double run =
          phase < on_m ? std::min(on_m - phase, length - t) : std::min(period - phase, length - t);
      if (phase < on_m) {
        cv::Point2d p0 = a + (b - a) * (t / length) + shift;
        cv::Point2d p1 = a + (b - a) * ((t + run) / length) + shift;
        canvas.ThinLine(p0, p1, brush);
      }
      t += std::max(run, 1e-3);
    }
    position += length;
  }
}

Material RandomCar(RandomStream& random) {
  double u = random.Uniform();
  if (u < 0.3) return Material::kCarWhite;
  if (u < 0.5) return Material::kCarSilver;
  if (u < 0.72) return Material::kCarBlack;
  if (u < 0.86) return Material::kCarRed;
  return Material::kCarBlue;
}

}  // namespace

void PaintTraffic(Context& c, const std::vector<DrawnRoad>& roads) {
  Canvas& canvas = c.canvas;
  for (const DrawnRoad& d : roads) {
    const SynthRoad& road = *d.road;
    if (road.surface == Material::kDirtRoad || d.centre.size() < 2) continue;
    int type = static_cast<int>(road.attributes.road_type);
    if (road.attributes.lanes >= 2 && type <= 5) {
      Material centre =
          c.style.yellow_centre_lines ? Material::kPaintYellow : Material::kPaintWhite;
      PaintDashes(canvas, d.centre, 0, type <= 3 ? 1e9 : 3, type <= 3 ? 0 : 9, centre);
    }
    if (type <= 3) {
      double edge = road.width_m / 2 - 0.6;
      PaintDashes(canvas, d.centre, edge, 1e9, 0, Material::kPaintWhite);
      PaintDashes(canvas, d.centre, -edge, 1e9, 0, Material::kPaintWhite);
    }
  }
  // Cars in their lanes, heading along the road.
  for (const DrawnRoad& d : roads) {
    const SynthRoad& road = *d.road;
    double length = LengthMetres(d.centre, canvas.scale);
    int cars = static_cast<int>(length / 100 * c.style.cars_per_100m * c.random.Uniform(0.3, 1.7));
    for (int k = 0; k < cars; ++k) {
      double target = c.random.Uniform(0, length);
      for (size_t i = 0; i + 1 < d.centre.size(); ++i) {
        cv::Point2d a(d.centre[i].x, d.centre[i].y), b(d.centre[i + 1].x, d.centre[i + 1].y);
        double segment = std::hypot((b.x - a.x) * canvas.scale.x_m, (b.y - a.y) * canvas.scale.y_m);
        if (target > segment) {
          target -= segment;
          continue;
        }
        cv::Point2d dir = Direction(d.centre, i, canvas.scale);
        int lanes = std::max(1, road.attributes.lanes);
        double lane = road.width_m / (lanes * 2.0);
        double across = (c.random.UniformInt(0, lanes * 2 - 1) - lanes + 0.5) * lane;
        across = std::clamp(across, -road.width_m / 2 + 1.2, road.width_m / 2 - 1.2);
        cv::Point2d centre =
            a + (b - a) * (target / segment) + canvas.Offset(-dir.y * across, dir.x * across);
        double heading = std::atan2(dir.y, dir.x);
        canvas.FillPolygon(canvas.Rectangle(centre, heading, c.random.Uniform(4.2, 5.0), 1.9),
                           {.material = RandomCar(c.random),
                            .tint = static_cast<float>(c.random.Uniform(0.85, 1.1)),
                            .occluder = 1});
        break;
      }
    }
  }
}

}  // namespace rb::synth::scene
