// Finding SpaceNet 3 data on disk, in either release layout (shared notes spacenet-format.md 1.2
// and 1.3):
//   original  AOI_2_Vegas_Roads_Train/{PAN,MUL,MUL-PanSharpen,RGB-PanSharpen}/<PRODUCT>_<id>.tif
//             AOI_2_Vegas_Roads_Train/geojson/spacenetroads/spacenetroads_<id>.geojson
//             AOI_2_Vegas_Roads_Train/summaryData/AOI_2_Vegas_Roads_Train.csv
//   2019 .../train/AOI_2_Vegas/{PAN,MS,PS-MS,PS-RGB}/SN3_roads_train_AOI_2_Vegas_PS-MS_img<k>.tif
//             .../train/AOI_2_Vegas/geojson_roads[_speed]/SN3_roads_train_..._img<k>.geojson
// Every file is keyed by its canonical ImageId "AOI_<n>_<City>_img<k>".
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rb::geo {

enum class SpaceNetLayout { kOriginal, kRelease2019 };
std::string_view SpaceNetLayoutName(SpaceNetLayout layout);  // "sn3", "sn3-2019"

enum class SpaceNetProduct { kPan, kMul, kMulPanSharpen, kRgbPanSharpen };
// Folder (and file prefix) of a product in a layout: MUL-PanSharpen vs PS-MS, ...
std::string_view ProductDirName(SpaceNetProduct product, SpaceNetLayout layout);

struct SpaceNetImage {
  std::string image_id;
  std::map<SpaceNetProduct, std::filesystem::path> rasters;
  std::optional<std::filesystem::path> labels;        // spacenetroads / geojson_roads
  std::optional<std::filesystem::path> speed_labels;  // geojson_roads_speed
};

struct SpaceNetAoi {
  std::string name;  // "AOI_2_Vegas"
  int number = 0;    // 2
  std::string city;  // "Vegas"
  std::filesystem::path dir;
  SpaceNetLayout layout = SpaceNetLayout::kOriginal;
  std::string split;  // "Train", "Test_Public", "Sample", "train", ... ("" when unnamed)
  std::vector<std::filesystem::path> summary_csvs;
  std::vector<SpaceNetImage> images;  // ImageId order (img2 before img10)

  const SpaceNetImage* Find(std::string_view image_id) const;
};

// Finds AOI folders at `root` or up to four levels below it. Throws kIo when `root` does not
// exist or holds no SpaceNet AOI folder.
std::vector<SpaceNetAoi> DiscoverSpaceNet(const std::filesystem::path& root);

// File names of one AOI in a layout, relative to the dataset root (the writer's side of the
// conventions DiscoverSpaceNet reads).
struct SpaceNetNaming {
  SpaceNetLayout layout = SpaceNetLayout::kOriginal;
  std::string aoi;  // "AOI_2_Vegas"
  bool test = false;

  // "AOI_2_Vegas_Roads_Train" / "AOI_2_Vegas_Roads_Test_Public"; "train/AOI_2_Vegas" /
  // "test_public/AOI_2_Vegas".
  std::string AoiDir() const;
  // Relative to AoiDir(): "PAN/PAN_AOI_2_Vegas_img5.tif",
  // "PS-MS/SN3_roads_train_AOI_2_Vegas_PS-MS_img5.tif".
  std::string ProductPath(SpaceNetProduct product, std::string_view image_id) const;
  // Relative to AoiDir(): "geojson/spacenetroads/spacenetroads_AOI_2_Vegas_img5.geojson",
  // "geojson_roads/SN3_roads_train_AOI_2_Vegas_geojson_roads_img5.geojson".
  std::string LabelPath(std::string_view image_id) const;
  // Relative to AoiDir(): "summaryData/AOI_2_Vegas_Roads_Train.csv",
  // "summaryData/SN3_roads_train_AOI_2_Vegas.csv".
  std::string SummaryPath() const;
};

}  // namespace rb::geo
