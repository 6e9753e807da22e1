// rb-eval's parameters and Run function.
#include "common/core/log.hpp"
#include "common/io/file_list.hpp"
#include "common/io/files.hpp"
#include "stages/eval/eval.hpp"

namespace rb::eval {
namespace {

const std::vector<std::string_view> kRasterExtensions = {".tif", ".tiff", ".vrt"};

nlohmann::json RunEval(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  std::vector<EvalPair> pairs =
      PairFiles(io::ListFiles(params.GetString("predictions"), kRasterExtensions),
                io::ListFiles(params.GetString("labels"), kRasterExtensions));
  const double threshold = params.GetFloat("threshold");
  std::vector<nn::Confusion> counts;
  auto progress = context.StartProgress("evaluating", static_cast<int64_t>(pairs.size()));
  for (const EvalPair& pair : pairs) {
    counts.push_back(EvaluatePair(pair, threshold));
    progress->Advance();
  }
  progress->Finish();
  nlohmann::json summary = Summarise(pairs, counts);
  summary["threshold"] = threshold;
  io::WriteFileAtomic(outputs.Path("out"), summary.dump(1) + "\n");
  if (outputs.Has("csv")) io::WriteFileAtomic(outputs.Path("csv"), ToCsv(summary));
  const nlohmann::json& d = summary["dataset"];
  auto show = [](const nlohmann::json& v) { return v.is_null() ? -1.0 : v.get<double>(); };
  LogInfo("{} images: road IoU {:.4f}, mean IoU {:.4f}, road F1 {:.4f} (dataset level)",
          pairs.size(), show(d["iou"]["road"]), show(d["mean_iou"]), show(d["f1"]));
  return {{"images", pairs.size()}, {"dataset", d}, {"mean_of_images", summary["mean_of_images"]}};
}

}  // namespace

cli::StageDescriptor EvalStage() {
  cli::StageDescriptor stage;
  stage.name = "rb-eval";
  stage.summary = "Pixel metrics (IoU, precision, recall, F1) of predictions against labels.";
  stage.description =
      "Pairs predictions (float probabilities, thresholded, or Byte masks) with label masks "
      "(0 background, 1 road, 255 ignored) by SpaceNet ImageId, on identical grids, and writes "
      "per-image IoU of road and background, mean IoU, road precision, recall and F1, with two "
      "aggregates: the mean over images and the dataset level (counts summed first).";
  ParamSpecs& p = stage.params;
  p.String("predictions", "a raster, a folder or a glob of rb-infer outputs", {}).Required();
  p.String("labels", "a raster, a folder or a glob of rb-mask label masks", {}).Required();
  p.Output("out", "metrics JSON").Required();
  p.Output("csv", "the same as CSV: one row per image, then dataset and mean_of_images");
  p.Float("threshold", "probability above which a pixel is road", 0.5).Range(0, 1);
  stage.run = RunEval;
  return stage;
}

}  // namespace rb::eval
