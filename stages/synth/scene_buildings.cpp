// The land between roads: houses with yards, pools and driveways, commercial boxes with parking
// lots, dense urban blocks, compounds, each oriented to its nearest road.
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "stages/synth/scene_parts.hpp"

namespace rb::synth::scene {
namespace {

Material PickRoof(const CityStyle& style, RandomStream& random) {
  double total = 0;
  for (const WeightedMaterial& roof : style.roofs) total += roof.weight;
  double r = random.Uniform() * total;
  for (const WeightedMaterial& roof : style.roofs) {
    if ((r -= roof.weight) < 0) return roof.material;
  }
  return style.roofs.back().material;
}

// Distance (pixels) to the nearest road or other taken ground, and its gradient, which points
// away from the road: buildings face along it.
struct RoadField {
  cv::Mat distance, dx, dy;
  cv::Mat major_distance;  // to the nearest motorway, primary or secondary road
};

RoadField ComputeField(const Canvas& canvas, const std::vector<DrawnRoad>& roads) {
  RoadField field;
  cv::Mat free = canvas.occupied == 0;
  cv::distanceTransform(free, field.distance, cv::DIST_L2, 5);
  cv::Sobel(field.distance, field.dx, CV_32F, 1, 0, 5);
  cv::Sobel(field.distance, field.dy, CV_32F, 0, 1, 5);
  cv::Mat major(canvas.size, canvas.size, CV_8U, cv::Scalar(255));
  for (const DrawnRoad& d : roads) {
    if (static_cast<int>(d.road->attributes.road_type) > 3) continue;
    for (size_t i = 0; i + 1 < d.centre.size(); ++i) {
      cv::line(major, cv::Point(static_cast<int>(d.centre[i].x), static_cast<int>(d.centre[i].y)),
               cv::Point(static_cast<int>(d.centre[i + 1].x), static_cast<int>(d.centre[i + 1].y)),
               cv::Scalar(0), 3);
    }
  }
  cv::distanceTransform(major, field.major_distance, cv::DIST_L2, 5);
  return field;
}

struct Site {
  cv::Point2d centre;  // pixels
  cv::Point2d away;    // unit vector (east, south) pointing away from the road
  double road_distance_m;
  double major_distance_m;
};

// The lot fills the ground between the building front and the road edge.
void PaintParkingLot(Context& c, const Site& site, double heading, double building_depth_m,
                     double width_m, double depth_m) {
  Canvas& canvas = c.canvas;
  double reach = building_depth_m / 2 + depth_m / 2 + 0.5;
  cv::Point2d lot_centre = site.centre - canvas.Offset(site.away.x * reach, site.away.y * reach);
  auto lot = canvas.Rectangle(lot_centre, heading, width_m, depth_m);
  if (canvas.OccupiedFraction(lot) > 0.05) return;
  canvas.FillPolygon(lot, {.material = Material::kAsphaltAged,
                           .tint = static_cast<float>(c.random.Uniform(0.85, 1.1)),
                           .paved = 1,
                           .occupied = 1});
  // Rows of stalls 2.7 m wide and 5.5 m deep, about half of them taken.
  double ca = std::cos(heading), sa = std::sin(heading);
  for (double across = -depth_m / 2 + 3; across < depth_m / 2 - 2.5; across += 6) {
    for (double along = -width_m / 2 + 1.5; along < width_m / 2 - 1.5; along += 2.7) {
      cv::Point2d stall =
          lot_centre + canvas.Offset(along * ca - across * sa, along * sa + across * ca);
      cv::Point2d half = canvas.Offset(-sa * 2.7, ca * 2.7);
      canvas.ThinLine(stall - half * 0.5 + canvas.Offset(-ca * 1.35, -sa * 1.35),
                      stall + half * 0.5 + canvas.Offset(-ca * 1.35, -sa * 1.35),
                      {.material = Material::kPaintWhite, .tint = 0.6f});
      if (!c.random.Bernoulli(0.5)) continue;
      Material car = c.random.Bernoulli(0.3)   ? Material::kCarWhite
                     : c.random.Bernoulli(0.4) ? Material::kCarSilver
                     : c.random.Bernoulli(0.5) ? Material::kCarBlack
                                               : Material::kCarRed;
      canvas.FillPolygon(canvas.Rectangle(stall, heading + M_PI / 2, 4.5, 1.9),
                         {.material = car, .tint = 1.0f, .occluder = 1});
    }
  }
}

void PaintYard(Context& c, const Site& site, double heading, double width_m, double depth_m) {
  Canvas& canvas = c.canvas;
  const CityStyle& style = c.style;
  double front = style.building_setback_m;
  if (c.random.Bernoulli(style.lawn_probability)) {
    cv::Point2d lawn = site.centre - canvas.Offset(site.away.x * (depth_m / 2 + front / 2),
                                                   site.away.y * (depth_m / 2 + front / 2));
    auto patch = canvas.Rectangle(lawn, heading, width_m, std::max(1.0, front - 1.5));
    if (canvas.OccupiedFraction(patch) < 0.02) {
      canvas.FillPolygon(patch, {.material = Material::kGrass,
                                 .tint = static_cast<float>(c.random.Uniform(0.8, 1.1))});
    }
  }
  if (c.random.Bernoulli(style.driveway_probability)) {
    double along = (c.random.Bernoulli(0.5) ? 1 : -1) * width_m / 4;  // garage side
    double length = front + 2.5;  // reaches onto the carriageway edge
    double back = depth_m / 2 + length / 2;
    cv::Point2d mid = site.centre + canvas.Offset(-site.away.y * along, site.away.x * along) -
                      canvas.Offset(site.away.x * back, site.away.y * back);
    auto drive = canvas.Rectangle(mid, heading - M_PI / 2, length, c.random.Uniform(4, 6));
    canvas.FillPolygon(drive, {.material = Material::kConcrete,
                               .tint = static_cast<float>(c.random.Uniform(0.9, 1.1)),
                               .paved = 1});
  }
  if (c.random.Bernoulli(style.pool_probability)) {
    double behind = depth_m / 2 + c.random.Uniform(3, 6);
    cv::Point2d centre = site.centre + canvas.Offset(site.away.x * behind, site.away.y * behind);
    auto pool = canvas.Rectangle(centre, heading + c.random.Uniform(-0.2, 0.2),
                                 c.random.Uniform(6, 10), c.random.Uniform(3.5, 5));
    if (canvas.OccupiedFraction(pool) == 0) {
      canvas.FillPolygon(pool, {.material = Material::kPool, .tint = 1.0f, .occupied = 1});
    }
  }
}

}  // namespace

std::vector<Caster> PlaceBuildings(Context& c, const std::vector<DrawnRoad>& roads) {
  Canvas& canvas = c.canvas;
  const CityStyle& style = c.style;
  RoadField field = ComputeField(canvas, roads);
  double metres_per_px = (canvas.scale.x_m + canvas.scale.y_m) / 2;
  std::vector<Caster> casters;

  double step_x = style.building_spacing_m / canvas.scale.x_m;
  double step_y = style.building_spacing_m / canvas.scale.y_m;
  for (double gy = step_y / 2; gy < canvas.size; gy += step_y) {
    for (double gx = step_x / 2; gx < canvas.size; gx += step_x) {
      cv::Point2d p(gx + c.random.Uniform(-0.3, 0.3) * step_x,
                    gy + c.random.Uniform(-0.3, 0.3) * step_y);
      if (!canvas.Inside(p)) continue;
      cv::Point q(static_cast<int>(p.x), static_cast<int>(p.y));
      Site site{p,
                {0, 0},
                field.distance.at<float>(q) * metres_per_px,
                field.major_distance.at<float>(q) * metres_per_px};
      double gxv = field.dx.at<float>(q), gyv = field.dy.at<float>(q);
      double norm = std::hypot(gxv, gyv);
      site.away = norm > 1e-6 ? cv::Point2d(gxv / norm, gyv / norm)
                              : cv::Point2d(std::cos(c.random.Uniform(0, 6.3)), 0);
      double heading = std::atan2(site.away.y, site.away.x) + M_PI / 2;  // along the road

      bool commercial =
          site.major_distance_m < 70 && c.random.Bernoulli(style.parking_lot_probability);
      double width = commercial
                         ? c.random.Uniform(30, 60)
                         : c.random.Uniform(style.building_width_m.lo, style.building_width_m.hi);
      double depth = commercial
                         ? c.random.Uniform(20, 35)
                         : c.random.Uniform(style.building_depth_m.lo, style.building_depth_m.hi);
      double front = commercial ? c.random.Uniform(18, 30) : style.building_setback_m;
      double wanted = front + depth / 2;
      if (site.road_distance_m < wanted) continue;
      if (style.frontage_depth_m > 0 || commercial) {
        // Street-facing plots: slide the building to its setback line.
        if (site.road_distance_m > wanted + style.frontage_depth_m && !commercial) continue;
        if (commercial && site.road_distance_m > wanted + 25) continue;
        double slide = (site.road_distance_m - wanted) / metres_per_px;
        site.centre -= cv::Point2d(site.away.x * slide, site.away.y * slide);
        site.road_distance_m = wanted;
      }
      auto footprint = canvas.Rectangle(site.centre, heading, width, depth);
      // Keep the gap beside and behind the building, not in front: the front sits on its
      // setback line, which may touch the sidewalk.
      double gap = commercial ? 6 : style.building_gap_m;
      cv::Point2d back = canvas.Offset(site.away.x * gap / 2, site.away.y * gap / 2);
      auto clearance =
          canvas.Rectangle(site.centre + back, heading, width + gap, depth + gap - 0.4);
      if (canvas.OccupiedFraction(clearance) > 0.01) continue;

      Material roof =
          commercial ? (c.random.Bernoulli(0.7) ? Material::kRoofLight : Material::kRoofBlueMetal)
                     : PickRoof(style, c.random);
      if (commercial) {
        PaintParkingLot(c, site, heading, depth, width + 10, front - 2);
      } else if (style.key == "vegas") {
        PaintYard(c, site, heading, width, depth);
      }
      if (c.random.Bernoulli(style.compound_wall_probability)) {
        auto wall = canvas.Rectangle(site.centre, heading, width + c.random.Uniform(4, 9),
                                     depth + c.random.Uniform(4, 9));
        for (size_t k = 0; k < wall.size(); ++k) {
          canvas.ThinLine(wall[k], wall[(k + 1) % wall.size()],
                          {.material = Material::kConcrete, .tint = 0.85f});
        }
      }
      canvas.FillPolygon(footprint, {.material = roof,
                                     .tint = static_cast<float>(c.random.Uniform(0.85, 1.15)),
                                     .occupied = 1});
      double height = c.random.Uniform(style.building_height_m.lo, style.building_height_m.hi);
      if (commercial) height = c.random.Uniform(6, 12);
      casters.push_back({footprint, height});
    }
  }
  return casters;
}

}  // namespace rb::synth::scene
