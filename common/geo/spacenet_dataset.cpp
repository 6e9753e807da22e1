#include "common/geo/spacenet_dataset.hpp"

#include <algorithm>
#include <deque>
#include <regex>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "common/geo/image_id.hpp"

namespace rb::geo {
namespace fs = std::filesystem;
namespace {

constexpr int kMaxSearchDepth = 4;

struct ProductFolder {
  std::string_view dir;
  SpaceNetProduct product;
  SpaceNetLayout layout;
};
constexpr ProductFolder kProductFolders[] = {
    {"PAN", SpaceNetProduct::kPan, SpaceNetLayout::kOriginal},
    {"MUL", SpaceNetProduct::kMul, SpaceNetLayout::kOriginal},
    {"MUL-PanSharpen", SpaceNetProduct::kMulPanSharpen, SpaceNetLayout::kOriginal},
    {"RGB-PanSharpen", SpaceNetProduct::kRgbPanSharpen, SpaceNetLayout::kOriginal},
    {"MS", SpaceNetProduct::kMul, SpaceNetLayout::kRelease2019},
    {"PS-MS", SpaceNetProduct::kMulPanSharpen, SpaceNetLayout::kRelease2019},
    {"PS-RGB", SpaceNetProduct::kRgbPanSharpen, SpaceNetLayout::kRelease2019},
};

struct AoiName {
  std::string name;
  int number;
  std::string city;
  std::string suffix;  // "_Roads_Train" or ""
};

std::optional<AoiName> ParseAoiDirName(const std::string& dir_name) {
  static const std::regex pattern(R"(^AOI_(\d+)_([A-Za-z]+)(.*)$)");
  std::smatch match;
  if (!std::regex_match(dir_name, match, pattern)) return std::nullopt;
  return AoiName{fmt::format("AOI_{}_{}", match[1].str(), match[2].str()), std::stoi(match[1]),
                 match[2].str(), match[3].str()};
}

bool IsDir(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool HasDataFolders(const fs::path& dir) {
  for (const ProductFolder& folder : kProductFolders) {
    if (IsDir(dir / folder.dir)) return true;
  }
  return IsDir(dir / "geojson" / "spacenetroads") || IsDir(dir / "geojson_roads") ||
         IsDir(dir / "summaryData");
}

// Files of `dir` with `extension`, sorted, as (canonical id, path); names without an id skipped.
std::vector<std::pair<std::string, fs::path>> IdentifiedFiles(const fs::path& dir,
                                                              std::string_view extension,
                                                              const std::string& aoi_name) {
  std::vector<std::pair<std::string, fs::path>> out;
  if (!IsDir(dir)) return out;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != extension) continue;
    std::optional<std::string> id = CanonicalImageId(entry.path().filename().string());
    if (id && id->rfind(aoi_name + "_img", 0) == 0) out.emplace_back(*id, entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

SpaceNetAoi ScanAoi(const fs::path& dir, const AoiName& aoi_name) {
  SpaceNetAoi aoi;
  aoi.name = aoi_name.name;
  aoi.number = aoi_name.number;
  aoi.city = aoi_name.city;
  aoi.dir = dir;
  bool modern = IsDir(dir / "PS-MS") || IsDir(dir / "PS-RGB") || IsDir(dir / "MS") ||
                IsDir(dir / "geojson_roads");
  aoi.layout = modern ? SpaceNetLayout::kRelease2019 : SpaceNetLayout::kOriginal;
  if (aoi_name.suffix.rfind("_Roads_", 0) == 0) {
    aoi.split = aoi_name.suffix.substr(7);
  } else if (aoi_name.suffix.empty()) {
    aoi.split = dir.parent_path().filename().string();  // 2019: .../train/AOI_2_Vegas
  }

  std::map<std::string, SpaceNetImage, ImageIdLess> images;
  auto image = [&](const std::string& id) -> SpaceNetImage& {
    SpaceNetImage& entry = images[id];
    entry.image_id = id;
    return entry;
  };
  for (const ProductFolder& folder : kProductFolders) {
    for (auto& [id, path] : IdentifiedFiles(dir / folder.dir, ".tif", aoi.name)) {
      image(id).rasters[folder.product] = path;
    }
  }
  for (const fs::path& labels : {dir / "geojson" / "spacenetroads", dir / "geojson_roads"}) {
    for (auto& [id, path] : IdentifiedFiles(labels, ".geojson", aoi.name)) image(id).labels = path;
  }
  for (auto& [id, path] : IdentifiedFiles(dir / "geojson_roads_speed", ".geojson", aoi.name)) {
    image(id).speed_labels = path;
  }
  if (IsDir(dir / "summaryData")) {
    for (const fs::directory_entry& entry : fs::directory_iterator(dir / "summaryData")) {
      std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && (name.ends_with(".csv") || name.ends_with(".csv.gz"))) {
        aoi.summary_csvs.push_back(entry.path());
      }
    }
    std::sort(aoi.summary_csvs.begin(), aoi.summary_csvs.end());
  }
  for (auto& [id, entry] : images) aoi.images.push_back(std::move(entry));
  return aoi;
}

}  // namespace

std::string_view SpaceNetLayoutName(SpaceNetLayout layout) {
  return layout == SpaceNetLayout::kOriginal ? "sn3" : "sn3-2019";
}

std::string_view ProductDirName(SpaceNetProduct product, SpaceNetLayout layout) {
  for (const ProductFolder& folder : kProductFolders) {
    if (folder.product == product && folder.layout == layout) return folder.dir;
  }
  // PAN is named the same in both layouts.
  return "PAN";
}

const SpaceNetImage* SpaceNetAoi::Find(std::string_view image_id) const {
  auto it = std::lower_bound(images.begin(), images.end(), image_id,
                             [](const SpaceNetImage& image, std::string_view id) {
                               return ImageIdLess()(image.image_id, id);
                             });
  return it != images.end() && it->image_id == image_id ? &*it : nullptr;
}

std::vector<SpaceNetAoi> DiscoverSpaceNet(const fs::path& root) {
  if (!IsDir(root)) {
    Throw(ErrorCode::kIo, "SpaceNet data folder '{}' does not exist", root.string());
  }
  std::vector<SpaceNetAoi> aois;
  std::deque<std::pair<fs::path, int>> queue{{root, 0}};
  while (!queue.empty()) {
    auto [dir, depth] = queue.front();
    queue.pop_front();
    std::optional<AoiName> name = ParseAoiDirName(dir.filename().string());
    if (name && HasDataFolders(dir)) {
      aois.push_back(ScanAoi(dir, *name));
      continue;  // AOI folders do not nest
    }
    if (depth == kMaxSearchDepth) continue;
    std::vector<fs::path> children;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_directory(ec)) children.push_back(entry.path());
    }
    std::sort(children.begin(), children.end());
    for (fs::path& child : children) queue.emplace_back(std::move(child), depth + 1);
  }
  if (aois.empty()) {
    Throw(ErrorCode::kIo,
          "no SpaceNet AOI folder (AOI_<n>_<City>... with PAN/, MUL-PanSharpen/, PS-MS/ or "
          "labels) found under '{}'",
          root.string());
  }
  std::sort(aois.begin(), aois.end(), [](const SpaceNetAoi& a, const SpaceNetAoi& b) {
    return std::tie(a.number, a.split, a.dir) < std::tie(b.number, b.split, b.dir);
  });
  return aois;
}

namespace {
// "img5" of "AOI_2_Vegas_img5".
std::string_view ImagePart(std::string_view image_id) {
  size_t pos = image_id.rfind("_img");
  return pos == std::string_view::npos ? image_id : image_id.substr(pos + 1);
}
}  // namespace

std::string SpaceNetNaming::AoiDir() const {
  if (layout == SpaceNetLayout::kOriginal) {
    return fmt::format("{}_Roads_{}", aoi, test ? "Test_Public" : "Train");
  }
  return fmt::format("{}/{}", test ? "test_public" : "train", aoi);
}

std::string SpaceNetNaming::ProductPath(SpaceNetProduct product, std::string_view image_id) const {
  std::string_view dir = ProductDirName(product, layout);
  if (layout == SpaceNetLayout::kOriginal) return fmt::format("{0}/{0}_{1}.tif", dir, image_id);
  return fmt::format("{0}/SN3_roads_{1}_{2}_{0}_{3}.tif", dir, test ? "test_public" : "train", aoi,
                     ImagePart(image_id));
}

std::string SpaceNetNaming::LabelPath(std::string_view image_id) const {
  if (layout == SpaceNetLayout::kOriginal) {
    return fmt::format("geojson/spacenetroads/spacenetroads_{}.geojson", image_id);
  }
  return fmt::format("geojson_roads/SN3_roads_{}_{}_geojson_roads_{}.geojson",
                     test ? "test_public" : "train", aoi, ImagePart(image_id));
}

std::string SpaceNetNaming::SummaryPath() const {
  if (layout == SpaceNetLayout::kOriginal) return fmt::format("summaryData/{}.csv", AoiDir());
  return fmt::format("summaryData/SN3_roads_{}_{}.csv", test ? "test_public" : "train", aoi);
}

}  // namespace rb::geo
