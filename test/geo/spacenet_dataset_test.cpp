#include <catch2/catch.hpp>

#include "common/geo/image_id.hpp"
#include "common/geo/spacenet_dataset.hpp"
#include "test/support/test_support.hpp"

namespace rb::geo {
namespace {

using test::TempDir;
namespace fs = std::filesystem;

void Touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  test::WriteText(path, "");
}

TEST_CASE("ImageIds are canonicalised from every SpaceNet file name", "[geo][spacenet]") {
  CHECK(CanonicalImageId("PAN_AOI_2_Vegas_img699.tif") == "AOI_2_Vegas_img699");
  CHECK(CanonicalImageId("MUL-PanSharpen_AOI_5_Khartoum_img12.tif") == "AOI_5_Khartoum_img12");
  CHECK(CanonicalImageId("spacenetroads_AOI_3_Paris_img6.geojson") == "AOI_3_Paris_img6");
  CHECK(CanonicalImageId("SN3_roads_train_AOI_4_Shanghai_PS-MS_img1994.tif") ==
        "AOI_4_Shanghai_img1994");
  CHECK(CanonicalImageId("SN3_roads_train_AOI_2_Vegas_geojson_roads_speed_img272.geojson") ==
        "AOI_2_Vegas_img272");
  CHECK(CanonicalImageId("SN3_roads_train_AOI_2_Vegas_geojson_roads_img272_speed.geojson") ==
        "AOI_2_Vegas_img272");
  CHECK(CanonicalImageId("AOI_2_Vegas_img0") == "AOI_2_Vegas_img0");
  CHECK_FALSE(CanonicalImageId("AOI_2_Vegas_Roads_Train.csv"));
  CHECK_FALSE(CanonicalImageId("PAN_img3.tif"));
  CHECK(ImageNumber("AOI_2_Vegas_img1649") == 1649);
  CHECK(ImageIdLess()("AOI_2_Vegas_img9", "AOI_2_Vegas_img10"));
  CHECK_FALSE(ImageIdLess()("AOI_3_Paris_img1", "AOI_2_Vegas_img10"));
}

TEST_CASE("The original competition layout is discovered", "[geo][spacenet]") {
  TempDir dir;
  fs::path aoi = dir / "data" / "AOI_2_Vegas_Roads_Train";
  for (int k : {10, 2, 699}) {
    std::string id = "AOI_2_Vegas_img" + std::to_string(k);
    for (const char* product : {"PAN", "MUL", "MUL-PanSharpen", "RGB-PanSharpen"}) {
      Touch(aoi / product / (std::string(product) + "_" + id + ".tif"));
    }
    Touch(aoi / "geojson" / "spacenetroads" / ("spacenetroads_" + id + ".geojson"));
  }
  Touch(aoi / "summaryData" / "AOI_2_Vegas_Roads_Train.csv");
  Touch(aoi / "PAN" / "notes.txt");                 // ignored: not a .tif
  Touch(aoi / "PAN" / "PAN_AOI_3_Paris_img1.tif");  // ignored: another AOI
  Touch(dir / "data" / "AOI_3_Paris_Roads_Test_Public" / "PAN" / "PAN_AOI_3_Paris_img7.tif");

  auto aois = DiscoverSpaceNet(dir.path());
  REQUIRE(aois.size() == 2);
  const SpaceNetAoi& vegas = aois[0];
  CHECK(vegas.name == "AOI_2_Vegas");
  CHECK(vegas.number == 2);
  CHECK(vegas.city == "Vegas");
  CHECK(vegas.split == "Train");
  CHECK(vegas.layout == SpaceNetLayout::kOriginal);
  REQUIRE(vegas.images.size() == 3);
  CHECK(vegas.images[0].image_id == "AOI_2_Vegas_img2");
  CHECK(vegas.images[2].image_id == "AOI_2_Vegas_img699");
  CHECK(vegas.images[1].rasters.size() == 4);
  CHECK(vegas.images[1].rasters.at(SpaceNetProduct::kMulPanSharpen).filename() ==
        "MUL-PanSharpen_AOI_2_Vegas_img10.tif");
  CHECK(vegas.images[1].labels->filename() == "spacenetroads_AOI_2_Vegas_img10.geojson");
  CHECK(vegas.summary_csvs.size() == 1);
  REQUIRE(vegas.Find("AOI_2_Vegas_img699") != nullptr);
  CHECK(vegas.Find("AOI_2_Vegas_img3") == nullptr);
  CHECK(aois[1].split == "Test_Public");
  CHECK(aois[1].images.size() == 1);
  CHECK_FALSE(aois[1].images[0].labels);
}

TEST_CASE("The 2019 re-release layout is discovered", "[geo][spacenet]") {
  TempDir dir;
  fs::path aoi = dir / "SN3_roads" / "train" / "AOI_4_Shanghai";
  Touch(aoi / "PS-MS" / "SN3_roads_train_AOI_4_Shanghai_PS-MS_img5.tif");
  Touch(aoi / "PS-RGB" / "SN3_roads_train_AOI_4_Shanghai_PS-RGB_img5.tif");
  Touch(aoi / "MS" / "SN3_roads_train_AOI_4_Shanghai_MS_img5.tif");
  Touch(aoi / "PAN" / "SN3_roads_train_AOI_4_Shanghai_PAN_img5.tif");
  Touch(aoi / "geojson_roads" / "SN3_roads_train_AOI_4_Shanghai_geojson_roads_img5.geojson");
  Touch(aoi / "geojson_roads_speed" /
        "SN3_roads_train_AOI_4_Shanghai_geojson_roads_speed_img5.geojson");

  auto aois = DiscoverSpaceNet(dir / "SN3_roads");
  REQUIRE(aois.size() == 1);
  CHECK(aois[0].layout == SpaceNetLayout::kRelease2019);
  CHECK(aois[0].split == "train");
  REQUIRE(aois[0].images.size() == 1);
  const SpaceNetImage& image = aois[0].images[0];
  CHECK(image.image_id == "AOI_4_Shanghai_img5");
  CHECK(image.rasters.size() == 4);
  CHECK(image.labels.has_value());
  CHECK(image.speed_labels.has_value());
  CHECK(ProductDirName(SpaceNetProduct::kMulPanSharpen, SpaceNetLayout::kRelease2019) == "PS-MS");
  CHECK(ProductDirName(SpaceNetProduct::kMulPanSharpen, SpaceNetLayout::kOriginal) ==
        "MUL-PanSharpen");
  // Pointing at the AOI folder itself works too.
  CHECK(DiscoverSpaceNet(aoi).size() == 1);
}

TEST_CASE("Folders without SpaceNet data are reported", "[geo][spacenet]") {
  TempDir dir;
  fs::create_directories(dir / "AOI_2_Vegas_Roads_Train" / "unrelated");
  CHECK_THROWS_WITH(DiscoverSpaceNet(dir.path()), Catch::Contains("no SpaceNet AOI folder"));
  CHECK_THROWS_WITH(DiscoverSpaceNet(dir / "nope"), Catch::Contains("does not exist"));
}

}  // namespace
}  // namespace rb::geo
