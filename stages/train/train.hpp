// rb-train: training a segmentation net on rb-prep tiles.
//
// The loop: batches from a prefetching feeder (seeded shuffles, random crops, flips and
// rotations), one solver step per iteration, a log line every `display` iterations, validation
// every `test_interval` (loss, per-class and mean IoU over the whole validation set, road F1;
// the best weights kept by mean IoU; early stopping after `patience` validations without
// improvement), snapshots every `snapshot` iterations. A SIGINT/SIGTERM or the time limit ends
// the loop after the current iteration with a snapshot; --resume continues from a snapshot
// exactly as if never stopped (data order, dropout and solver state are functions of the seed
// and the iteration).
//
// Output folder: snapshots/iter_<N>.safetensors, best.safetensors (weights with the model, the
// input bands and the validation figures in its metadata: what rb-infer needs), train_log.csv,
// curves.png.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/cli/stage.hpp"
#include "common/core/run_context.hpp"
#include "common/nn/layer.hpp"
#include "common/nn/solver.hpp"
#include "common/nn/spec.hpp"
#include "stages/train/tile_data.hpp"

namespace rb::train {

struct TrainSettings {
  nn::NetSpec model;
  nn::SolverSpec solver;
  TileSet train;
  std::optional<TileSet> val;
  std::string bands = "all";  // selection among the tiles' bands (geo::SelectNamedBands)
  int crop = 0;               // training crop size; 0 = the model's input size
  bool flips = true;
  bool rotations = true;
  std::string class_weights = "none";  // none, auto (median frequency) or "w0,w1"
  nn::Backend backend = nn::Backend::kOneDnn;
  // With --device cuda (backend kCuda): the convolutions' arithmetic.
  kernels::cudnn::Precision precision = kernels::cudnn::Precision::kFloat32;
  int64_t cache_bytes = int64_t{2} << 30;
  double max_minutes = 0;  // 0 = no time limit
  std::filesystem::path out;
  std::filesystem::path resume;   // a snapshot, or a folder holding snapshots/
  std::filesystem::path weights;  // initial weights (fine-tuning)
};

// Runs (or resumes) training; returns the figures for the run report.
nlohmann::json Train(const TrainSettings& settings, const RunContext& context);

// The model made ready for `settings`: input shapes for the batch and crop, the loss's class
// weights; checks the model's input channels against the band selection. Returns the spec and
// the crop size.
std::pair<nn::NetSpec, int> PrepareModel(const TrainSettings& settings, int bands);

cli::StageDescriptor TrainStage();

}  // namespace rb::train
