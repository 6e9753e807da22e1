#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>

#include "common/geo/raster_io.hpp"
#include "common/geo/road_vectors.hpp"
#include "common/geo/wkt_pix.hpp"
#include "test/support/test_support.hpp"

namespace rb::geo {
namespace {

using test::DataSample;
using test::TempDir;

struct AoiCounts {
  const char* file;
  size_t rows;
  size_t images;
  size_t empty_images;
};

TEST_CASE("All four real summaryData files parse with their row and image counts",
          "[geo][wktpix][real]") {
  // Counted from the files: data rows, distinct ImageIds, LINESTRING EMPTY images
  // (2780 training images in all, as in the shared notes, section 1.1).
  const AoiCounts aois[] = {{"AOI_2_Vegas_Roads_Train.csv.gz", 17935, 989, 8},
                            {"AOI_3_Paris_Roads_Train.csv.gz", 2992, 310, 53},
                            {"AOI_4_Shanghai_Roads_Train.csv.gz", 17913, 1198, 170},
                            {"AOI_5_Khartoum_Roads_Train.csv.gz", 10078, 283, 0}};
  size_t total_images = 0;
  for (const AoiCounts& aoi : aois) {
    INFO(aoi.file);
    std::filesystem::path path = DataSample(std::string("spacenet/summaryData/") + aoi.file);
    auto rows = ReadWktPixCsv(path);
    CHECK(rows.size() == aoi.rows);
    // Reading through /vsigzip/ leaves no cache file beside the input.
    CHECK_FALSE(std::filesystem::exists(path.string() + ".properties"));
    auto images = GroupByImage(rows);
    CHECK(images.size() == aoi.images);
    size_t empty = 0;
    for (const auto& [id, lines] : images) {
      empty += lines.empty();
      CHECK(id.rfind("AOI_", 0) == 0);
    }
    CHECK(empty == aoi.empty_images);
    for (const WktPixRow& row : rows) {
      for (const Point2& p : row.line) {
        REQUIRE(p.x >= 0);
        REQUIRE(p.x <= 1300);
        REQUIRE(p.y >= 0);
        REQUIRE(p.y <= 1300);
      }
    }
    total_images += images.size();
  }
  CHECK(total_images == 2780);
}

bool Near(Point2 a, Point2 b, double tolerance) {
  return std::hypot(a.x - b.x, a.y - b.y) <= tolerance;
}

// Whether a -> b is a pair of consecutive vertices (either direction) of one of `rows`.
bool IsSegmentOf(Point2 a, Point2 b, const std::vector<LineString>& rows, double tolerance) {
  for (const LineString& row : rows) {
    for (size_t i = 0; i + 1 < row.size(); ++i) {
      if ((Near(a, row[i], tolerance) && Near(b, row[i + 1], tolerance)) ||
          (Near(b, row[i], tolerance) && Near(a, row[i + 1], tolerance))) {
        return true;
      }
    }
  }
  return false;
}

// summaryData joins some label features end to end (7 rows for img699's 9 features), so the
// comparison is segment by segment: each GeoJSON segment, converted with the PAN tile's
// geotransform, must be a segment of the summaryData rows within 0.01 px.
TEST_CASE("img699's GeoJSON in pixels matches its summaryData rows within 0.01 px",
          "[geo][wktpix][real]") {
  RasterInfo pan = ReadRasterInfo(DataSample("spacenet/solaris/PAN_AOI_2_Vegas_img699.tif"));
  const GeoTransform& gt = *pan.georef.transform;
  auto features =
      ReadRoadGeoJson(DataSample("spacenet/labels/spacenetroads_AOI_2_Vegas_img699.geojson"));
  auto truth = GroupByImage(
      ReadWktPixCsv(DataSample("spacenet/summaryData/AOI_2_Vegas_Roads_Train.csv.gz")));
  const std::vector<LineString>& rows = truth.at("AOI_2_Vegas_img699");
  CHECK(features.size() == 9);
  CHECK(rows.size() == 7);

  int segments = 0;
  for (const RoadFeature& feature : features) {
    for (const LineString& part : feature.parts) {
      for (size_t i = 0; i + 1 < part.size(); ++i) {
        Point2 a = gt.GeoToPixel(part[i]), b = gt.GeoToPixel(part[i + 1]);
        INFO("segment (" << a.x << ", " << a.y << ") - (" << b.x << ", " << b.y << ")");
        CHECK(IsSegmentOf(a, b, rows, 0.01));
        // Rounding to 2 decimals moves a vertex by at most 0.005 * sqrt(2) px; a 0.02 px shift
        // of the tile origin would already break the match.
        Point2 shift{0.02, 0};
        CHECK_FALSE(IsSegmentOf({a.x + shift.x, a.y}, {b.x + shift.x, b.y}, rows, 0.01));
        ++segments;
      }
    }
  }
  CHECK(segments == 20);
}

TEST_CASE("WKT_Pix CSV round-trips and writes SpaceNet's exact row forms", "[geo][wktpix]") {
  TempDir dir;
  std::vector<WktPixRow> rows = {{"AOI_2_Vegas_img10", {{0, 36.8}, {200.324, 34.335}}},
                                 {"AOI_2_Vegas_img10", {{1, 2}, {3, 4}, {5, 6}}},
                                 {"AOI_2_Vegas_img2", {}}};
  WriteWktPixCsv(dir / "sub.csv", rows);
  CHECK(test::ReadText(dir / "sub.csv") ==
        "ImageId,WKT_Pix\n"
        "AOI_2_Vegas_img10,\"LINESTRING (0.00 36.80, 200.32 34.34)\"\n"
        "AOI_2_Vegas_img10,\"LINESTRING (1.00 2.00, 3.00 4.00, 5.00 6.00)\"\n"
        "AOI_2_Vegas_img2,LINESTRING EMPTY\n");
  auto back = ReadWktPixCsv(dir / "sub.csv");
  REQUIRE(back.size() == 3);
  CHECK(back[0].line[1].x == 200.32);
  CHECK(back[2].line.empty());
  auto grouped = GroupByImage(back);
  CHECK(grouped.begin()->first == "AOI_2_Vegas_img2");  // natural order: img2 before img10
  CHECK(grouped.at("AOI_2_Vegas_img10").size() == 2);

  // Header optional, extra columns ignored, MULTILINESTRING split into parts.
  test::WriteText(dir / "loose.csv",
                  "AOI_3_Paris_img5,\"MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))\",12.5\r\n"
                  "AOI_3_Paris_img6,LINESTRING EMPTY\r\n");
  auto loose = ReadWktPixCsv(dir / "loose.csv");
  REQUIRE(loose.size() == 3);
  CHECK(loose[1].line == LineString{{2, 2}, {3, 3}});
}

TEST_CASE("Broken WKT_Pix rows name the file and line", "[geo][wktpix]") {
  TempDir dir;
  test::WriteText(dir / "bad.csv", "ImageId,WKT_Pix\nAOI_2_Vegas_img1,\"LINESTRING (1 2, 3)\"\n");
  CHECK_THROWS_WITH(ReadWktPixCsv(dir / "bad.csv"),
                    Catch::Contains("invalid WKT") && Catch::Contains("at line 2 of"));
  test::WriteText(dir / "poly.csv", "a_img1,\"POLYGON ((0 0, 1 0, 1 1, 0 0))\"\n");
  CHECK_THROWS_WITH(ReadWktPixCsv(dir / "poly.csv"), Catch::Contains("not a LINESTRING"));
  test::WriteText(dir / "one.csv", "just one column\n");
  CHECK_THROWS_WITH(ReadWktPixCsv(dir / "one.csv"), Catch::Contains("expected ImageId,WKT_Pix"));
}

}  // namespace
}  // namespace rb::geo
