#include <catch2/catch.hpp>

#include <cmath>

#include "common/geo/crs.hpp"
#include "common/geo/raster_io.hpp"
#include "test/support/test_support.hpp"

namespace rb::geo {
namespace {

TEST_CASE("Pixel and geographic coordinates follow GDAL's corner convention", "[geo][crs]") {
  GeoTransform gt = GeoTransform::NorthUp(-115.2338076, 36.1423377, 2.7e-6, 2.7e-6);
  Point2 corner = gt.PixelToGeo({0, 0});
  CHECK(corner.x == -115.2338076);
  CHECK(corner.y == 36.1423377);
  Point2 far = gt.PixelToGeo({1300, 1300});
  CHECK(far.x == Approx(-115.2302976).epsilon(1e-12));
  CHECK(far.y == Approx(36.1388277).epsilon(1e-12));
  Point2 back = gt.GeoToPixel(gt.PixelToGeo({123.25, 987.5}));
  CHECK(back.x == Approx(123.25).margin(1e-6));
  CHECK(back.y == Approx(987.5).margin(1e-6));
  // A rotated transform goes through GDAL's inversion.
  GeoTransform rotated({10, 2, 0.5, 20, 0.25, -3});
  Point2 p = rotated.GeoToPixel(rotated.PixelToGeo({7, 9}));
  CHECK(p.x == Approx(7));
  CHECK(p.y == Approx(9));
  CHECK(gt.Window(100, 50).PixelToGeo({0, 0}) == gt.PixelToGeo({100, 50}));
}

TEST_CASE("SpaceNet pixels are 0.30 m north-south but narrower east-west", "[geo][crs][real]") {
  RasterInfo info = ReadRasterInfo(test::DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif"));
  GroundSize size = GroundPixelSize(info.georef, {650, 650});
  // Oracle: lengths of 2.7e-6 deg along the parallel and the meridian of the WGS 84 ellipsoid at
  // the pixel's latitude (radii of curvature N cos(phi) and M).
  const double a = 6378137.0, f = 1 / 298.257223563, e2 = f * (2 - f);
  double phi = (36.1423377 - 650.5 * 2.7e-6) * M_PI / 180;
  double w = 1 - e2 * std::sin(phi) * std::sin(phi);
  double radians = 2.7e-6 * M_PI / 180;
  CHECK(size.x_metres == Approx(radians * a * std::cos(phi) / std::sqrt(w)).margin(1e-6));
  CHECK(size.y_metres == Approx(radians * a * (1 - e2) / std::pow(w, 1.5)).margin(1e-6));
  CHECK(size.y_metres == Approx(0.2996).margin(0.0001));
  CHECK(size.x_metres == Approx(0.2430).margin(0.0001));
}

TEST_CASE("The local UTM frame is the right zone and matches PROJ's cs2cs", "[geo][crs]") {
  CHECK(UtmEpsgFor(-115.23, 36.14) == 32611);  // Vegas
  CHECK(UtmEpsgFor(2.35, 48.85) == 32631);     // Paris
  CHECK(UtmEpsgFor(121.47, 31.23) == 32651);   // Shanghai
  CHECK(UtmEpsgFor(32.53, 15.59) == 32636);    // Khartoum
  CHECK(UtmEpsgFor(18.4, -33.9) == 32734);     // southern hemisphere
  MetricFrame frame = MetricFrame::LocalUtm(-115.2338076, 36.1423377);
  CHECK(frame.epsg() == 32611);
  // Reference from PROJ's own command-line tool:
  // echo -115.2338076 36.1423377 | cs2cs -d 3 +proj=longlat +datum=WGS84 +to EPSG:32611
  // -> 658903.906 4001180.746
  Point2 metres = frame.ToMetres({-115.2338076, 36.1423377});
  CHECK(metres.x == Approx(658903.906).margin(0.002));
  CHECK(metres.y == Approx(4001180.746).margin(0.002));
  Point2 back = frame.ToLonLat(metres);
  CHECK(back.x == Approx(-115.2338076).margin(1e-9));
  CHECK(back.y == Approx(36.1423377).margin(1e-9));
  // 1300 pixels of latitude measured in UTM ~ 390 m.
  double height = std::abs(frame.ToMetres({-115.2338076, 36.1388277}).y - metres.y);
  CHECK(height == Approx(1300 * 0.2997).margin(0.5));
}

TEST_CASE("Geodesic distances and CRS classification", "[geo][crs]") {
  // One degree of latitude at the equator: 110574.4 m on WGS 84.
  CHECK(GeodesicDistance({0, 0}, {0, 1}) == Approx(110574.4).margin(0.5));
  // A polyline's length runs along it: there and back is twice the way, not 0.
  CHECK(GeodesicLength({{0, 0}, {0, 1}, {0, 0}}) == Approx(2 * 110574.4).margin(1));
  CHECK(GeodesicLength({{0, 0}}) == 0);
  CHECK(IsGeographic("EPSG:4326"));
  CHECK_FALSE(IsGeographic("EPSG:32611"));
  CHECK_THROWS_WITH(IsGeographic("EPSG:999999"), Catch::Contains("cannot read the CRS"));
  CHECK_THROWS_WITH(CrsTransform("EPSG:4326", "nonsense"),
                    Catch::Contains("PROJ cannot transform"));
}

TEST_CASE("Ground pixel size in a projected CRS equals its grid spacing", "[geo][crs]") {
  GeoReference utm{GeoTransform::NorthUp(658903.0, 4001180.0, 0.5, 0.5), "EPSG:32611"};
  GroundSize size = GroundPixelSize(utm, {10, 10});
  // UTM scale factor near this easting is ~0.9997: ground = grid / k.
  CHECK(size.x_metres == Approx(0.5).epsilon(0.002));
  CHECK(size.y_metres == Approx(0.5).epsilon(0.002));
}

}  // namespace
}  // namespace rb::geo
