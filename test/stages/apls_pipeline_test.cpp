// rb-synth -> rb-mask -> rb-graph -> rb-apls: graphs extracted from a scene's road masks score
// at least 0.9 against the scene's own labels.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/geo/image_id.hpp"
#include "common/geo/wkt_pix.hpp"
#include "test/support/test_support.hpp"

namespace rb::apls {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::TempDir;

void Run(const std::vector<std::string>& argv) {
  ProcessResult r = test::RunProcess(argv);
  INFO(argv[0] << ": " << r.err);
  REQUIRE(r.exit_code == 0);
}

// rb-graph on a 0/1 road raster (band 1), the rows appended to `rows`.
void GraphRows(const fs::path& raster, const std::string& id, const fs::path& dir,
               std::vector<geo::WktPixRow>& rows) {
  fs::path csv = dir / (id + "." + raster.stem().string() + ".csv");
  Run({RB_GRAPH_PATH, "--prob", raster.string(), "--image-id", id, "--wkt-out", csv.string(), "-q",
       "--no-report"});
  for (geo::WktPixRow& row : geo::ReadWktPixCsv(csv)) rows.push_back(std::move(row));
}

// Per-image APLS of `rows` against `truth` (summaryData).
std::map<std::string, double> Apls(const fs::path& truth, const std::vector<geo::WktPixRow>& rows,
                                   const fs::path& dir) {
  geo::WriteWktPixCsv(dir / "proposal.csv", rows);
  Run({RB_APLS_PATH, "--truth", truth.string(), "--proposal", (dir / "proposal.csv").string(),
       "--out", (dir / "apls.json").string(), "-q", "--no-report"});
  auto json = nlohmann::json::parse(test::ReadText(dir / "apls.json"));
  std::map<std::string, double> scores;
  for (const auto& image : json["images"]) scores[image["image_id"]] = image["apls"];
  return scores;
}

TEST_CASE("Graphs of rb-synth road masks score at least 0.9 against the scene's labels",
          "[apls][e2e]") {
  TempDir dir;
  // The committed scene: its exact labelled road surface, and a 2 m buffer of its labels.
  fs::path aoi = test::DataSample("synth/AOI_2_Vegas_Roads_Train");
  fs::path summary = aoi / "summaryData/AOI_2_Vegas_Roads_Train.csv";
  const std::string sample = "AOI_2_Vegas_img806";
  std::vector<geo::WktPixRow> surface;
  GraphRows(test::DataSample("synth/truth/AOI_2_Vegas_Roads_Train/truth_" + sample + ".tif"),
            sample, dir.path(), surface);
  CHECK(Apls(summary, surface, dir.path()).at(sample) >= 0.9);  // measured 0.961

  // Fresh scenes: rb-mask's buffer masks (no nodata marks, which rb-graph would take for road).
  Run({RB_SYNTH_PATH, "--city", "vegas", "--images", "2", "--seed", "5", "--out",
       (dir / "synth").string(), "-q", "--no-report"});
  fs::path fresh = dir / "synth/AOI_2_Vegas_Roads_Train";
  std::vector<geo::WktPixRow> buffered;
  int images = 0;
  for (const auto& entry : fs::directory_iterator(fresh / "PAN")) {
    std::string id = *geo::CanonicalImageId(entry.path().filename().string());
    fs::path mask = dir / (id + ".mask.tif");
    Run({RB_MASK_PATH, "--labels",
         (fresh / "geojson/spacenetroads" / ("spacenetroads_" + id + ".geojson")).string(),
         "--reference", entry.path().string(), "--nodata", "none", "--out", mask.string(), "-q",
         "--no-report"});
    GraphRows(mask, id, dir.path(), buffered);
    ++images;
  }
  REQUIRE(images == 2);
  auto scores = Apls(fresh / "summaryData/AOI_2_Vegas_Roads_Train.csv", buffered, dir.path());
  REQUIRE(scores.size() == 2);
  for (const auto& [id, apls] : scores) {
    INFO(id);
    CHECK(apls >= 0.9);
  }
}

}  // namespace
}  // namespace rb::apls
