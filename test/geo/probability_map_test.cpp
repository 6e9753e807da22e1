// Probability maps as the decision stages read them (GeoTIFF and NPY, nodata, value checks),
// points in pixels and lon/lat, and the display images drawn under overlays.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "common/geo/crs.hpp"
#include "common/geo/display_image.hpp"
#include "common/geo/probability_map.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/npy.hpp"
#include "test/support/test_support.hpp"

namespace rb::geo {
namespace {

namespace fs = std::filesystem;
using test::ErrorText;
using test::TempDir;

const GeoTransform kTransform = GeoTransform::NorthUp(-115.3, 36.2, 1e-4, 2e-4);
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

template <class T>
fs::path WriteTif(const TempDir& dir, const std::string& name, const std::vector<T>& values,
                  int width, std::optional<double> nodata, int bands = 1) {
  int height = static_cast<int>(values.size()) / width / bands;
  Raster raster(PixelTypeOf<T>(), bands, height, width);
  for (int b = 0; b < bands; ++b) {
    std::copy_n(values.begin() + static_cast<ptrdiff_t>(b) * width * height, width * height,
                raster.Band<T>(b).begin());
  }
  raster.georef = {kTransform, CrsWkt("EPSG:4326")};
  raster.nodata = nodata;
  fs::path path = dir / name;
  WriteGeoTiff(path, raster);
  return path;
}

TEST_CASE("Probability maps read GeoTIFF and NPY with their nodata", "[geo][probability]") {
  TempDir dir;
  // rb-infer's form: float32 with NaN nodata.
  ProbabilityMap map =
      ReadProbabilityMap(WriteTif<float>(dir, "p.tif", {0.1f, kNaN, 1.0f, 0.0f, 0.5f, 0.25f}, 3,
                                         std::numeric_limits<double>::quiet_NaN()));
  CHECK(map.width == 3);
  CHECK(map.height == 2);
  CHECK(map.nodata_pixels == 1);
  CHECK(map.IsNodata(1));
  CHECK(map.ValueOrZero(1) == 0.0f);
  CHECK(map.p[2] == 1.0f);
  CHECK(map.georef.complete());
  CHECK(map.source.find("p.tif") != std::string::npos);
  // A Byte mask whose nodata is 255: 255 becomes NaN, 0/1 stay.
  ProbabilityMap mask =
      ReadProbabilityMap(WriteTif<uint8_t>(dir, "m.tif", {0, 1, 255, 1}, 2, 255.0));
  CHECK(mask.nodata_pixels == 1);
  CHECK(mask.IsNodata(2));
  CHECK(mask.p[1] == 1.0f);
  // The second band of a two-band raster.
  ProbabilityMap second = ReadProbabilityMap(
      WriteTif<float>(dir, "two.tif", {0, 0, 0.75f, 0.5f}, 2, std::nullopt, 2), 2);
  CHECK(second.p == std::vector<float>{0.75f, 0.5f});
  // NPY: float64, uint8 and bool, (H, W) and (1, H, W).
  std::vector<double> f64 = {0.2, 0.4, 0.6, 0.8, 1.0, 0.0};
  io::WriteNpy(dir / "f.npy", io::NpyArray::From<double>(f64, {1, 2, 3}));
  ProbabilityMap npy = ReadProbabilityMap(dir / "f.npy");
  CHECK(npy.width == 3);
  CHECK(npy.height == 2);
  CHECK(npy.p[3] == 0.8f);
  CHECK_FALSE(npy.georef.complete());
  std::vector<uint8_t> bytes = {0, 1, 1, 0};
  io::WriteNpy(dir / "u.npy", io::NpyArray::From<uint8_t>(bytes, {2, 2}));
  CHECK(ReadProbabilityMap(dir / "u.npy").p == std::vector<float>{0, 1, 1, 0});
}

TEST_CASE("Probability maps reject values outside [0, 1] and undeclared NaN",
          "[geo][probability]") {
  TempDir dir;
  fs::path high = WriteTif<float>(dir, "high.tif", {0.1f, 0.2f, 0.3f, 1.25f}, 2, std::nullopt);
  CHECK(ErrorText(ErrorCode::kNumerical, [&] { ReadProbabilityMap(high); })
            .find("probability 1.25 at pixel (col 1, row 1) of '" + high.string() +
                  "' is outside [0, 1]") != std::string::npos);
  fs::path negative = WriteTif<float>(dir, "neg.tif", {0.1f, -0.5f}, 2, std::nullopt);
  CHECK(ErrorText(ErrorCode::kNumerical, [&] {
          ReadProbabilityMap(negative);
        }).find("probability -0.5 at pixel (col 1, row 0)") != std::string::npos);
  fs::path nan = WriteTif<float>(dir, "nan.tif", {0.1f, 0.2f, kNaN, 0.3f}, 2, std::nullopt);
  CHECK(ErrorText(ErrorCode::kNumerical, [&] {
          ReadProbabilityMap(nan);
        }).find("NaN at pixel (col 0, row 1)") != std::string::npos);
  // A numeric nodata does not make NaN acceptable.
  fs::path nan_zero = WriteTif<float>(dir, "nan0.tif", {0.1f, kNaN}, 2, 0.0);
  CHECK(ErrorText(ErrorCode::kNumerical, [&] {
          ReadProbabilityMap(nan_zero);
        }).find("whose nodata is 0") != std::string::npos);
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          ReadProbabilityMap(high, 2);
        }).find("has 1 band(s), no band 2") != std::string::npos);
  std::vector<float> cube(8, 0.5f);
  io::WriteNpy(dir / "cube.npy", io::NpyArray::From<float>(cube, {2, 2, 2}));
  CHECK(ErrorText(ErrorCode::kIo, [&] {
          ReadProbabilityMap(dir / "cube.npy");
        }).find("2-D (height, width)") != std::string::npos);
  std::vector<float> values = {0.5f, 2.0f};
  CHECK(ErrorText(ErrorCode::kNumerical, [&] {
          MakeProbabilityMap(values, 2, 1, true, "memory");
        }).find("probability 2 at pixel (col 1, row 0) of 'memory'") != std::string::npos);
}

TEST_CASE("Points are located in pixels or lon/lat and checked against the raster",
          "[geo][probability]") {
  TempDir dir;
  ProbabilityMap map = ReadProbabilityMap(
      WriteTif<float>(dir, "p.tif", std::vector<float>(20 * 10, 0.5f), 20, std::nullopt));
  std::vector<double> flat = {3, 4, 19, 9};
  std::vector<Point2> pixels = PairUp(flat, "--to");
  CHECK(LocatePoints(map, pixels, PointUnits::kPixel, "--to point ") ==
        std::vector<PixelPoint>{{3, 4}, {19, 9}});
  // Lon/lat inside pixel (7, 2), near its corner, and its centre.
  std::vector<Point2> lon_lat = {kTransform.PixelToGeo({7.02, 2.97}),
                                 kTransform.PixelToGeo({7.5, 2.5})};
  CHECK(LocatePoints(map, lon_lat, PointUnits::kLonLat, "p") ==
        std::vector<PixelPoint>{{7, 2}, {7, 2}});
  std::vector<PixelPoint> centre = {{7, 2}};
  std::vector<Point2> back = PixelCentresLonLat(map, centre);
  REQUIRE(back.size() == 1);
  CHECK(back[0].x == Approx(lon_lat[1].x).margin(1e-10));
  CHECK(back[0].y == Approx(lon_lat[1].y).margin(1e-10));

  std::vector<Point2> outside = {{3, 4}, {20, 0}};
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          LocatePoints(map, outside, PointUnits::kPixel, "--to point ");
        }).find("--to point 2 = (col 20, row 0) is outside the 20x10 raster") != std::string::npos);
  std::vector<Point2> fractional = {{3.5, 4}};
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          LocatePoints(map, fractional, PointUnits::kPixel, "A");
        }).find("must be integer pixel") != std::string::npos);
  std::vector<Point2> far = {{-115.0, 36.2}};
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          LocatePoints(map, far, PointUnits::kLonLat, "B");
        }).find("B1 = (lon -115, lat 36.2) falls at pixel") != std::string::npos);
  std::vector<float> plain(4, 0.5f);
  ProbabilityMap bare = MakeProbabilityMap(plain, 2, 2, false, "bare.npy");
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          LocatePoints(bare, lon_lat, PointUnits::kLonLat, "A");
        }).find("has no georeferencing") != std::string::npos);
  CHECK(PixelCentresLonLat(bare, centre).empty());
  std::vector<double> odd = {1, 2, 3};
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          PairUp(odd, "--from");
        }).find("--from needs x,y pairs, got 3 numbers") != std::string::npos);
  CHECK(ParsePointUnits("lonlat") == PointUnits::kLonLat);
  CHECK_THROWS_AS(ParsePointUnits("utm"), Error);
}

TEST_CASE("Display images pass bytes, stretch other types and show probabilities in grey",
          "[geo][probability]") {
  TempDir dir;
  // Three Byte bands: taken as they are, band 1 red.
  std::vector<uint8_t> rgb = {10, 20, 30, 40, 50, 60};  // bands of 2x1 pixels
  RgbImage bytes =
      ReadDisplayImage(WriteTif<uint8_t>(dir, "rgb.tif", rgb, 2, std::nullopt, 3), 2, 1);
  CHECK(bytes.rgb == std::vector<uint8_t>{10, 30, 50, 20, 40, 60});
  // One UInt16 band: grey, stretched between its 2nd and 98th percentiles.
  std::vector<uint16_t> grey(100);
  for (int i = 0; i < 100; ++i) grey[i] = static_cast<uint16_t>(1000 + 10 * i);
  RgbImage stretched =
      ReadDisplayImage(WriteTif<uint16_t>(dir, "grey.tif", grey, 10, std::nullopt), 10, 10);
  CHECK(stretched.rgb[0] == 0);
  CHECK(stretched.rgb[0] == stretched.rgb[2]);
  CHECK(stretched.rgb[99 * 3] == 255);
  CHECK(stretched.rgb[50 * 3] == Approx(128).margin(4));
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [&] {
          ReadDisplayImage(dir / "grey.tif", 20, 10);
        }).find("is 10x10, the map is 20x10") != std::string::npos);
  std::vector<float> p = {0.0f, 1.0f, 0.5f, kNaN};
  RgbImage shown = ProbabilityDisplay(MakeProbabilityMap(p, 2, 2, true, "p"));
  CHECK(shown.rgb[0] == 0);
  CHECK(shown.rgb[3] == 255);
  CHECK(shown.rgb[6] == 128);
  CHECK(std::vector<uint8_t>(shown.rgb.begin() + 9, shown.rgb.end()) ==
        std::vector<uint8_t>{10, 20, 60});
}

}  // namespace
}  // namespace rb::geo
