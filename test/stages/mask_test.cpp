// rb-mask's core on real SpaceNet data and on rb-synth scenes with exact truth.
#include <catch2/catch.hpp>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "common/geo/raster_io.hpp"
#include "common/geo/road_vectors.hpp"
#include "stages/mask/mask.hpp"
#include "stages/prep/prep.hpp"
#include "stages/synth/synth.hpp"
#include "test/support/test_support.hpp"

namespace rb::mask {
namespace {

using test::DataSample;

Grid PanGrid() {
  geo::RasterInfo info =
      geo::ReadRasterInfo(DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif"));
  return {info.width, info.height, info.georef};
}

std::vector<geo::RoadFeature> Labels(const std::string& image) {
  return geo::ReadRoadGeoJson(
      DataSample("spacenet/labels/spacenetroads_AOI_2_Vegas_" + image + ".geojson"));
}

TEST_CASE("The buffer mask of img699 reproduces solaris' reference mask", "[mask][real]") {
  cv::Mat ours = BufferMask(Labels("img699"), PanGrid(), {.half_width_m = 2.0});
  geo::Raster reference =
      geo::ReadRaster(DataSample("spacenet/solaris/mask_4m_total_width_AOI_2_Vegas_img699.tif"));
  cv::Mat theirs(1300, 1300, CV_8U, reference.Band<uint8_t>(0).data());
  cv::Mat a = ours > 0, b = theirs > 0;
  double iou = static_cast<double>(cv::countNonZero(a & b)) / cv::countNonZero(a | b);
  CHECK(iou >= 0.98);
  INFO("IoU " << iou);
  CHECK(iou == Approx(1.0));  // measured: identical pixels
  // 4 m on the ground: ~13-14 px tall on east-west roads, ~16-17 px wide on north-south ones.
  int column = 1300 - 20;
  int tall = cv::countNonZero(a.col(column)(cv::Rect(0, 0, 1, 60)));
  CHECK(tall >= 13);
  CHECK(tall <= 14);
}

TEST_CASE("Flood fill on real PAN img699 widens labels without leaking", "[mask][real]") {
  Grid grid = PanGrid();
  geo::Raster pan = geo::ReadRaster(DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif"));
  cv::Mat image(1300, 1300, CV_8U);
  auto samples = pan.Band<uint16_t>(0);
  geo::StretchToByte(samples, geo::PercentileRange(samples, 2, 98, std::nullopt),
                     {image.data, samples.size()}, std::nullopt);
  std::vector<geo::RoadFeature> labels = Labels("img699");
  FloodResult result = FloodFillMask(labels, grid, image, cv::Mat(), {});
  cv::Mat buffer = BufferMask(labels, grid, {.half_width_m = 2.0});
  cv::Mat bound = BufferMask(labels, grid, {.half_width_m = 6.0});
  int64_t labelled = cv::countNonZero(result.mask);
  CHECK(labelled > 1.2 * cv::countNonZero(buffer));          // real roads are wider than 4 m
  CHECK(cv::countNonZero(result.mask & (bound == 0)) == 0);  // never beyond 6 m
  CHECK(labelled < 0.8 * cv::countNonZero(bound));           // and far from filling the whole band
  CHECK(result.core_pixels + result.fill_added_pixels == labelled);
  CHECK(result.seeds > 20);
}

TEST_CASE("Flood fill labels more road than the buffer at equal or better precision",
          "[mask][synth]") {
  // rb-synth scenes with exact truth: recall over the labelled road surface, precision as the
  // share of labelled pixels on real road or paved surface (cul-de-sac bulbs and the like count).
  for (const char* city : {"vegas", "paris"}) {
    INFO(city);
    synth::SynthOptions options;
    options.style = &synth::CityStyleFor(city);
    options.images = 4;
    options.seed = 21;
    options.road_csv = std::filesystem::path(RB_TEST_DATA_DIR) / "spacenet" / "summaryData" /
                       (std::string(options.style->aoi) + "_Roads_Train.csv.gz");
    int64_t road = 0, fill_hits = 0, fill_on_road = 0, fill_total = 0;
    int64_t buffer_hits = 0, buffer_on_road = 0, buffer_total = 0;
    for (const synth::ImagePlan& plan : synth::PlanImages(options)) {
      if (plan.lines.empty()) continue;
      synth::SynthImage image = synth::RenderImage(plan, options);
      const geo::Raster& ms = image.imagery.mul_pansharpen;
      Grid grid{ms.width(), ms.height(), plan.georef};
      // The prepared image as rb-prep writes it, then Blue, Red and NIR1 as rb-mask picks them.
      geo::Raster bands(geo::PixelType::kUInt16, 3, ms.height(), ms.width());
      int picks[3] = {synth::kNir1, synth::kRed, synth::kBlue};  // B, G, R channel order
      std::vector<geo::StretchRange> ranges;
      for (int c = 0; c < 3; ++c) {
        auto from = ms.Band<uint16_t>(picks[c]);
        std::copy(from.begin(), from.end(), bands.Band<uint16_t>(c).begin());
        ranges.push_back(geo::PercentileRange(from, 2, 98, uint16_t{0}));
      }
      geo::Raster prepared =
          prep::StretchWindow(bands, ranges, prep::OutputType::kByte, uint16_t{0});
      std::vector<cv::Mat> channels;
      for (int c = 0; c < 3; ++c) {
        channels.emplace_back(ms.height(), ms.width(), CV_8U, prepared.Band<uint8_t>(c).data());
      }
      cv::Mat fill_image;
      cv::merge(channels, fill_image);
      cv::Mat nodata = image.imagery.nodata;
      FloodResult fill = FloodFillMask(image.labels, grid, fill_image, nodata, {});
      cv::Mat buffer = BufferMask(image.labels, grid, {.half_width_m = 2.0});
      buffer.setTo(0, nodata);
      const synth::Canvas& truth = image.scene.canvas;
      cv::Mat on_road = truth.road == 1;
      cv::Mat surface = on_road | (truth.paved == 1);
      cv::Mat valid = nodata == 0;
      road += cv::countNonZero(on_road & valid);
      fill_hits += cv::countNonZero(fill.mask & on_road);
      fill_on_road += cv::countNonZero(fill.mask & surface);
      fill_total += cv::countNonZero(fill.mask);
      buffer_hits += cv::countNonZero(buffer & on_road);
      buffer_on_road += cv::countNonZero(buffer & surface);
      buffer_total += cv::countNonZero(buffer);
    }
    double fill_recall = static_cast<double>(fill_hits) / road;
    double buffer_recall = static_cast<double>(buffer_hits) / road;
    double fill_precision = static_cast<double>(fill_on_road) / fill_total;
    double buffer_precision = static_cast<double>(buffer_on_road) / buffer_total;
    INFO("fill recall " << fill_recall << " precision " << fill_precision << "; buffer recall "
                        << buffer_recall << " precision " << buffer_precision);
    CHECK(fill_recall > 1.1 * buffer_recall);
    CHECK(fill_precision >= buffer_precision);
  }
}

// The Vegas tile holding `labels`: tiles lie on a 0.00351 deg grid through (-115.3075176,
// 36.1423377) (shared notes 1.4).
Grid VegasTileOf(const std::vector<geo::RoadFeature>& labels) {
  double lon = 1e9, lat = -1e9;
  for (const auto& feature : labels) {
    for (const auto& part : feature.parts) {
      for (const geo::Point2& p : part) {
        lon = std::min(lon, p.x);
        lat = std::max(lat, p.y);
      }
    }
  }
  double step = 0.00351;
  double x0 = -115.3075176 + std::floor((lon + 115.3075176) / step + 1e-6) * step;
  double y0 = 36.1423377 + std::ceil((lat - 36.1423377) / step - 1e-6) * step;
  return {
      1300, 1300, {geo::GeoTransform::NorthUp(x0, y0, 2.7e-6, 2.7e-6), PanGrid().georef.crs_wkt}};
}

TEST_CASE("Bresenham instances match OpenCV's lines pixel for pixel", "[mask][real]") {
  // img995 has a MultiLineString: its parts become separate instances.
  for (const char* image : {"img699", "img995"}) {
    INFO(image);
    std::vector<geo::RoadFeature> labels = Labels(image);
    Grid grid = VegasTileOf(labels);
    Instances instances = BresenhamInstances(labels, grid, 1);
    size_t parts = 0;
    for (const geo::RoadFeature& feature : labels) parts += feature.parts.size();
    REQUIRE(instances.stack.shape.size() == 3);
    CHECK(instances.stack.shape[1] == 1300);
    // Independently: each part's lon/lat through the tile's geotransform, floored, cv::line.
    const geo::GeoTransform& gt = *grid.georef.transform;
    int64_t n = 0;
    cv::Mat union_mask(1300, 1300, CV_8U, cv::Scalar(0));
    for (const geo::RoadFeature& feature : labels) {
      for (const geo::LineString& part : feature.parts) {
        cv::Mat expected(1300, 1300, CV_8U, cv::Scalar(0));
        for (size_t i = 0; i + 1 < part.size(); ++i) {
          geo::Point2 a = gt.GeoToPixel(part[i]), b = gt.GeoToPixel(part[i + 1]);
          cv::line(expected, {static_cast<int>(std::floor(a.x)), static_cast<int>(std::floor(a.y))},
                   {static_cast<int>(std::floor(b.x)), static_cast<int>(std::floor(b.y))},
                   cv::Scalar(1), 1, cv::LINE_8);
        }
        cv::Mat ours(1300, 1300, CV_8U, instances.stack.data.data() + n * 1300 * 1300);
        CHECK(cv::countNonZero(ours != expected) == 0);
        union_mask |= expected;
        ++n;
      }
    }
    CHECK(n == instances.stack.shape[0]);
    CHECK(static_cast<size_t>(n) == parts);
    CHECK(cv::countNonZero(instances.mask != union_mask) == 0);
    double max_id = 0;
    cv::minMaxLoc(instances.ids, nullptr, &max_id);
    CHECK(max_id == n);
  }
  // Clipping: a line running out of the tile keeps its inside part; one wholly outside is dropped.
  Grid grid = PanGrid();
  const geo::GeoTransform& gt = *grid.georef.transform;
  geo::RoadFeature crossing, outside;
  crossing.parts = {{gt.PixelToGeo({650, 650}), gt.PixelToGeo({2000, 650})}};
  outside.parts = {{gt.PixelToGeo({1500, 100}), gt.PixelToGeo({1800, 300})}};
  Instances clipped = BresenhamInstances({crossing, outside}, grid, 3);
  CHECK(clipped.stack.shape[0] == 1);
  cv::Rect box = cv::boundingRect(clipped.mask);
  CHECK(box.x >= 645);
  CHECK(box.x + box.width == 1300);  // clipped at the tile edge
  CHECK(std::abs(box.y + box.height / 2.0 - 650) <= 1);
  CHECK(box.height <= 6);
}

}  // namespace
}  // namespace rb::mask
