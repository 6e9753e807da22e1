// rb-train's parameters and Run function.
#include <filesystem>

#include "common/core/check.hpp"
#include "stages/train/train.hpp"

namespace rb::train {
namespace fs = std::filesystem;
namespace {

nlohmann::json RunTrain(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  TrainSettings settings;
  settings.model = nn::LoadNetSpec(params.GetPath("model"));
  settings.solver = nn::SolverSpec::Load(params.GetPath("solver"));
  if (params.GetInt("max_iter") > 0) settings.solver.max_iter = params.GetInt("max_iter");
  settings.train = LoadTileManifest(params.GetPath("train"));
  if (params.Has("val")) settings.val = LoadTileManifest(params.GetPath("val"));
  settings.bands = params.GetString("bands");
  settings.crop = static_cast<int>(params.GetInt("crop"));
  settings.flips = params.GetBool("flips");
  settings.rotations = params.GetBool("rotations");
  settings.class_weights = params.GetString("class_weights");
  settings.backend = nn::ChooseBackend(context.device(), params.GetString("backend"));
  settings.precision = kernels::cudnn::ParsePrecision(params.GetString("precision"));
  RB_CHECK_ARG(settings.precision == kernels::cudnn::Precision::kFloat32 ||
                   settings.backend == nn::Backend::kCuda,
               "precision={} needs --device cuda (the CPU trains in fp32)",
               params.GetString("precision"));
  settings.cache_bytes = params.GetInt("cache_mb") << 20;
  settings.max_minutes = params.GetFloat("max_minutes");
  settings.out = outputs.Path("out");
  if (params.Has("weights")) settings.weights = params.GetPath("weights");
  if (params.Has("resume")) {
    settings.resume = params.GetString("resume");
    RB_CHECK_IO(fs::exists(settings.resume), "--resume '{}' does not exist",
                settings.resume.string());
  }
  outputs.AddReport(settings.out / "train.report.json");
  return Train(settings, context);
}

}  // namespace

cli::StageDescriptor TrainStage() {
  cli::StageDescriptor stage;
  stage.name = "rb-train";
  stage.summary = "Trains a segmentation net (JSON model + solver) on rb-prep tiles.";
  stage.description =
      "Feeds random crops, flips and rotations of the tiles of --train (a prefetch thread keeps "
      "batches ready), steps the solver, logs loss, learning rate, images/s and ETA every "
      "'display' iterations and validates on --val every 'test_interval' (loss, IoU per class, "
      "dataset-level mean IoU, road F1), keeping best.safetensors by mean IoU and stopping early "
      "after 'patience' validations without improvement. SIGINT/SIGTERM or --max-minutes: a "
      "snapshot, then exit 0; --resume DIR continues exactly. Writes snapshots/, "
      "best.safetensors, train_log.csv and curves.png in --out.";
  ParamSpecs& p = stage.params;
  p.Input("model", "model JSON (configs/models/)").Required();
  p.Input("solver", "solver JSON (configs/solvers/)").Required();
  p.Input("train", "training tiles: an rb-prep tiles manifest").Required();
  p.Input("val", "validation tiles: an rb-prep tiles manifest");
  p.Output("out", "output folder").Required().Directory();
  p.String("resume", "continue from a snapshot, or from the latest one in a previous --out", {});
  p.Input("weights", "initial weights (safetensors), copied by layer name");
  p.String("bands", "bands of the tiles to train on: all, ms8, rgb, rnir or names", "all");
  p.Int("crop", "training crop size in pixels; 0 = the model's input size", 0).Range(0, 65536);
  p.Bool("flips", "random horizontal and vertical flips", true);
  p.Bool("rotations", "random 90-degree rotations", true);
  p.String("class_weights",
           "loss weights of background, road: none, auto (median frequency) "
           "or 'w0,w1'",
           "none");
  p.Choice("backend", "CPU kernels: auto (oneDNN when built), onednn or reference",
           {"auto", "onednn", "reference"}, "auto");
  p.Choice("precision",
           "with --device cuda: convolution arithmetic fp32 (exact float), tf32 (Tensor Cores), "
           "or mixed precision fp16 (dynamic loss scaling) or bf16, float master weights",
           {"fp32", "tf32", "fp16", "bf16"}, "fp32");
  p.Int("max_iter", "iterations to train to, overriding the solver's max_iter (0 = keep)", 0)
      .Range(0, 1e12);
  p.Float("max_minutes", "stop (with a snapshot) after this much training time; 0 = no limit", 0)
      .Range(0, 1e9);
  p.Int("cache_mb", "tiles kept in memory, megabytes", 2048).Range(0, 1 << 30);
  stage.supports_cuda = true;
  stage.run = RunTrain;
  return stage;
}

}  // namespace rb::train
