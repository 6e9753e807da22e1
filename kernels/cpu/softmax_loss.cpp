#include "roadbrew/kernels/softmax_loss.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"

namespace rb::kernels::cpu {
namespace {

constexpr float kTinyProbability = 1e-30f;  // keeps log finite where p underflowed to 0

// -1 for an ignored pixel, else the class index (validated).
int LabelAt(ConstTensor labels, int64_t p, int classes, int ignore_label) {
  float value = labels.pixel(p)[0];
  int label = static_cast<int>(std::lround(value));
  if (label == ignore_label && ignore_label >= 0) return -1;
  if (label < 0 || label >= classes || static_cast<float>(label) != value) {
    Throw(ErrorCode::kInvalidArgument, "label {} is not a class index 0..{}{}", value, classes - 1,
          ignore_label >= 0 ? fmt::format(" or the ignore label {}", ignore_label) : "");
  }
  return label;
}

void CheckLabels(ConstTensor x, ConstTensor labels) {
  RB_CHECK_ARG(labels.c == 1 && labels.n == x.n && labels.h == x.h && labels.w == x.w,
               "labels of shape ({}, {}, {}, {}) do not match predictions ({}, {}, {}, {})",
               labels.n, labels.c, labels.h, labels.w, x.n, x.c, x.h, x.w);
}

// Sums of per-pixel values f(p, sums) into `width` doubles, in fixed chunk order.
template <class F>
std::vector<double> Sum(int64_t pixels, size_t width, F&& f) {
  Chunks chunks = Chunks::For(pixels);
  std::vector<double> partial(static_cast<size_t>(chunks.count) * width, 0.0);
  ParallelChunks(pixels, chunks, [&](int64_t k, int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) f(p, partial.data() + k * width);
  });
  std::vector<double> total(width, 0.0);
  for (int64_t k = 0; k < chunks.count; ++k) {
    for (size_t i = 0; i < width; ++i) total[i] += partial[k * width + i];
  }
  return total;
}

template <class F>
void ForPixels(int64_t pixels, F&& f) {
  ParallelRanges(pixels, 512, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) f(p);
  });
}

}  // namespace

void SoftmaxForward(ConstTensor x, Tensor y) {
  ForPixels(x.pixels(), [&](int64_t p) {
    const float* in = x.pixel(p);
    float* out = y.pixel(p);
    float top = *std::max_element(in, in + x.c);
    float sum = 0.0f;
    for (int c = 0; c < x.c; ++c) sum += out[c] = std::exp(in[c] - top);
    for (int c = 0; c < x.c; ++c) out[c] /= sum;
  });
}

void SoftmaxBackward(ConstTensor y, ConstTensor dy, Tensor dx, bool accumulate) {
  ForPixels(y.pixels(), [&](int64_t p) {
    const float* prob = y.pixel(p);
    const float* g = dy.pixel(p);
    float* out = dx.pixel(p);
    float dot = 0.0f;
    for (int c = 0; c < y.c; ++c) dot += g[c] * prob[c];
    for (int c = 0; c < y.c; ++c) {
      float v = prob[c] * (g[c] - dot);
      out[c] = accumulate ? out[c] + v : v;
    }
  });
}

LossSums SoftmaxCrossEntropy(ConstTensor prob, ConstTensor labels, const float* class_weights,
                             int ignore_label) {
  CheckLabels(prob, labels);
  std::vector<double> sums = Sum(prob.pixels(), 3, [&](int64_t p, double* s) {
    int label = LabelAt(labels, p, prob.c, ignore_label);
    if (label < 0) return;
    float weight = class_weights ? class_weights[label] : 1.0f;
    s[0] -= weight * std::log(std::max(prob.pixel(p)[label], kTinyProbability));
    s[1] += weight;
    s[2] += 1;
  });
  return {sums[0], sums[1], static_cast<int64_t>(sums[2])};
}

void SoftmaxCrossEntropyBackward(ConstTensor prob, ConstTensor labels, const float* class_weights,
                                 int ignore_label, float scale, Tensor dx, bool accumulate) {
  CheckLabels(prob, labels);
  ForPixels(prob.pixels(), [&](int64_t p) {
    int label = LabelAt(labels, p, prob.c, ignore_label);
    const float* in = prob.pixel(p);
    float* out = dx.pixel(p);
    float k = label < 0 ? 0.0f : scale * (class_weights ? class_weights[label] : 1.0f);
    for (int c = 0; c < prob.c; ++c) {
      float v = k * (in[c] - (c == label ? 1.0f : 0.0f));
      out[c] = accumulate ? out[c] + v : v;
    }
  });
}

LossSums SigmoidCrossEntropy(ConstTensor logits, ConstTensor targets, int ignore_label) {
  RB_CHECK_ARG(targets.n == logits.n && targets.c == logits.c && targets.h == logits.h &&
                   targets.w == logits.w,
               "sigmoid targets must have the logits' shape");
  std::vector<double> sums = Sum(logits.pixels(), 2, [&](int64_t p, double* s) {
    const float* x = logits.pixel(p);
    const float* t = targets.pixel(p);
    for (int c = 0; c < logits.c; ++c) {
      if (ignore_label >= 0 && t[c] == static_cast<float>(ignore_label)) continue;
      s[0] += std::max(x[c], 0.0f) - x[c] * t[c] + std::log1p(std::exp(-std::fabs(x[c])));
      s[1] += 1;
    }
  });
  return {sums[0], sums[1], static_cast<int64_t>(sums[1])};
}

void SigmoidCrossEntropyBackward(ConstTensor logits, ConstTensor targets, int ignore_label,
                                 float scale, Tensor dx, bool accumulate) {
  ForPixels(logits.pixels(), [&](int64_t p) {
    const float* x = logits.pixel(p);
    const float* t = targets.pixel(p);
    float* out = dx.pixel(p);
    for (int c = 0; c < logits.c; ++c) {
      bool ignored = ignore_label >= 0 && t[c] == static_cast<float>(ignore_label);
      float v = ignored ? 0.0f : scale * (1.0f / (1.0f + std::exp(-x[c])) - t[c]);
      out[c] = accumulate ? out[c] + v : v;
    }
  });
}

double JaccardSums::Loss(double smooth) const {
  double unite = prob_sum + target_sum - intersection;
  return 1.0 - (intersection + smooth) / (unite + smooth);
}

JaccardSums SoftJaccard(ConstTensor prob, ConstTensor labels, int cls, int ignore_label) {
  CheckLabels(prob, labels);
  RB_CHECK_ARG(cls >= 0 && cls < prob.c, "Jaccard class {} outside 0..{}", cls, prob.c - 1);
  std::vector<double> sums = Sum(prob.pixels(), 3, [&](int64_t p, double* s) {
    int label = LabelAt(labels, p, prob.c, ignore_label);
    if (label < 0) return;
    double q = prob.pixel(p)[cls], t = label == cls ? 1.0 : 0.0;
    s[0] += q * t;
    s[1] += q;
    s[2] += t;
  });
  return {sums[0], sums[1], sums[2]};
}

void SoftJaccardBackward(ConstTensor prob, ConstTensor labels, int cls, int ignore_label,
                         const JaccardSums& sums, double smooth, float scale, Tensor dx,
                         bool accumulate) {
  double intersection = sums.intersection + smooth;
  double unite = sums.prob_sum + sums.target_sum - sums.intersection + smooth;
  // d/dp_i [1 - I/U] = -(t_i U - I (1 - t_i)) / U^2
  double on_target = -(unite) / (unite * unite);
  double off_target = intersection / (unite * unite);
  ForPixels(prob.pixels(), [&](int64_t p) {
    int label = LabelAt(labels, p, prob.c, ignore_label);
    float* out = dx.pixel(p);
    for (int c = 0; c < prob.c; ++c) {
      float v = 0.0f;
      if (label >= 0 && c == cls) {
        v = static_cast<float>(scale * (label == cls ? on_target : off_target));
      }
      out[c] = accumulate ? out[c] + v : v;
    }
  });
}

void ConfusionCounts(ConstTensor scores, ConstTensor labels, int ignore_label, int64_t* tp,
                     int64_t* fp, int64_t* fn) {
  CheckLabels(scores, labels);
  size_t classes = static_cast<size_t>(scores.c);
  std::vector<double> sums = Sum(scores.pixels(), 3 * classes, [&](int64_t p, double* s) {
    int label = LabelAt(labels, p, scores.c, ignore_label);
    if (label < 0) return;
    const float* in = scores.pixel(p);
    int predicted = static_cast<int>(std::max_element(in, in + scores.c) - in);
    if (predicted == label) {
      s[label] += 1;
    } else {
      s[classes + predicted] += 1;
      s[2 * classes + label] += 1;
    }
  });
  for (size_t c = 0; c < classes; ++c) {
    tp[c] += static_cast<int64_t>(sums[c]);
    fp[c] += static_cast<int64_t>(sums[classes + c]);
    fn[c] += static_cast<int64_t>(sums[2 * classes + c]);
  }
}

}  // namespace rb::kernels::cpu
