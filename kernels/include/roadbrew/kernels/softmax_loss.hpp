// Softmax over channels and the per-pixel losses and metrics of segmentation. Labels are a
// one-channel NHWC tensor of class indices stored as floats; `ignore_label` (< 0: none) marks
// pixels that count nowhere. Sums are taken in double over fixed chunks (thread-count free).
#pragma once

#include <cstdint>

#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels::cpu {

void SoftmaxForward(ConstTensor x, Tensor y);
// dx (+)= y * (dy - sum_c dy * y)
void SoftmaxBackward(ConstTensor y, ConstTensor dy, Tensor dx, bool accumulate);

struct LossSums {
  double loss = 0;    // sum over valid pixels of the (weighted) loss
  double weight = 0;  // sum of the pixel weights (1 each without class weights)
  int64_t valid = 0;  // pixels not ignored
};

// Cross-entropy of softmax probabilities: -w[l] log(max(p_l, tiny)). Throws kInvalidArgument
// on a label outside 0..C-1 that is not ignore_label.
LossSums SoftmaxCrossEntropy(ConstTensor prob, ConstTensor labels, const float* class_weights,
                             int ignore_label);
// d loss / d logits = scale * w[l] * (p - onehot(l)); zero on ignored pixels.
void SoftmaxCrossEntropyBackward(ConstTensor prob, ConstTensor labels, const float* class_weights,
                                 int ignore_label, float scale, Tensor dx, bool accumulate);

// Binary cross-entropy on logits against targets in [0, 1] (same shape); a target equal to
// ignore_label is skipped. Stable form: max(x, 0) - x t + log(1 + exp(-|x|)).
LossSums SigmoidCrossEntropy(ConstTensor logits, ConstTensor targets, int ignore_label);
void SigmoidCrossEntropyBackward(ConstTensor logits, ConstTensor targets, int ignore_label,
                                 float scale, Tensor dx, bool accumulate);

// Soft Jaccard (IoU) loss of class `cls`: 1 - (I + s) / (U + s) with I = sum p t,
// U = sum p + sum t - I over valid pixels, p the class probability, t = (label == cls).
struct JaccardSums {
  double intersection = 0;
  double prob_sum = 0;
  double target_sum = 0;
  double Loss(double smooth) const;
};
JaccardSums SoftJaccard(ConstTensor prob, ConstTensor labels, int cls, int ignore_label);
void SoftJaccardBackward(ConstTensor prob, ConstTensor labels, int cls, int ignore_label,
                         const JaccardSums& sums, double smooth, float scale, Tensor dx,
                         bool accumulate);

// Confusion counts of argmax(scores) against labels per class: true positives, false
// positives, false negatives, each an array of C (added to).
void ConfusionCounts(ConstTensor scores, ConstTensor labels, int ignore_label, int64_t* tp,
                     int64_t* fp, int64_t* fn);

}  // namespace rb::kernels::cpu

// The losses and the confusion counts on device views (kernels/cuda/losses.cu, from
// kernels/shared/losses.hpp); sums come back to the host. Softmax itself is cuDNN's
// (kernels/cudnn.hpp). A bad label throws kInvalidArgument with the number of bad labels.
namespace rb::kernels::cuda {

cpu::LossSums SoftmaxCrossEntropy(ConstTensor prob, ConstTensor labels, const float* class_weights,
                                  int ignore_label);  // class_weights: device, nullable
void SoftmaxCrossEntropyBackward(ConstTensor prob, ConstTensor labels, const float* class_weights,
                                 int ignore_label, float scale, Tensor dx, bool accumulate);
cpu::LossSums SigmoidCrossEntropy(ConstTensor logits, ConstTensor targets, int ignore_label);
void SigmoidCrossEntropyBackward(ConstTensor logits, ConstTensor targets, int ignore_label,
                                 float scale, Tensor dx, bool accumulate);
cpu::JaccardSums SoftJaccard(ConstTensor prob, ConstTensor labels, int cls, int ignore_label);
void SoftJaccardBackward(ConstTensor prob, ConstTensor labels, int cls, int ignore_label,
                         const cpu::JaccardSums& sums, double smooth, float scale, Tensor dx,
                         bool accumulate);
// tp, fp, fn: host arrays of C, added to.
void ConfusionCounts(ConstTensor scores, ConstTensor labels, int ignore_label, int64_t* tp,
                     int64_t* fp, int64_t* fn);

}  // namespace rb::kernels::cuda
