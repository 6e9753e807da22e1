// rb-apls end to end: CosmiQ's reference scores on its own test vectors, the binary on real
// summaryData, bad inputs, and rb-synth -> rb-mask -> rb-graph -> rb-apls.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "common/geo/wkt_pix.hpp"
#include "stages/apls/apls_run.hpp"
#include "test/support/test_support.hpp"

namespace rb::apls {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::TempDir;
using Json = nlohmann::json;

// A path of expected_scores.json in data-samples: the seven SpaceNet labels live in
// spacenet/labels/, the gt_json_prop_pkl truth is the gt_json_prop_wkt one (the same file), and
// the pickled networkx graphs (never copied) are replaced by the same roads as GeoJSON (truth)
// or CSV (proposal).
fs::path ReferenceInput(std::string path, bool truth) {
  if (path.ends_with(".gpickle")) {
    return test::DataSample(
        truth ? "apls/CosmiQ_apls/apls/data/gt_json_prop_wkt/ground_truth_randomized/"
                "AOI_2_Vegas_img0.geojson"
              : "apls/derived/prop_from_gpickle_wkt_pix.csv");
  }
  if (auto at = path.find("/gt_json_prop_pkl/"); at != std::string::npos) {
    path.replace(at, 18, "/gt_json_prop_wkt/");
  }
  if (path.find("/spacenetroads/") != std::string::npos) {
    return test::DataSample("spacenet/labels/spacenetroads_" + fs::path(path).filename().string());
  }
  return test::DataSample("apls/" + path);
}

TEST_CASE("The CosmiQ variant reproduces the reference on its test vectors", "[apls][real]") {
  Json expected = Json::parse(test::ReadText(test::DataSample("apls/expected_scores.json")));
  fs::path grid = test::DataSample("apls/derived/grid_AOI_2_Vegas_img0.tif");
  int compared = 0;
  for (const Json& v : expected["vectors"]) {
    const std::string gt = v["gt"], prop = v["prop"];
    INFO(v["name"].get<std::string>());
    RunSettings settings;
    Options& o = settings.options;
    o.variant = Variant::kCosmiq;
    o.snap_metres = v["params"]["max_snap_dist"];
    o.spacing_metres = v["params"]["linestring_delta"];
    o.curvature_eps = v["params"]["is_curved_eps"];
    o.min_path_metres = v["params"]["min_path_length"];
    ImageSet set = CollectImages(ReferenceInput(gt, true), ReferenceInput(prop, false), {grid});
    REQUIRE(set.jobs.size() == 1);
    ImageResult r = ScoreImage(set.jobs[0], settings);
    if (v["apls"].is_null()) {
      CHECK_FALSE(r.scored);  // the reference skips this pair
      continue;
    }
    REQUIRE(r.scored);
    // The reference's own tolerance note: its last digits move with iteration order.
    CHECK(r.score.apls == Approx(v["apls"].get<double>()).margin(1e-6));
    CHECK(r.score.truth_to_proposal.score ==
          Approx(v["apls_gt_onto_prop"].get<double>()).margin(1e-6));
    CHECK(r.score.proposal_to_truth.score ==
          Approx(v["apls_prop_onto_gt"].get<double>()).margin(1e-6));
    if (r.score.apls > 0) {  // same control points, snaps and routes
      CHECK(r.score.truth_to_proposal.control_points == v["gt_control_points"]);
      CHECK(r.score.proposal_to_truth.control_points == v["prop_control_points"]);
      CHECK(r.score.truth_to_proposal.snapped == v["gt_cp_snapped_into_prop"]);
      CHECK(r.score.proposal_to_truth.snapped == v["prop_cp_snapped_into_gt"]);
      CHECK(r.score.truth_to_proposal.routes == v["routes_gt_onto_prop"]);
      CHECK(r.score.proposal_to_truth.routes == v["routes_prop_onto_gt"]);
    }
    ++compared;
  }
  CHECK(compared == 22);
}

ProcessResult RunApls(std::vector<std::string> args) {
  args.insert(args.begin(), RB_APLS_PATH);
  args.push_back("-q");
  return test::RunProcess(args);
}

// summaryData of Paris (310 images, 53 without roads) with one image dropped, one emptied and
// one image the truth lacks.
std::string EditedParisProposal(const fs::path& truth) {
  std::string csv = "ImageId,WKT_Pix\n";
  for (const geo::WktPixRow& row : geo::ReadWktPixCsv(truth)) {
    if (row.image_id == "AOI_3_Paris_img6") continue;
    if (row.image_id == "AOI_3_Paris_img9") continue;
    csv += row.image_id + ",\"" + geo::FormatWktLineString(row.line) + "\"\n";
  }
  csv += "AOI_3_Paris_img9,LINESTRING EMPTY\nAOI_3_Paris_img9999,\"LINESTRING (0 0, 9 9)\"\n";
  return csv;
}

TEST_CASE("rb-apls scores a submission against summaryData per image and per AOI", "[apls][real]") {
  TempDir dir;
  fs::path truth = test::DataSample("spacenet/summaryData/AOI_3_Paris_Roads_Train.csv.gz");
  test::WriteText(dir / "sub.csv", EditedParisProposal(truth));
  std::vector<std::string> args = {"--truth", truth.string(), "--proposal",
                                   (dir / "sub.csv").string()};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = args;
    all.insert(all.end(), extra.begin(), extra.end());
    return RunApls(all);
  };
  ProcessResult one = with(
      {"--out", (dir / "a.json").string(), "--csv", (dir / "a.csv").string(), "--threads", "1"});
  INFO(one.err);
  REQUIRE(one.exit_code == 0);
  Json a = Json::parse(test::ReadText(dir / "a.json"));
  REQUIRE(a["images"].size() == 310);
  std::map<std::string, Json> by_id;
  for (const Json& image : a["images"]) by_id[image["image_id"]] = image;
  CHECK(by_id["AOI_3_Paris_img6"]["apls"] == 0);  // missing: an empty proposal
  CHECK(by_id["AOI_3_Paris_img6"]["note"] == "not in the proposal: scored as an empty proposal");
  CHECK(by_id["AOI_3_Paris_img9"]["apls"] == 0);
  CHECK(by_id["AOI_3_Paris_img7"]["apls"] == 1);  // no roads on either side
  CHECK(by_id["AOI_3_Paris_img10"]["apls"] == 1);
  // 308 images identical to their truth (53 of them both empty: 1), two at 0.
  CHECK(a["aois"]["AOI_3_Paris"]["apls"].get<double>() == Approx(308.0 / 310).margin(1e-9));
  CHECK(a["overall"]["apls"].get<double>() == Approx(308.0 / 310).margin(1e-9));
  std::string csv = test::ReadText(dir / "a.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 310 + 2);
  CHECK_THAT(csv, Catch::Contains("overall,,mean_of_aoi_means,"));
  Json report = Json::parse(test::ReadText(dir / "a.json.report.json"));
  CHECK(report.dump().find("\"proposal_only_images\":1") != std::string::npos);

  // Any thread count, the same bytes; missing images skipped on request.
  REQUIRE(with({"--out", (dir / "b.json").string(), "--threads", "2"}).exit_code == 0);
  CHECK(test::ReadText(dir / "a.json") == test::ReadText(dir / "b.json"));
  REQUIRE(with({"--out", (dir / "c.json").string(), "--missing", "skip"}).exit_code == 0);
  Json c = Json::parse(test::ReadText(dir / "c.json"));
  CHECK(c["overall"]["images_skipped"] == 1);
  CHECK(c["overall"]["apls"].get<double>() == Approx(308.0 / 309).margin(1e-9));
}

TEST_CASE("rb-apls refuses bad inputs with one clear line and writes nothing", "[apls]") {
  TempDir dir;
  fs::path out = dir / "out.json";
  test::WriteText(dir / "t.csv", "ImageId,WKT_Pix\nAOI_2_Vegas_img1,\"LINESTRING (0 0, 90 0)\"\n");
  test::WriteText(dir / "dup.csv",
                  "AOI_2_Vegas_img1,\"LINESTRING (0 0, 90 0)\"\n"
                  "AOI_2_Vegas_img1,\"LINESTRING (90 0, 0 0)\"\n");
  test::WriteText(dir / "bad.csv", "ImageId,WKT_Pix\nAOI_2_Vegas_img1,\"LINESTRING (0 0, x\"\n");
  std::string t = (dir / "t.csv").string();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--out", out.string()});
    return RunApls(args);
  };
  ProcessResult missing = run({"--truth", (dir / "none.csv").string(), "--proposal", t});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("none.csv' does not exist, for --truth"));
  ProcessResult variant = run({"--truth", t, "--proposal", t, "--variant", "java"});
  CHECK(variant.exit_code == 2);
  ProcessResult dup = run({"--truth", t, "--proposal", (dir / "dup.csv").string()});
  CHECK(dup.exit_code == 1);
  CHECK_THAT(dup.err, Catch::Contains("image AOI_2_Vegas_img1: segment (90.00 0.00)-(0.00 0.00) "
                                      "appears twice; the SpaceNet 3 scorer rejects"));
  CHECK_FALSE(fs::exists(out));
  CHECK(run({"--truth", t, "--proposal", (dir / "dup.csv").string(), "--no-check-submission"})
            .exit_code == 0);
  fs::remove(out);
  ProcessResult bad = run({"--truth", t, "--proposal", (dir / "bad.csv").string()});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("at line 2 of"));
  fs::path label = test::DataSample("spacenet/labels/spacenetroads_AOI_2_Vegas_img99.geojson");
  ProcessResult mixed = run({"--truth", label.string(), "--proposal", t});
  CHECK(mixed.exit_code == 2);
  CHECK_THAT(mixed.err, Catch::Contains("needs the image's raster (--images)"));
  ProcessResult cosmiq = run({"--truth", t, "--proposal", t, "--variant", "cosmiq"});
  CHECK(cosmiq.exit_code == 2);
  CHECK_THAT(cosmiq.err, Catch::Contains("give its raster with --images"));
  ProcessResult tif = run({"--truth", t, "--proposal",
                           test::DataSample("apls/derived/grid_AOI_2_Vegas_img0.tif").string()});
  CHECK(tif.exit_code == 1);
  CHECK_THAT(tif.err, Catch::Contains("expected a SpaceNet CSV"));
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("Two GeoJSON files compare on a SpaceNet pixel grid without a raster", "[apls][real]") {
  TempDir dir;
  fs::path truth = test::DataSample("spacenet/labels/spacenetroads_AOI_2_Vegas_img99.geojson");
  fs::path osm = test::DataSample(
      "apls/CosmiQ_apls/apls/data/gt_json_prop_json/AOI_2_Vegas_Train/osm/"
      "AOI_2_Vegas_img99.geojson");
  REQUIRE(RunApls({"--truth", truth.string(), "--proposal", osm.string(), "--out",
                   (dir / "x.json").string()})
              .exit_code == 0);
  Json x = Json::parse(test::ReadText(dir / "x.json"));
  REQUIRE(x["images"].size() == 1);
  CHECK(x["images"][0]["image_id"] == "AOI_2_Vegas_img99");
  double apls = x["images"][0]["apls"];
  CHECK(apls > 0.5);  // CosmiQ's reference gives 0.78 for this pair
  CHECK(apls < 1);
  REQUIRE(RunApls({"--truth", truth.string(), "--proposal", truth.string(), "--out",
                   (dir / "y.json").string()})
              .exit_code == 0);
  CHECK(Json::parse(test::ReadText(dir / "y.json"))["images"][0]["apls"] == 1);
}

}  // namespace
}  // namespace rb::apls
