#include "stages/synth/scene.hpp"

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "common/core/check.hpp"
#include "stages/synth/scene_parts.hpp"

namespace rb::synth {
namespace scene {

cv::Mat ValueNoise(int size, double cell_px, const Philox& noise, uint64_t layer) {
  int n = static_cast<int>(std::ceil(size / cell_px)) + 3;
  cv::Mat grid(n, n, CV_32F);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      grid.at<float>(j, i) = noise.Uniform((layer << 32) | static_cast<uint64_t>(j * n + i));
    }
  }
  cv::Mat smooth;
  int full = static_cast<int>(std::lround(n * cell_px));
  cv::resize(grid, smooth, cv::Size(full, full), 0, 0, cv::INTER_CUBIC);
  int offset = static_cast<int>(cell_px);
  cv::Mat out = smooth(cv::Rect(offset, offset, size, size)).clone();
  cv::max(out, 0.0, out);
  cv::min(out, 1.0, out);
  return out;
}

cv::Point2d Direction(const geo::LineString& line, size_t i, GroundScale scale) {
  double east = (line[i + 1].x - line[i].x) * scale.x_m;
  double south = (line[i + 1].y - line[i].y) * scale.y_m;
  double length = std::hypot(east, south);
  return length > 0 ? cv::Point2d(east / length, south / length) : cv::Point2d(1, 0);
}

namespace {

constexpr uint64_t kGroundTintLayer = 2, kGroundGrainLayer = 3, kGroundFirstMaterialLayer = 16;

void PaintGround(Context& c) {
  Canvas& canvas = c.canvas;
  const std::vector<WeightedMaterial>& ground = c.style.ground;
  // Each ground cover gets its own smooth field (two octaves, ~40 m and ~12 m); a pixel shows the
  // cover with the highest weighted field, jittered per pixel so that borders are ragged, not
  // drawn with a ruler.
  std::vector<cv::Mat> fields;
  for (size_t i = 0; i < ground.size(); ++i) {
    uint64_t layer = kGroundFirstMaterialLayer + 2 * i;
    cv::Mat broad = ValueNoise(canvas.size, 40.0 / canvas.scale.y_m, c.noise, layer);
    cv::Mat fine = ValueNoise(canvas.size, 12.0 / canvas.scale.y_m, c.noise, layer + 1);
    fields.push_back(0.75 * broad + 0.25 * fine);
  }
  double total = 0;
  for (const WeightedMaterial& option : ground) total += option.weight;
  cv::Mat tint = ValueNoise(canvas.size, 8.0 / canvas.scale.y_m, c.noise, kGroundTintLayer);
  for (int y = 0; y < canvas.size; ++y) {
    const float* t = tint.ptr<float>(y);
    uint8_t* m = canvas.material.ptr<uint8_t>(y);
    float* out_tint = canvas.tint.ptr<float>(y);
    for (int x = 0; x < canvas.size; ++x) {
      uint64_t pixel = static_cast<uint64_t>(y) * canvas.size + x;
      float jitter = 0.08f * (c.noise.Uniform((kGroundGrainLayer << 32) | pixel) - 0.5f);
      size_t best = 0;
      double best_score = -1;
      for (size_t i = 0; i < ground.size(); ++i) {
        // Weight shifts a cover's share: a field value is roughly uniform around 0.5.
        double score = fields[i].at<float>(y, x) + 0.5 * (ground[i].weight / total) + jitter;
        if (score > best_score) {
          best_score = score;
          best = i;
        }
      }
      m[x] = static_cast<uint8_t>(ground[best].material);
      out_tint[x] = 0.9f + 0.2f * t[x];
    }
  }
}

void PaintWater(Context& c) {
  if (!c.random.Bernoulli(c.style.water_probability)) return;
  // A canal or river entering on one side and leaving on the opposite one.
  double s = c.canvas.size;
  bool vertical = c.random.Bernoulli(0.5);
  geo::LineString course;
  for (int i = 0; i <= 4; ++i) {
    double along = -0.1 * s + i * 0.3 * s;
    double across = s * (0.5 + c.random.Uniform(-0.25, 0.25));
    course.push_back(vertical ? geo::Point2{across, along} : geo::Point2{along, across});
  }
  double width = c.random.Uniform(10, 30);
  c.canvas.StrokeLine(course, width + 4, {.material = Material::kSoil, .occupied = 1});
  c.canvas.StrokeLine(course, width, {.material = Material::kWater, .tint = 1.0f});
}

std::vector<Tree> PlanTrees(Context& c, const std::vector<DrawnRoad>& roads) {
  Canvas& canvas = c.canvas;
  std::vector<Tree> trees;
  auto free_at = [&](cv::Point2d p) {
    if (!canvas.Inside(p, -20)) return false;
    cv::Point q(std::clamp(static_cast<int>(p.x), 0, canvas.size - 1),
                std::clamp(static_cast<int>(p.y), 0, canvas.size - 1));
    return canvas.occupied.at<uint8_t>(q) == 0 || canvas.Inside(p) == false;
  };
  bool big_crowns = c.style.key == "paris";
  for (const DrawnRoad& drawn : roads) {
    if (drawn.centre.size() < 2 || !c.random.Bernoulli(c.style.street_tree_probability)) continue;
    double offset = drawn.road->width_m / 2 + drawn.road->sidewalk_m + c.random.Uniform(0.5, 2.0);
    double spacing = c.random.Uniform(7, 11);
    double carry = c.random.Uniform(0, spacing);
    for (size_t i = 0; i + 1 < drawn.centre.size(); ++i) {
      cv::Point2d a(drawn.centre[i].x, drawn.centre[i].y),
          b(drawn.centre[i + 1].x, drawn.centre[i + 1].y);
      cv::Point2d dir = Direction(drawn.centre, i, canvas.scale);
      double length = std::hypot((b.x - a.x) * canvas.scale.x_m, (b.y - a.y) * canvas.scale.y_m);
      for (double t = carry; t < length; t += spacing) {
        for (int side : {-1, 1}) {
          cv::Point2d p = a + canvas.Offset(dir.x * t - side * dir.y * offset,
                                            dir.y * t + side * dir.x * offset);
          if (free_at(p) && c.random.Bernoulli(0.85)) {
            double radius = big_crowns ? c.random.Uniform(3.5, 5.5) : c.random.Uniform(2.5, 4.5);
            trees.push_back({p, radius, c.random.Uniform(8, 15)});
          }
        }
      }
      carry = std::fmod(carry - length, spacing);
      if (carry < 0) carry += spacing;
    }
  }
  double hectares = canvas.size * canvas.scale.x_m * canvas.size * canvas.scale.y_m / 1e4;
  int count = static_cast<int>(c.style.free_tree_density * hectares * c.random.Uniform(0.5, 1.5));
  for (int i = 0; i < count; ++i) {
    cv::Point2d p(c.random.Uniform(0, canvas.size), c.random.Uniform(0, canvas.size));
    if (canvas.occupied.at<uint8_t>(cv::Point(static_cast<int>(p.x), static_cast<int>(p.y))) != 0) {
      continue;
    }
    trees.push_back({p, c.random.Uniform(1.5, 4.0), c.random.Uniform(4, 11)});
  }
  return trees;
}

std::vector<cv::Point2d> Polygon(const Canvas& canvas, cv::Point2d centre, double radius_m,
                                 int sides) {
  std::vector<cv::Point2d> points;
  for (int k = 0; k < sides; ++k) {
    double angle = 2 * M_PI * k / sides;
    points.push_back(centre +
                     canvas.Offset(radius_m * std::cos(angle), radius_m * std::sin(angle)));
  }
  return points;
}

// Shadows fall away from the sun: length = height / tan(elevation).
void CastShadows(Context& c, const std::vector<Caster>& casters, const std::vector<Tree>& trees,
                 SunPosition sun) {
  Canvas& canvas = c.canvas;
  double azimuth = sun.azimuth_deg * M_PI / 180;
  double reach = 1.0 / std::tan(sun.elevation_deg * M_PI / 180);
  auto cast = [&](const std::vector<cv::Point2d>& footprint, double height) {
    cv::Point2d shift =
        canvas.Offset(-std::sin(azimuth) * height * reach, std::cos(azimuth) * height * reach);
    std::vector<cv::Point2f> points;
    for (const cv::Point2d& p : footprint) {
      points.emplace_back(p);
      points.emplace_back(p + shift);
    }
    std::vector<cv::Point2f> hull;
    cv::convexHull(points, hull);
    canvas.FillPolygon(std::vector<cv::Point2d>(hull.begin(), hull.end()), {.shade = 0.0f});
  };
  for (const Caster& caster : casters) cast(caster.footprint, caster.height_m);
  for (const Tree& tree : trees)
    cast(Polygon(canvas, tree.centre, tree.radius_m * 0.8, 10), tree.height_m);
  // Roofs stand above their own shadows.
  for (const Caster& caster : casters) canvas.FillPolygon(caster.footprint, {.shade = 1.0f});
}

void PaintTrees(Context& c, const std::vector<Tree>& trees) {
  for (const Tree& tree : trees) {
    // A crown of a few overlapping lobes reads as a tree rather than a disc.
    Brush brush{.material = Material::kTree,
                .tint = static_cast<float>(c.random.Uniform(0.8, 1.15)),
                .shade = 1.0f,
                .occluder = 1};
    c.canvas.FillCircle(tree.centre, tree.radius_m * 0.8, brush);
    int lobes = static_cast<int>(c.random.UniformInt(3, 5));
    for (int k = 0; k < lobes; ++k) {
      double angle = c.random.Uniform(0, 2 * M_PI);
      cv::Point2d lobe = tree.centre + c.canvas.Offset(std::cos(angle) * tree.radius_m * 0.45,
                                                       std::sin(angle) * tree.radius_m * 0.45);
      c.canvas.FillCircle(lobe, tree.radius_m * c.random.Uniform(0.45, 0.6), brush);
    }
  }
}

}  // namespace
}  // namespace scene

Scene RenderScene(const SceneSpec& spec) {
  RB_CHECK(spec.style != nullptr);
  Scene result{Canvas(spec.size, spec.scale), {}};
  RandomStream random(spec.seed, spec.stream);
  scene::Context context{result.canvas, *spec.style, random, Philox(spec.seed, spec.stream + 1)};
  // WorldView-3 passes around 10:30 local time: a morning sun in the south-east (north of the
  // equator, where all four AOIs are), well above the horizon.
  result.sun = {random.Uniform(115, 165), random.Uniform(38, 68)};

  scene::PaintGround(context);
  scene::PaintWater(context);
  std::vector<scene::DrawnRoad> roads = scene::PaintRoads(context, spec.roads);
  std::vector<scene::Caster> casters = scene::PlaceBuildings(context, roads);
  scene::PaintTraffic(context, roads);
  std::vector<scene::Tree> trees = scene::PlanTrees(context, roads);
  scene::CastShadows(context, casters, trees, result.sun);
  scene::PaintTrees(context, trees);
  // Everything in shadow hides what is under it as much as a tree does.
  cv::Mat shadowed = result.canvas.shade < 0.5f;
  result.canvas.occluder.setTo(1, shadowed);
  return result;
}

}  // namespace rb::synth
