// rb-eval: pixel metrics of predicted road probabilities or masks against label masks.
//
// Pairs are matched by SpaceNet ImageId (or by file stem when names hold none). Probabilities
// (float rasters) are thresholded; Byte predictions are masks (1 road, anything else not).
// Labels: 0 background, 1 road, 255 ignored. Per image: IoU of road and background, their
// mean, road precision, recall and F1; aggregated both as the mean over images and at dataset
// level (counts summed over all images first, as the Tiramisu paper reports mean IoU).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/cli/stage.hpp"
#include "common/nn/segmentation_metrics.hpp"

namespace rb::eval {

struct EvalPair {
  std::string image_id;
  std::filesystem::path prediction;
  std::filesystem::path label;
};

// Matches every prediction with a label; throws kIo naming a prediction that has none.
std::vector<EvalPair> PairFiles(const std::vector<std::filesystem::path>& predictions,
                                const std::vector<std::filesystem::path>& labels);

// Counts one pair, reading both rasters a strip of rows at a time (memory bounded); throws
// kInvalidArgument when their grids differ.
nn::Confusion EvaluatePair(const EvalPair& pair, double threshold);

// {"images": [{image_id, prediction, label, metrics...}], "dataset": {...},
//  "mean_of_images": {...}}.
nlohmann::json Summarise(const std::vector<EvalPair>& pairs,
                         const std::vector<nn::Confusion>& counts);
std::string ToCsv(const nlohmann::json& summary);

cli::StageDescriptor EvalStage();

}  // namespace rb::eval
