// rb-prep's core: stretch, streaming preparation, warps, statistics, tiling and splits.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "common/geo/crs.hpp"
#include "common/geo/raster_io.hpp"
#include "stages/prep/prep.hpp"
#include "stages/prep/prep_tiles.hpp"
#include "test/support/test_support.hpp"

namespace rb::prep {
namespace {

using test::TempDir;

// A 3-band UInt16 raster on SpaceNet's Vegas grid with a nodata corner.
geo::Raster TestRaster(int width, int height) {
  geo::Raster raster(geo::PixelType::kUInt16, 3, height, width);
  for (int b = 0; b < 3; ++b) {
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        raster.At<uint16_t>(b, y, x) =
            (x < 10 && y < 10) ? 0 : static_cast<uint16_t>(100 * (b + 1) + (x * 7 + y * 3) % 1000);
      }
    }
  }
  raster.georef = {geo::GeoTransform::NorthUp(-115.2338076, 36.1423377, 2.7e-6, 2.7e-6),
                   geo::CrsWkt("EPSG:4326")};
  raster.nodata = 0;
  return raster;
}

TEST_CASE("The stretch maps hand-computed percentiles to 1..255 and keeps nodata at 0", "[prep]") {
  // Values 1..10 plus nodata zeros: numpy.percentile(1..10, [2, 98]) = [1.18, 9.82].
  geo::Raster window(geo::PixelType::kUInt16, 1, 1, 12);
  std::vector<uint16_t> values = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0};
  std::copy(values.begin(), values.end(), window.Band<uint16_t>(0).begin());
  geo::Histogram16 histogram;
  histogram.Add(window.Band<uint16_t>(0), uint16_t{0});
  geo::StretchRange range{histogram.Percentile(2), histogram.Percentile(98)};
  CHECK(range.lo == Approx(1.18));
  CHECK(range.hi == Approx(9.82));
  geo::Raster out = StretchWindow(window, {range}, OutputType::kByte, uint16_t{0});
  auto bytes = out.Band<uint8_t>(0);
  // 1 + 254 * (v - 1.18) / 8.64, rounded, clipped to 1..255; nodata stays 0.
  std::vector<uint8_t> expected = {0, 1, 25, 55, 84, 113, 143, 172, 201, 231, 255, 0};
  CHECK(std::vector<uint8_t>(bytes.begin(), bytes.end()) == expected);
  geo::Raster floats = StretchWindow(window, {range}, OutputType::kFloat32, uint16_t{0});
  CHECK(std::isnan(floats.At<float>(0, 0, 0)));
  CHECK(floats.At<float>(0, 0, 5) == Approx((5 - 1.18) / 8.64));
  geo::Raster wide = StretchWindow(window, {range}, OutputType::kUInt16, std::nullopt);
  CHECK(wide.At<uint16_t>(0, 0, 0) == 0);  // without nodata 0 is just dark
  CHECK(wide.At<uint16_t>(0, 0, 10) == 65535);
}

TEST_CASE("Prepared images keep the georeference byte-equal and stream like a whole read",
          "[prep]") {
  TempDir dir;
  geo::Raster source = TestRaster(700, 530);  // several 256-row windows and a partial one
  geo::WriteGeoTiff(dir / "in.tif", source);
  ImageSpec spec;
  spec.bands = "3,1";
  ImageReport report = PrepareImage(dir / "in.tif", dir / "out.tif", spec);
  CHECK(report.bands == std::vector<int>{3, 1});
  geo::RasterInfo in = geo::ReadRasterInfo(dir / "in.tif");
  geo::RasterInfo out = geo::ReadRasterInfo(dir / "out.tif");
  CHECK(out.georef == in.georef);
  CHECK(out.georef.transform->coefficients() == in.georef.transform->coefficients());
  CHECK(out.type == geo::PixelType::kUInt8);
  CHECK(out.nodata == 0.0);

  // The same result computed in one piece from the whole image.
  geo::Raster whole = geo::ReadRaster(dir / "in.tif", {.bands = {3, 1}});
  std::vector<geo::StretchRange> ranges;
  for (int b = 0; b < 2; ++b) {
    ranges.push_back(geo::PercentileRange(whole.Band<uint16_t>(b), 2, 98, uint16_t{0}));
  }
  geo::Raster expected = StretchWindow(whole, ranges, OutputType::kByte, uint16_t{0});
  geo::Raster written = geo::ReadRaster(dir / "out.tif");
  CHECK(std::equal(written.bytes().begin(), written.bytes().end(), expected.bytes().begin()));
  CHECK(written.At<uint8_t>(0, 5, 5) == 0);  // nodata corner
  CHECK(written.At<uint8_t>(0, 100, 100) >= 1);
}

TEST_CASE("Warps resize through GDAL or reproject to square metres in UTM", "[prep]") {
  TempDir dir;
  geo::WriteGeoTiff(dir / "in.tif", TestRaster(400, 300));
  ImageSpec half;
  half.warp.width = 200;
  half.warp.height = 150;
  PrepareImage(dir / "in.tif", dir / "half.tif", half);
  geo::RasterInfo info = geo::ReadRasterInfo(dir / "half.tif");
  CHECK(info.width == 200);
  CHECK(info.height == 150);
  auto gt = info.georef.transform->coefficients();
  CHECK(gt[0] == Approx(-115.2338076).margin(1e-9));
  CHECK(gt[1] == Approx(5.4e-6).epsilon(1e-9));

  ImageSpec utm;
  utm.utm = true;
  PrepareImage(dir / "in.tif", dir / "utm.tif", utm);
  geo::RasterInfo projected = geo::ReadRasterInfo(dir / "utm.tif");
  CHECK_THAT(projected.georef.crs_wkt, Catch::Contains("UTM zone 11N"));
  auto pgt = projected.georef.transform->coefficients();
  CHECK(pgt[1] == Approx(-pgt[5]));  // square pixels
  CHECK(pgt[1] == Approx((0.2430 + 0.2996) / 2).margin(0.002));
}

TEST_CASE("Tile origins cover every pixel and splits go by image", "[prep][tiles]") {
  CHECK(TileOrigins(1300, 512, 0, EdgeMode::kShift) == std::vector<int>{0, 512, 788});
  CHECK(TileOrigins(1300, 512, 0, EdgeMode::kZero) == std::vector<int>{0, 512, 1024});
  CHECK(TileOrigins(1300, 512, 64, EdgeMode::kShift) == std::vector<int>{0, 448, 788});
  CHECK(TileOrigins(512, 512, 0, EdgeMode::kShift) == std::vector<int>{0});
  CHECK(TileOrigins(300, 512, 0, EdgeMode::kReflect) == std::vector<int>{0});
  CHECK_THROWS(TileOrigins(1300, 512, 512, EdgeMode::kShift));

  std::vector<std::string> ids;
  for (int k = 1; k <= 24; ++k) ids.push_back("AOI_2_Vegas_img" + std::to_string(k * 7));
  std::vector<std::string> splits = SplitImages(ids, {70, 15, 15}, 3);
  std::map<std::string, int> counts;
  for (const std::string& split : splits) ++counts[split];
  CHECK(counts["train"] == 16);
  CHECK(counts["val"] == 4);
  CHECK(counts["test"] == 4);
  CHECK(SplitImages(ids, {70, 15, 15}, 3) == splits);  // deterministic
  CHECK(SplitImages(ids, {70, 15, 15}, 4) != splits);  // and seeded
  // Listing the images in another order does not move any image to another split.
  std::vector<std::string> reversed(ids.rbegin(), ids.rend());
  std::vector<std::string> reversed_splits = SplitImages(reversed, {70, 15, 15}, 3);
  for (size_t i = 0; i < ids.size(); ++i) CHECK(reversed_splits[ids.size() - 1 - i] == splits[i]);
  CHECK(SplitImages({"a_img1", "a_img2"}, {1, 0, 0}, 0) ==
        std::vector<std::string>{"train", "train"});
}

}  // namespace
}  // namespace rb::prep
