// Pixel metrics of a segmentation: per-class confusion counts and what follows from them. Counts
// add up over tiles or images, so the same object gives per-image figures and the dataset-level
// ones (the Tiramisu paper's mean IoU sums the counts over the whole set before dividing).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rb::nn {

class Confusion {
 public:
  explicit Confusion(int classes = 2);
  int classes() const { return static_cast<int>(tp_.size()); }

  // Counts `predicted` against `truth` (class indices per pixel); truth == ignore is skipped.
  void Count(std::span<const uint8_t> predicted, std::span<const uint8_t> truth, uint8_t ignore);
  // Adds counts given as the IoU layer's Counters(): tp, fp, fn of each class.
  void AddCounters(std::span<const int64_t> counters);
  void Add(const Confusion& other);

  int64_t tp(int c) const { return tp_[c]; }
  int64_t fp(int c) const { return fp_[c]; }
  int64_t fn(int c) const { return fn_[c]; }
  int64_t pixels() const { return pixels_; }  // counted (not ignored) pixels

  // NaN when undefined (the class is absent from truth and prediction alike).
  double IoU(int c) const;
  double Precision(int c) const;
  double Recall(int c) const;
  double F1(int c) const;
  // Mean over the classes whose IoU is defined.
  double MeanIoU() const;

  // {"iou": {name: ...}, "mean_iou", "precision", "recall", "f1" (of class `positive`),
  //  "pixels"}; NaN becomes null.
  nlohmann::json ToJson(const std::vector<std::string>& class_names, int positive) const;

 private:
  std::vector<int64_t> tp_, fp_, fn_;
  int64_t pixels_ = 0;
};

}  // namespace rb::nn
