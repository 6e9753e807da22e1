#include "common/nn/segmentation_metrics.hpp"

#include <cmath>
#include <limits>

#include "common/core/check.hpp"

namespace rb::nn {
namespace {

double Ratio(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? std::numeric_limits<double>::quiet_NaN()
                          : static_cast<double>(numerator) / static_cast<double>(denominator);
}

nlohmann::json OrNull(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

}  // namespace

Confusion::Confusion(int classes) : tp_(classes, 0), fp_(classes, 0), fn_(classes, 0) {
  RB_CHECK_ARG(classes >= 2, "a segmentation has at least 2 classes, got {}", classes);
}

void Confusion::Count(std::span<const uint8_t> predicted, std::span<const uint8_t> truth,
                      uint8_t ignore) {
  RB_CHECK_EQ(predicted.size(), truth.size());
  const int classes = this->classes();
  for (size_t i = 0; i < truth.size(); ++i) {
    uint8_t t = truth[i], p = predicted[i];
    if (t == ignore) continue;
    RB_CHECK_ARG(t < classes && p < classes, "class {} outside 0..{} at pixel {}", std::max(t, p),
                 classes - 1, i);
    ++pixels_;
    if (t == p) {
      ++tp_[t];
    } else {
      ++fp_[p];
      ++fn_[t];
    }
  }
}

void Confusion::AddCounters(std::span<const int64_t> counters) {
  const size_t classes = tp_.size();
  RB_CHECK_EQ(counters.size(), 3 * classes);
  for (size_t c = 0; c < classes; ++c) {
    tp_[c] += counters[c];
    fp_[c] += counters[classes + c];
    fn_[c] += counters[2 * classes + c];
    pixels_ += counters[c] + counters[2 * classes + c];  // every pixel is a tp or an fn once
  }
}

void Confusion::Add(const Confusion& other) {
  RB_CHECK_EQ(other.classes(), classes());
  for (size_t c = 0; c < tp_.size(); ++c) {
    tp_[c] += other.tp_[c];
    fp_[c] += other.fp_[c];
    fn_[c] += other.fn_[c];
  }
  pixels_ += other.pixels_;
}

double Confusion::IoU(int c) const { return Ratio(tp_[c], tp_[c] + fp_[c] + fn_[c]); }
double Confusion::Precision(int c) const { return Ratio(tp_[c], tp_[c] + fp_[c]); }
double Confusion::Recall(int c) const { return Ratio(tp_[c], tp_[c] + fn_[c]); }
double Confusion::F1(int c) const { return Ratio(2 * tp_[c], 2 * tp_[c] + fp_[c] + fn_[c]); }

double Confusion::MeanIoU() const {
  double sum = 0;
  int defined = 0;
  for (int c = 0; c < classes(); ++c) {
    double iou = IoU(c);
    if (std::isnan(iou)) continue;
    sum += iou;
    ++defined;
  }
  return defined == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / defined;
}

nlohmann::json Confusion::ToJson(const std::vector<std::string>& class_names, int positive) const {
  RB_CHECK_EQ(static_cast<int>(class_names.size()), classes());
  nlohmann::json iou = nlohmann::json::object();
  for (int c = 0; c < classes(); ++c) iou[class_names[c]] = OrNull(IoU(c));
  return {{"iou", iou},
          {"mean_iou", OrNull(MeanIoU())},
          {"precision", OrNull(Precision(positive))},
          {"recall", OrNull(Recall(positive))},
          {"f1", OrNull(F1(positive))},
          {"pixels", pixels_}};
}

}  // namespace rb::nn
