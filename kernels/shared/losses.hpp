// Losses and metrics of segmentation written once (see launch.hpp), as kernels/cpu/
// softmax_loss.cpp computes them: labels are a one-channel map of class indices stored as
// floats, ignore_label (< 0: none) counts nowhere. Sums are returned to the host (the loss is
// the net's output); a label that is neither a class nor the ignore label fails the pass.
#pragma once

#include <cmath>
#include <cstdint>

#include "common/core/check.hpp"
#include "kernels/shared/launch.hpp"
#include "roadbrew/kernels/softmax_loss.hpp"
#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels::shared {

constexpr int kIgnored = -1;
constexpr int kBadLabel = -2;

RB_HOST_DEVICE int LabelOf(float value, int classes, int ignore_label) {
  if (!(value > -2.0f && value < 1e9f)) return kBadLabel;
  int label = static_cast<int>(value);
  if (static_cast<float>(label) != value) return kBadLabel;
  if (ignore_label >= 0 && label == ignore_label) return kIgnored;
  return label >= 0 && label < classes ? label : kBadLabel;
}

// Throws kInvalidArgument: `count` labels outside 0..classes-1 that are not the ignore label.
[[noreturn]] void ThrowBadLabels(int64_t count, int classes, int ignore_label);

// acc: loss, weight, valid pixels, bad labels.
struct SoftmaxLossSumsOp {
  ConstTensor prob, labels;
  const float* class_weights;
  int ignore_label;
  RB_HOST_DEVICE void operator()(int64_t p, int, double* acc) const {
    int label = LabelOf(labels.pixel(p)[0], prob.c, ignore_label);
    if (label == kBadLabel) acc[3] += 1;
    if (label < 0) return;
    float weight = class_weights ? class_weights[label] : 1.0f;
    acc[0] -= weight * logf(Max(prob.pixel(p)[label], 1e-30f));
    acc[1] += weight;
    acc[2] += 1;
  }
};

// dx (+)= scale w[l] (p - onehot(l)); zero where ignored.
struct SoftmaxLossGradOp {
  ConstTensor prob, labels;
  const float* class_weights;
  int ignore_label;
  float scale;
  Tensor dx;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int64_t p = e / prob.c;
    int c = static_cast<int>(e % prob.c);
    int label = LabelOf(labels.pixel(p)[0], prob.c, ignore_label);
    float k = label < 0 ? 0.0f : scale * (class_weights ? class_weights[label] : 1.0f);
    Store(dx.pixel(p)[c], k * (prob.pixel(p)[c] - (c == label ? 1.0f : 0.0f)), accumulate);
  }
};

RB_HOST_DEVICE bool SigmoidIgnored(float target, int ignore_label) {
  return ignore_label >= 0 && target == static_cast<float>(ignore_label);
}

// Over elements: acc: loss, counted elements.
struct SigmoidLossSumsOp {
  ConstTensor logits, targets;
  int ignore_label;
  RB_HOST_DEVICE void operator()(int64_t e, int, double* acc) const {
    int64_t p = e / logits.c;
    int c = static_cast<int>(e % logits.c);
    float x = logits.pixel(p)[c], t = targets.pixel(p)[c];
    if (SigmoidIgnored(t, ignore_label)) return;
    acc[0] += Max(x, 0.0f) - x * t + log1pf(expf(-fabsf(x)));
    acc[1] += 1;
  }
};

struct SigmoidLossGradOp {
  ConstTensor logits, targets;
  int ignore_label;
  float scale;
  Tensor dx;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int64_t p = e / logits.c;
    int c = static_cast<int>(e % logits.c);
    float x = logits.pixel(p)[c], t = targets.pixel(p)[c];
    float v = SigmoidIgnored(t, ignore_label) ? 0.0f : scale * (1.0f / (1.0f + expf(-x)) - t);
    Store(dx.pixel(p)[c], v, accumulate);
  }
};

// acc: intersection, probability sum, target sum, bad labels.
struct JaccardSumsOp {
  ConstTensor prob, labels;
  int cls, ignore_label;
  RB_HOST_DEVICE void operator()(int64_t p, int, double* acc) const {
    int label = LabelOf(labels.pixel(p)[0], prob.c, ignore_label);
    if (label == kBadLabel) acc[3] += 1;
    if (label < 0) return;
    double q = prob.pixel(p)[cls], t = label == cls ? 1.0 : 0.0;
    acc[0] += q * t;
    acc[1] += q;
    acc[2] += t;
  }
};

// d/dp [1 - I/U] for the class channel: on_target where the label is the class, else
// off_target; other channels and ignored pixels get 0.
struct JaccardGradOp {
  ConstTensor prob, labels;
  int cls, ignore_label;
  double on_target, off_target;
  float scale;
  Tensor dx;
  bool accumulate;
  RB_HOST_DEVICE void operator()(int64_t e) const {
    int64_t p = e / prob.c;
    int c = static_cast<int>(e % prob.c);
    int label = LabelOf(labels.pixel(p)[0], prob.c, ignore_label);
    float v = 0.0f;
    if (label >= 0 && c == cls) {
      v = static_cast<float>(scale * (label == cls ? on_target : off_target));
    }
    Store(dx.pixel(p)[c], v, accumulate);
  }
};

// Per class (column): true positives, false positives, false negatives of the argmax (the first
// maximum), and bad labels (column 0).
struct ConfusionOp {
  ConstTensor scores, labels;
  int ignore_label;
  RB_HOST_DEVICE void operator()(int64_t p, int col, double* acc) const {
    int label = LabelOf(labels.pixel(p)[0], scores.c, ignore_label);
    if (label == kBadLabel && col == 0) acc[3] += 1;
    if (label < 0) return;
    const float* in = scores.pixel(p);
    int predicted = 0;
    for (int c = 1; c < scores.c; ++c) {
      if (in[predicted] < in[c]) predicted = c;
    }
    if (predicted == label) {
      if (col == label) acc[0] += 1;
    } else {
      if (col == predicted) acc[1] += 1;
      if (col == label) acc[2] += 1;
    }
  }
};

template <class L>
cpu::LossSums SoftmaxCrossEntropy(const L& l, ConstTensor prob, ConstTensor labels,
                                  const float* class_weights, int ignore_label) {
  auto sums = l.Temp(sizeof(double) * 4);
  l.template Sum<4>(prob.pixels(), 1, SoftmaxLossSumsOp{prob, labels, class_weights, ignore_label},
                    static_cast<double*>(sums.data));
  double host[4];
  l.ToHost(host, sums.data, sizeof host);
  if (host[3] > 0) ThrowBadLabels(static_cast<int64_t>(host[3]), prob.c, ignore_label);
  return {host[0], host[1], static_cast<int64_t>(host[2])};
}

template <class L>
cpu::LossSums SigmoidCrossEntropy(const L& l, ConstTensor logits, ConstTensor targets,
                                  int ignore_label) {
  auto sums = l.Temp(sizeof(double) * 2);
  l.template Sum<2>(logits.count(), 1, SigmoidLossSumsOp{logits, targets, ignore_label},
                    static_cast<double*>(sums.data));
  double host[2];
  l.ToHost(host, sums.data, sizeof host);
  return {host[0], host[1], static_cast<int64_t>(host[1])};
}

template <class L>
cpu::JaccardSums SoftJaccard(const L& l, ConstTensor prob, ConstTensor labels, int cls,
                             int ignore_label) {
  auto sums = l.Temp(sizeof(double) * 4);
  l.template Sum<4>(prob.pixels(), 1, JaccardSumsOp{prob, labels, cls, ignore_label},
                    static_cast<double*>(sums.data));
  double host[4];
  l.ToHost(host, sums.data, sizeof host);
  if (host[3] > 0) ThrowBadLabels(static_cast<int64_t>(host[3]), prob.c, ignore_label);
  return {host[0], host[1], host[2]};
}

template <class L>
void SoftJaccardBackward(const L& l, ConstTensor prob, ConstTensor labels, int cls,
                         int ignore_label, const cpu::JaccardSums& sums, double smooth, float scale,
                         Tensor dx, bool accumulate) {
  double intersection = sums.intersection + smooth;
  double unite = sums.prob_sum + sums.target_sum - sums.intersection + smooth;
  double on_target = -unite / (unite * unite), off_target = intersection / (unite * unite);
  l.ForEach(prob.count(), JaccardGradOp{prob, labels, cls, ignore_label, on_target, off_target,
                                        scale, dx, accumulate});
}

// Adds to tp, fp, fn (host arrays of C).
template <class L>
void ConfusionCounts(const L& l, ConstTensor scores, ConstTensor labels, int ignore_label,
                     int64_t* tp, int64_t* fp, int64_t* fn) {
  RB_CHECK_ARG(scores.c <= 64, "IoU supports up to 64 classes, not {}", scores.c);
  size_t width = static_cast<size_t>(scores.c) * 4;
  auto sums = l.Temp(sizeof(double) * width);
  l.template Sum<4>(scores.pixels(), scores.c, ConfusionOp{scores, labels, ignore_label},
                    static_cast<double*>(sums.data));
  double host[4 * 64];
  l.ToHost(host, sums.data, sizeof(double) * width);
  if (host[3] > 0) ThrowBadLabels(static_cast<int64_t>(host[3]), scores.c, ignore_label);
  for (int c = 0; c < scores.c; ++c) {
    tp[c] += static_cast<int64_t>(host[4 * c]);
    fp[c] += static_cast<int64_t>(host[4 * c + 1]);
    fn[c] += static_cast<int64_t>(host[4 * c + 2]);
  }
}

}  // namespace rb::kernels::shared
