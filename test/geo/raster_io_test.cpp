#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "common/geo/raster_io.hpp"
#include "test/support/test_support.hpp"

namespace rb::geo {
namespace {

using test::DataSample;
using test::TempDir;

const char* kPan699 = "spacenet/solaris/PAN_AOI_2_Vegas_img699.tif";

TEST_CASE("The real SpaceNet PAN tile reads as 1300x1300 UInt16 EPSG:4326 at 2.7e-6 deg",
          "[geo][raster][real]") {
  RasterInfo info = ReadRasterInfo(DataSample(kPan699));
  CHECK(info.width == 1300);
  CHECK(info.height == 1300);
  CHECK(info.bands == 1);
  CHECK(info.type == PixelType::kUInt16);
  REQUIRE(info.georef.transform);
  auto gt = info.georef.transform->coefficients();
  CHECK(gt[0] == Approx(-115.2338076).margin(1e-9));
  CHECK(gt[3] == Approx(36.1423377).margin(1e-9));
  CHECK(gt[1] == Approx(2.7e-6).epsilon(1e-9));
  CHECK(gt[5] == Approx(-2.7e-6).epsilon(1e-9));
  CHECK(info.georef.crs_wkt.find("WGS 84") != std::string::npos);
  CHECK(info.georef.crs_wkt.find("4326") != std::string::npos);

  Raster pan = ReadRaster(DataSample(kPan699));
  auto values = pan.Band<uint16_t>(0);
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  CHECK(*lo == 1);  // 11-bit data, no nodata fill in this tile
  CHECK(*hi == 2047);
}

TEST_CASE("Windowed reads return the same samples and a shifted geotransform", "[geo][raster]") {
  Raster whole = ReadRaster(DataSample(kPan699));
  Raster window = ReadRaster(DataSample(kPan699), {.window = PixelWindow{100, 200, 64, 32}});
  REQUIRE(window.width() == 64);
  REQUIRE(window.height() == 32);
  for (int r = 0; r < 32; r += 7) {
    for (int c = 0; c < 64; c += 5) {
      CHECK(window.At<uint16_t>(0, r, c) == whole.At<uint16_t>(0, 200 + r, 100 + c));
    }
  }
  Point2 corner = window.georef.transform->PixelToGeo({0, 0});
  Point2 expected = whole.georef.transform->PixelToGeo({100, 200});
  CHECK(corner == expected);
  CHECK_THROWS_WITH(ReadRaster(DataSample(kPan699), {.window = PixelWindow{1290, 0, 20, 5}}),
                    Catch::Contains("outside raster"));
  CHECK_THROWS_WITH(ReadRaster(DataSample(kPan699), {.bands = {2}}),
                    Catch::Contains("band 2 does not exist"));
}

TEST_CASE("GeoTIFF writes round-trip samples and georeference and nodata and band names",
          "[geo][raster]") {
  TempDir dir;
  Raster raster(PixelType::kFloat32, 3, 300, 200);
  for (int b = 0; b < 3; ++b) {
    auto band = raster.Band<float>(b);
    for (size_t i = 0; i < band.size(); ++i)
      band[i] = static_cast<float>(b * 1000 + i % 997) * 0.5f;
  }
  raster.georef = ReadRasterInfo(DataSample(kPan699)).georef;
  raster.nodata = -1.0;
  raster.band_names = {"red_edge", "nir1", "nir2"};
  WriteGeoTiff(dir / "out.tif", raster);

  RasterInfo info = ReadRasterInfo(dir / "out.tif");
  CHECK(info.block_width == 256);  // tiled
  CHECK(info.georef == raster.georef);
  CHECK(info.nodata == -1.0);
  CHECK(info.band_names == raster.band_names);
  Raster back = ReadRaster(dir / "out.tif");
  CHECK(std::equal(back.bytes().begin(), back.bytes().end(), raster.bytes().begin()));
  Raster subset = ReadRaster(dir / "out.tif", {.bands = {3, 1}});
  CHECK(subset.band_names == std::vector<std::string>{"nir2", "red_edge"});
  CHECK(subset.At<float>(0, 10, 10) == raster.At<float>(2, 10, 10));
  // Only the GeoTIFF: no .aux.xml side-car.
  CHECK(dir.List() == std::vector<std::string>{"out.tif"});
}

TEST_CASE("A truncated GeoTIFF is a clear I/O error naming the file", "[geo][raster]") {
  TempDir dir;
  std::string bytes = test::ReadText(DataSample(kPan699));
  test::WriteText(dir / "cut.tif", bytes.substr(0, bytes.size() / 3));
  try {
    ReadRaster(dir / "cut.tif");
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kIo);
    CHECK_THAT(error.what(), Catch::Contains((dir / "cut.tif").string()));
    CHECK(std::string(error.what()).find('\n') == std::string::npos);
  }
  test::WriteText(dir / "text.tif", "not a tiff");
  CHECK_THROWS_WITH(ReadRasterInfo(dir / "text.tif"), Catch::Contains("cannot open raster"));
  CHECK_THROWS_WITH(ReadRasterInfo(dir / "none.tif"), Catch::Contains("no such file"));
}

TEST_CASE("Rasters without georeferencing are detected", "[geo][raster]") {
  TempDir dir;
  Raster plain(PixelType::kUInt8, 1, 8, 8);
  WriteGeoTiff(dir / "plain.tif", plain);
  RasterInfo info = ReadRasterInfo(dir / "plain.tif");
  CHECK_FALSE(info.georef.complete());
  CHECK_THROWS_WITH(RequireGeoreferenced(info, dir / "plain.tif"), Catch::Contains("has no CRS"));
}

}  // namespace
}  // namespace rb::geo
