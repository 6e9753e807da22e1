// rb-apls internals: the images to score (inputs paired by ImageId), scoring one image from its
// files, and the per-image / per-AOI / overall summary.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stages/apls/apls.hpp"

namespace rb::apls {

enum class SourceKind { kWkt, kGeoJson };

// One side (truth or proposal) of one image.
struct SideInput {
  SourceKind kind = SourceKind::kWkt;
  bool listed = false;                // the image appears in this input
  std::vector<geo::LineString> rows;  // kWkt: its rows in pixels, empty = LINESTRING EMPTY
  std::filesystem::path geojson;      // kGeoJson: the file, read when the image is scored
  std::filesystem::path source;       // the input it comes from, for messages
};

struct ImageJob {
  std::string image_id;
  SideInput truth;
  SideInput proposal;
  std::filesystem::path raster;  // the image's grid (from --images), empty when none
};

struct ImageSet {
  std::vector<ImageJob> jobs;        // every truth image, in ImageId order
  int64_t proposal_only_images = 0;  // proposal images the truth does not have (not scored)
};

// `truth` and `proposal`: a SpaceNet CSV (ImageId,WKT_Pix; .gz read directly), a folder of
// GeoJSON files named with their ImageIds, or one GeoJSON file (two single files are one image
// whatever their names). `rasters`: files whose names give ImageIds, for georeferences.
// Throws kIo naming the input when it is unreadable or holds no image.
ImageSet CollectImages(const std::filesystem::path& truth, const std::filesystem::path& proposal,
                       const std::vector<std::filesystem::path>& rasters);

// "AOI_2_Vegas" for "AOI_2_Vegas_img5"; "all" for ids without an AOI.
std::string AoiOf(const std::string& image_id);

enum class MissingPolicy {
  kEmpty,  // an image the proposal lacks is scored as an empty proposal (the contest's rule)
  kSkip,   // not scored (the offline tester's behaviour)
};

struct RunSettings {
  Options options;
  MissingPolicy missing = MissingPolicy::kEmpty;
  bool check_submission = true;  // kLeaderboard: refuse CSV rows the scorer rejects
};

struct ImageResult {
  std::string image_id;
  bool scored = false;
  std::string note;  // why skipped, or what was assumed
  GraphScore score;
  LengthOverlap overlap;  // lengths in metres
  int64_t truth_nodes = 0, proposal_nodes = 0;
};

// Reads, builds and scores one image. Throws kIo on unreadable files or (with check_submission)
// rows the leaderboard scorer rejects, kInvalidArgument when a georeference is needed but absent.
ImageResult ScoreImage(const ImageJob& job, const RunSettings& settings);

// {"variant", "images": [...], "aois": {...}, "overall": {...}} and the same as CSV rows.
nlohmann::ordered_json Summarise(const std::vector<ImageResult>& results,
                                 const RunSettings& settings);
std::string ToCsv(const nlohmann::ordered_json& summary);

}  // namespace rb::apls
