// The training log: one row per display interval (and per validation), kept in memory and
// rewritten atomically as train_log.csv, and drawn for people as curves.png.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace rb::train {

struct LogRow {
  int64_t iteration = 0;
  double seconds = 0;  // training wall time so far
  double loss = 0;     // mean training loss since the previous row
  double learning_rate = 0;
  double images_per_second = 0;
  // Validation, when this row has one.
  std::optional<double> val_loss, road_iou, background_iou, mean_iou, road_f1;
};

class TrainLog {
 public:
  // Reads an existing train_log.csv (a resumed run), keeping rows up to `iteration`.
  void Load(const std::filesystem::path& csv, int64_t iteration);
  void Add(const LogRow& row) { rows_.push_back(row); }
  const std::vector<LogRow>& rows() const { return rows_; }

  void WriteCsv(const std::filesystem::path& csv) const;
  // Loss (train and validation) and IoU (road and mean) against iterations, as a PNG.
  void DrawCurves(const std::filesystem::path& png) const;

 private:
  std::vector<LogRow> rows_;
};

}  // namespace rb::train
