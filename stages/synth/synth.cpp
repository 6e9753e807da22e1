#include "stages/synth/synth.hpp"

#include <algorithm>
#include <cstdlib>

#include "common/core/check.hpp"
#include "common/geo/crs.hpp"
#include "common/geo/image_id.hpp"
#include "common/geo/wkt_pix.hpp"

namespace rb::synth {
namespace {

constexpr double kPixelDegrees = 2.7e-6;  // SpaceNet tiles: 2.7e-6 deg pixels in EPSG:4326

// Streams of the per-image random sequences, so each image depends only on (seed, image).
uint64_t ImageStream(const CityStyle& style, int64_t number, int purpose) {
  return (static_cast<uint64_t>(style.aoi_number) << 48) | (static_cast<uint64_t>(number) << 8) |
         static_cast<uint64_t>(purpose);
}
enum Purpose { kRoadsPurpose = 1, kScenePurpose = 2, kSensorPurpose = 4, kLabelPurpose = 6 };

geo::GeoReference TileGeoReference(const CityStyle& style, int64_t number, int size) {
  // Tiles sit on the city's grid of 0.00351 deg (1300 px) steps, row-major by image number.
  double step = 1300 * kPixelDegrees;
  int64_t column = number % style.grid_columns, row = number / style.grid_columns;
  double x0 = style.grid_lon0 + static_cast<double>(column) * step;
  double y0 = style.grid_lat0 - static_cast<double>(row) * step;
  static const std::string wgs84 = geo::CrsWkt("EPSG:4326");
  (void)size;
  return {geo::GeoTransform::NorthUp(x0, y0, kPixelDegrees, kPixelDegrees), wgs84};
}

std::vector<std::pair<std::string, std::vector<geo::LineString>>> RealGraphs(
    const SynthOptions& options) {
  auto grouped = geo::GroupByImage(geo::ReadWktPixCsv(options.road_csv));
  std::string prefix = std::string(options.style->aoi) + "_img";
  std::vector<std::pair<std::string, std::vector<geo::LineString>>> graphs;
  for (auto& [id, lines] : grouped) {
    if (id.rfind(prefix, 0) != 0) {
      Throw(ErrorCode::kInvalidArgument, "road CSV '{}' holds image '{}', not one of {}",
            options.road_csv.string(), id, options.style->aoi);
    }
    graphs.emplace_back(id, std::move(lines));
  }
  return graphs;
}

}  // namespace

std::vector<ImagePlan> PlanImages(const SynthOptions& options) {
  const CityStyle& style = *options.style;
  RB_CHECK_ARG(options.images >= 1, "at least one image is needed");
  RB_CHECK_ARG(options.size >= 64 && options.size % 4 == 0,
               "tile size must be a multiple of 4 of at least 64 px, got {}", options.size);
  RandomStream random(options.seed, ImageStream(style, 0, 0));
  std::vector<ImagePlan> plans;
  if (!options.procedural) {
    RB_CHECK_ARG(options.size == 1300,
                 "real road graphs are 1300 px tiles; --size {} needs "
                 "--roads procedural",
                 options.size);
    auto graphs = RealGraphs(options);
    if (static_cast<size_t>(options.images) > graphs.size()) {
      Throw(ErrorCode::kInvalidArgument,
            "--images {} exceeds the {} real {} road graphs in '{}'; use --roads procedural",
            options.images, graphs.size(), style.key, options.road_csv.string());
    }
    // A seeded partial Fisher-Yates shuffle picks which real images to render.
    for (int i = 0; i < options.images; ++i) {
      size_t j = static_cast<size_t>(random.UniformInt(i, static_cast<int64_t>(graphs.size()) - 1));
      std::swap(graphs[static_cast<size_t>(i)], graphs[j]);
      ImagePlan plan;
      plan.image_id = graphs[static_cast<size_t>(i)].first;
      plan.number = geo::ImageNumber(plan.image_id);
      plan.lines = graphs[static_cast<size_t>(i)].second;
      plans.push_back(std::move(plan));
    }
  } else {
    // Non-contiguous image numbers, as in the real AOIs (train and test share one numbering).
    std::vector<int64_t> numbers;
    for (int64_t k = 1; k <= 2 * options.images + 10; ++k) numbers.push_back(k);
    for (int i = 0; i < options.images; ++i) {
      size_t j =
          static_cast<size_t>(random.UniformInt(i, static_cast<int64_t>(numbers.size()) - 1));
      std::swap(numbers[static_cast<size_t>(i)], numbers[j]);
      ImagePlan plan;
      plan.number = numbers[static_cast<size_t>(i)];
      plan.image_id = fmt::format("{}_img{}", style.aoi, plan.number);
      plans.push_back(std::move(plan));
    }
  }
  for (ImagePlan& plan : plans) {
    plan.georef = TileGeoReference(style, plan.number, options.size);
    geo::GroundSize ground =
        geo::GroundPixelSize(plan.georef, {options.size / 2.0, options.size / 2.0});
    plan.scale = {ground.x_metres, ground.y_metres};
    if (options.procedural) {
      RandomStream roads(options.seed, ImageStream(style, plan.number, kRoadsPurpose));
      plan.lines = ProceduralRoads(style, options.size, plan.scale, roads);
    }
  }
  std::sort(plans.begin(), plans.end(), [](const ImagePlan& a, const ImagePlan& b) {
    return geo::ImageIdLess()(a.image_id, b.image_id);
  });
  return plans;
}

namespace {

// Label features as SpaceNet ships them: one per centerline in lon/lat, string codes, and now
// and then two lines of one road in a MultiLineString.
std::vector<geo::RoadFeature> LabelFeatures(const ImagePlan& plan,
                                            const std::vector<SynthRoad>& roads,
                                            RandomStream& random) {
  const geo::GeoTransform& gt = *plan.georef.transform;
  auto to_lon_lat = [&](const geo::LineString& line) {
    geo::LineString out;
    for (const geo::Point2& p : line) out.push_back(gt.PixelToGeo(p));
    return out;
  };
  std::vector<geo::RoadFeature> features;
  for (size_t i = 0; i < roads.size(); ++i) {
    geo::RoadFeature feature;
    feature.parts.push_back(to_lon_lat(roads[i].line));
    if (i + 1 < roads.size() && random.Bernoulli(0.03)) {
      feature.parts.push_back(to_lon_lat(roads[++i].line));
    }
    feature.properties = geo::ToSpaceNetProperties(roads[i].attributes);
    double degrees = 0;
    for (const geo::LineString& part : feature.parts) {
      for (size_t k = 1; k < part.size(); ++k) {
        degrees += std::hypot(part[k].x - part[k - 1].x, part[k].y - part[k - 1].y);
      }
    }
    feature.properties["origlen"] = degrees;
    features.push_back(std::move(feature));
  }
  return features;
}

}  // namespace

SynthImage RenderImage(const ImagePlan& plan, const SynthOptions& options) {
  const CityStyle& style = *options.style;
  RandomStream random(options.seed, ImageStream(style, plan.number, kLabelPurpose));
  std::vector<SynthRoad> roads =
      DressRoads(plan.lines, style, plan.scale, plan.number * 1000, random);
  SceneSpec spec{&style,       roads,        plan.scale,
                 options.size, options.seed, ImageStream(style, plan.number, kScenePurpose)};
  Scene scene = RenderScene(spec);
  Imagery imagery =
      Expose(scene.canvas, style, options.seed, ImageStream(style, plan.number, kSensorPurpose));
  for (geo::Raster* raster : {&imagery.mul_pansharpen, &imagery.rgb_pansharpen, &imagery.pan}) {
    raster->georef = plan.georef;
    raster->nodata = 0;
  }
  imagery.mul.georef = {plan.georef.transform->Resampled(0.25, 0.25), plan.georef.crs_wkt};
  imagery.mul.nodata = 0;
  std::vector<geo::RoadFeature> labels = LabelFeatures(plan, roads, random);
  return {std::move(roads), std::move(scene), std::move(imagery), std::move(labels)};
}

}  // namespace rb::synth
