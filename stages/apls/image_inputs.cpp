// Inputs of rb-apls: SpaceNet CSVs, GeoJSON folders or files, paired by ImageId.
#include <map>
#include <system_error>

#include "common/core/check.hpp"
#include "common/geo/image_id.hpp"
#include "common/geo/wkt_pix.hpp"
#include "common/io/file_list.hpp"
#include "stages/apls/apls_run.hpp"

namespace rb::apls {
namespace fs = std::filesystem;
namespace {

using SideMap = std::map<std::string, SideInput, geo::ImageIdLess>;

std::string IdFromName(const fs::path& file) {
  auto id = geo::CanonicalImageId(file.filename().string());
  return id ? *id : file.stem().string();
}

bool IsCsv(const fs::path& path) {
  std::string ext = path.extension().string();
  return ext == ".csv" || ext == ".txt" || ext == ".gz";
}

SideMap ReadCsvSide(const fs::path& path) {
  SideMap sides;
  for (geo::WktPixRow& row : geo::ReadWktPixCsv(path)) {
    SideInput& side = sides[row.image_id];
    side.kind = SourceKind::kWkt;
    side.listed = true;
    side.source = path;
    side.rows.push_back(std::move(row.line));
  }
  RB_CHECK_IO(!sides.empty(), "no ImageId,WKT_Pix rows in '{}'", path.string());
  return sides;
}

SideInput GeoJsonSide(const fs::path& file, const fs::path& source) {
  SideInput side;
  side.kind = SourceKind::kGeoJson;
  side.listed = true;
  side.geojson = file;
  side.source = source;
  return side;
}

SideMap ReadSide(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    SideMap sides;
    for (const fs::path& file : io::ListFiles(path.string(), {".geojson", ".json"})) {
      std::string id = IdFromName(file);
      auto [it, added] = sides.try_emplace(id, GeoJsonSide(file, path));
      RB_CHECK_IO(added, "two GeoJSON files for ImageId {} in '{}': '{}' and '{}'", id,
                  path.string(), it->second.geojson.filename().string(), file.filename().string());
    }
    return sides;
  }
  RB_CHECK_IO(fs::is_regular_file(path, ec), "'{}' is neither a file nor a folder", path.string());
  if (IsCsv(path)) return ReadCsvSide(path);
  std::string ext = path.extension().string();
  RB_CHECK_IO(ext == ".geojson" || ext == ".json",
              "'{}': expected a SpaceNet CSV (.csv, .csv.gz), a GeoJSON file or a folder of them",
              path.string());
  return {{IdFromName(path), GeoJsonSide(path, path)}};
}

std::map<std::string, fs::path> RastersById(const std::vector<fs::path>& rasters) {
  std::map<std::string, fs::path> by_id;
  for (const fs::path& file : rasters) {
    auto id = geo::CanonicalImageId(file.filename().string());
    if (!id) continue;
    auto [it, added] = by_id.try_emplace(*id, file);
    RB_CHECK_ARG(added, "two rasters for ImageId {}: '{}' and '{}'; give one product's folder", *id,
                 it->second.string(), file.string());
  }
  return by_id;
}

}  // namespace

std::string AoiOf(const std::string& image_id) {
  // AOI_<n>_<City>_...: the first three tokens, as the leaderboard groups images.
  if (image_id.rfind("AOI_", 0) != 0) return "all";
  size_t second = image_id.find('_', 4);
  size_t third = second == std::string::npos ? second : image_id.find('_', second + 1);
  return third == std::string::npos ? "all" : image_id.substr(0, third);
}

ImageSet CollectImages(const fs::path& truth, const fs::path& proposal,
                       const std::vector<fs::path>& rasters) {
  SideMap truth_sides = ReadSide(truth);
  SideMap proposal_sides = ReadSide(proposal);
  RB_CHECK_IO(!truth_sides.empty(), "no truth images in '{}'", truth.string());
  // Two single GeoJSON files compare whatever their names say.
  std::error_code ec;
  bool single_files = !fs::is_directory(truth, ec) && !fs::is_directory(proposal, ec) &&
                      !IsCsv(truth) && !IsCsv(proposal);
  if (single_files) {
    SideInput only = proposal_sides.begin()->second;
    proposal_sides = {{truth_sides.begin()->first, only}};
  }
  std::map<std::string, fs::path> raster_of = RastersById(rasters);
  ImageSet set;
  for (auto& [id, side] : truth_sides) {
    ImageJob job;
    job.image_id = id;
    job.truth = std::move(side);
    auto it = proposal_sides.find(id);
    if (it != proposal_sides.end()) {
      job.proposal = std::move(it->second);
    } else {
      job.proposal.kind = proposal_sides.begin()->second.kind;
      job.proposal.source = proposal;
    }
    if (auto r = raster_of.find(id); r != raster_of.end()) job.raster = r->second;
    set.jobs.push_back(std::move(job));
  }
  for (const auto& [id, side] : proposal_sides) set.proposal_only_images += !truth_sides.count(id);
  return set;
}

}  // namespace rb::apls
