// rb-apls's parameters and Run function.
#include <tbb/parallel_for.h>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/io/file_list.hpp"
#include "common/io/files.hpp"
#include "stages/apls/apls_run.hpp"

namespace rb::apls {
namespace fs = std::filesystem;
namespace {

fs::path ExistingInput(const Params& params, std::string_view name) {
  fs::path path = params.GetString(name);
  std::error_code ec;
  RB_CHECK_IO(fs::exists(path, ec), "input '{}' does not exist, for --{}", path.string(), name);
  return path;
}

RunSettings SettingsFrom(const Params& params, const RunContext& context) {
  RunSettings s;
  Options& o = s.options;
  o.variant = params.GetString("variant") == "cosmiq" ? Variant::kCosmiq : Variant::kLeaderboard;
  o.snap_metres = params.GetFloat("snap");
  o.spacing_metres = params.GetFloat("spacing");
  o.metres_per_pixel = params.GetFloat("metres_per_pixel");
  o.min_path_metres = params.GetFloat("min_path");
  o.curvature_eps = params.GetFloat("curvature_eps");
  o.large_graph_nodes = params.GetInt("large_graph_nodes");
  o.sampled_control_points = params.GetInt("sampled_control_points");
  o.seed = context.seed();
  s.missing = params.GetString("missing") == "skip" ? MissingPolicy::kSkip : MissingPolicy::kEmpty;
  s.check_submission = params.GetBool("check_submission");
  return s;
}

nlohmann::json RunApls(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  RunSettings settings = SettingsFrom(params, context);
  std::vector<fs::path> rasters;
  if (!params.GetString("images").empty()) {
    rasters = io::ListFiles(params.GetString("images"), {".tif", ".tiff", ".vrt"});
  }
  ImageSet set =
      CollectImages(ExistingInput(params, "truth"), ExistingInput(params, "proposal"), rasters);
  if (set.proposal_only_images > 0) {
    LogWarning("{} proposal images have no truth and are not scored", set.proposal_only_images);
  }
  // Images are independent: each fills its own slot, so the result does not depend on threads.
  std::vector<ImageResult> results(set.jobs.size());
  auto progress = context.StartProgress("scoring", static_cast<int64_t>(set.jobs.size()));
  tbb::parallel_for(size_t{0}, set.jobs.size(), [&](size_t i) {
    context.CheckCancelled();
    results[i] = ScoreImage(set.jobs[i], settings);
    progress->Advance();
  });
  progress->Finish();
  nlohmann::ordered_json summary = Summarise(results, settings);
  io::WriteFileAtomic(outputs.Path("out"), summary.dump(1) + "\n");
  if (outputs.Has("csv")) io::WriteFileAtomic(outputs.Path("csv"), ToCsv(summary));
  const nlohmann::ordered_json& overall = summary["overall"];
  auto show = [](const nlohmann::ordered_json& v) { return v.is_null() ? -1.0 : v.get<double>(); };
  LogInfo("{} images scored ({} skipped): APLS {:.4f} (mean of AOI means), {:.4f} over images",
          overall["images_scored"].get<int64_t>(), overall["images_skipped"].get<int64_t>(),
          show(overall["apls"]), show(overall["mean_of_images"]));
  return {{"variant", summary["variant"]},
          {"aois", summary["aois"]},
          {"overall", overall},
          {"proposal_only_images", set.proposal_only_images}};
}

}  // namespace

cli::StageDescriptor AplsStage() {
  cli::StageDescriptor stage;
  stage.name = "rb-apls";
  stage.summary = "APLS of proposed road graphs against ground truth, as SpaceNet 3 scored it.";
  stage.description =
      "Pairs truth and proposal images by ImageId (SpaceNet CSV ImageId,WKT_Pix such as "
      "summaryData or a submission; a folder of GeoJSON files named with ImageIds; or one GeoJSON "
      "file each) and scores every truth image: APLS, both directions, routes and missing paths, "
      "control points, and the share of each graph's length within the snap radius of the other. "
      "Writes per-image results, the mean per AOI and the overall mean of AOI means (the "
      "leaderboard's total). --variant leaderboard (default) is the SpaceNet 3 leaderboard "
      "scorer: pixel space at --metres-per-pixel; --variant cosmiq follows CosmiQ's Python apls, "
      "in UTM metres, quirks included.";
  ParamSpecs& p = stage.params;
  p.String("truth", "truth: a SpaceNet CSV, a folder of GeoJSON labels or one GeoJSON", {})
      .Required();
  p.String("proposal", "proposal: a SpaceNet CSV, a folder of GeoJSON or one GeoJSON", {})
      .Required();
  p.String("images",
           "rasters named with ImageIds (file, folder or glob) whose grids place GeoJSON against "
           "WKT_Pix, and WKT_Pix for the cosmiq variant",
           "");
  p.Output("out", "results JSON (per image, per AOI, overall)").Required();
  p.Output("csv", "the per-image results as CSV, then the AOI means and the overall mean");
  p.Choice("variant", "scoring rules: the SpaceNet 3 leaderboard scorer or CosmiQ's Python apls",
           {"leaderboard", "cosmiq"}, "leaderboard");
  p.Float("snap", "largest distance in metres a control point snaps across", 4).Range(0.01, 1e4);
  p.Float("spacing", "control point spacing along edges, metres", 50).Range(1e-3, 1e6);
  p.Float("metres_per_pixel", "leaderboard: the scorer's pixel size in metres", 0.31)
      .Range(1e-6, 1e4);
  p.Float("min_path", "cosmiq: paths shorter than this many metres are not counted", 0.001)
      .Range(0, 1e6);
  p.Float("curvature_eps", "cosmiq: is_curved_eps; < 0 puts control points on every edge", -1)
      .Range(-1, 1e3);
  p.Int("large_graph_nodes", "cosmiq: truth node count from which control points are sampled", 500)
      .Range(1, 1e9);
  p.Int("sampled_control_points", "cosmiq: control points sampled on such graphs (--seed)", 1000)
      .Range(1, 1e9);
  p.Choice("missing", "truth images the proposal lacks: scored as empty, or skipped",
           {"empty", "skip"}, "empty");
  p.Bool("check_submission",
         "leaderboard: refuse CSV rows the SpaceNet scorer rejects (LINESTRING EMPTY mixed with "
         "roads, one-point lines, vertices < 0.01 px apart, repeated segments)",
         true);
  stage.run = RunApls;
  return stage;
}

}  // namespace rb::apls
