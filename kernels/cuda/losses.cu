// CUDA launchers of the shared loss and metric kernels (kernels/shared/losses.hpp).
#include "kernels/cuda/cuda_launcher.cuh"
#include "kernels/shared/losses.hpp"

namespace rb::kernels::cuda {
namespace {
const CudaLauncher launch{};
}  // namespace

cpu::LossSums SoftmaxCrossEntropy(ConstTensor prob, ConstTensor labels, const float* class_weights,
                                  int ignore_label) {
  return shared::SoftmaxCrossEntropy(launch, prob, labels, class_weights, ignore_label);
}

void SoftmaxCrossEntropyBackward(ConstTensor prob, ConstTensor labels, const float* class_weights,
                                 int ignore_label, float scale, Tensor dx, bool accumulate) {
  launch.ForEach(prob.count(), shared::SoftmaxLossGradOp{prob, labels, class_weights, ignore_label,
                                                         scale, dx, accumulate});
}

cpu::LossSums SigmoidCrossEntropy(ConstTensor logits, ConstTensor targets, int ignore_label) {
  return shared::SigmoidCrossEntropy(launch, logits, targets, ignore_label);
}

void SigmoidCrossEntropyBackward(ConstTensor logits, ConstTensor targets, int ignore_label,
                                 float scale, Tensor dx, bool accumulate) {
  launch.ForEach(logits.count(),
                 shared::SigmoidLossGradOp{logits, targets, ignore_label, scale, dx, accumulate});
}

cpu::JaccardSums SoftJaccard(ConstTensor prob, ConstTensor labels, int cls, int ignore_label) {
  return shared::SoftJaccard(launch, prob, labels, cls, ignore_label);
}

void SoftJaccardBackward(ConstTensor prob, ConstTensor labels, int cls, int ignore_label,
                         const cpu::JaccardSums& sums, double smooth, float scale, Tensor dx,
                         bool accumulate) {
  shared::SoftJaccardBackward(launch, prob, labels, cls, ignore_label, sums, smooth, scale, dx,
                              accumulate);
}

void ConfusionCounts(ConstTensor scores, ConstTensor labels, int ignore_label, int64_t* tp,
                     int64_t* fp, int64_t* fn) {
  shared::ConfusionCounts(launch, scores, labels, ignore_label, tp, fp, fn);
}

}  // namespace rb::kernels::cuda
