#include "common/nn/layers/loss_layers.hpp"

#include "common/nn/layer_options.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

void LossLayer::ReadCommon(io::ConfigReader& options) {
  ignore_label_ = options.Get<int>("ignore_label", -1);
  normalization_ = options.Get<std::string>("normalization", "valid");
  if (normalization_ != "valid" && normalization_ != "batch" && normalization_ != "full" &&
      normalization_ != "none") {
    Fail(fmt::format("normalization '{}' is not valid, batch, full or none", normalization_));
  }
}

void LossLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  if (bottom[1]->shape().n != bottom[0]->shape().n ||
      bottom[1]->shape().h != bottom[0]->shape().h ||
      bottom[1]->shape().w != bottom[0]->shape().w) {
    Fail(fmt::format("labels {} do not match predictions {}", bottom[1]->shape().ToString(),
                     bottom[0]->shape().ToString()));
  }
  top[0]->SetShape({1, 1, 1, 1});
}

double LossLayer::Normaliser(const Blob& prediction, const kernels::cpu::LossSums& sums) const {
  if (normalization_ == "valid") return std::max(sums.weight, 1.0);
  if (normalization_ == "batch") return prediction.shape().n;
  if (normalization_ == "full") {
    const Shape& s = prediction.shape();
    return static_cast<double>(s.n) * s.h * s.w;
  }
  return 1.0;
}

void SoftmaxWithLossLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 2, 2, 1, 2);
  io::ConfigReader options = OptionsReader(spec_);
  ReadCommon(options);
  class_weights_ = options.Get<std::vector<float>>("class_weights", {});
  options.Finish();
  int classes = bottom[0]->shape().c;
  if (!class_weights_.empty() && static_cast<int>(class_weights_.size()) != classes) {
    Fail(fmt::format("class_weights has {} values for {} classes", class_weights_.size(), classes));
  }
  if (bottom[1]->shape().c != 1) Fail("SoftmaxWithLoss labels must have one channel");
}

void SoftmaxWithLossLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  LossLayer::Reshape(bottom, top);
  if (top.size() > 1) top[1]->SetShape(bottom[0]->shape());
  probabilities_.SetShape(bottom[0]->shape());
  probabilities_.Allocate();
}

void SoftmaxWithLossLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::cpu::SoftmaxForward(bottom[0]->data(), probabilities_.mutable_data());
  kernels::cpu::LossSums sums = kernels::cpu::SoftmaxCrossEntropy(
      probabilities_.data(), bottom[1]->data(),
      class_weights_.empty() ? nullptr : class_weights_.data(), ignore_label_);
  normaliser_ = Normaliser(*bottom[0], sums);
  top[0]->mutable_flat_data()[0] = static_cast<float>(sums.loss / normaliser_);
  if (top.size() > 1) kernels::cpu::Copy(probabilities_.data(), top[1]->mutable_data(), false);
}

void SoftmaxWithLossLayer::Backward(const Blobs& top, const Blobs& bottom,
                                    const BackwardFlags& flags, const RunState&) {
  if (!flags.propagate[0]) return;
  float scale = static_cast<float>(top[0]->flat_diff()[0] / normaliser_);
  kernels::cpu::SoftmaxCrossEntropyBackward(
      probabilities_.data(), bottom[1]->data(),
      class_weights_.empty() ? nullptr : class_weights_.data(), ignore_label_, scale,
      bottom[0]->mutable_diff(), flags.accumulate[0]);
}

void SigmoidCrossEntropyLossLayer::SetUp(const Blobs& bottom, const Blobs& top,
                                         const BuildContext&) {
  ExpectBlobs(bottom, top, 2, 2, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  ReadCommon(options);
  options.Finish();
  if (!(bottom[1]->shape() == bottom[0]->shape())) {
    Fail(fmt::format("sigmoid targets {} must have the logits' shape {}",
                     bottom[1]->shape().ToString(), bottom[0]->shape().ToString()));
  }
}

void SigmoidCrossEntropyLossLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::cpu::LossSums sums =
      kernels::cpu::SigmoidCrossEntropy(bottom[0]->data(), bottom[1]->data(), ignore_label_);
  normaliser_ = Normaliser(*bottom[0], sums);
  top[0]->mutable_flat_data()[0] = static_cast<float>(sums.loss / normaliser_);
}

void SigmoidCrossEntropyLossLayer::Backward(const Blobs& top, const Blobs& bottom,
                                            const BackwardFlags& flags, const RunState&) {
  if (!flags.propagate[0]) return;
  float scale = static_cast<float>(top[0]->flat_diff()[0] / normaliser_);
  kernels::cpu::SigmoidCrossEntropyBackward(bottom[0]->data(), bottom[1]->data(), ignore_label_,
                                            scale, bottom[0]->mutable_diff(), flags.accumulate[0]);
}

void JaccardLossLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 2, 2, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  ignore_label_ = options.Get<int>("ignore_label", -1);
  class_ = options.Get<int>("class", 1);
  smooth_ = options.Get<double>("smooth", 1.0);
  options.Finish();
  if (class_ < 0 || class_ >= bottom[0]->shape().c) {
    Fail(fmt::format("class {} is not one of the {} channels", class_, bottom[0]->shape().c));
  }
  if (smooth_ < 0) Fail("smooth must be >= 0");
}

void JaccardLossLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  sums_ = kernels::cpu::SoftJaccard(bottom[0]->data(), bottom[1]->data(), class_, ignore_label_);
  top[0]->mutable_flat_data()[0] = static_cast<float>(sums_.Loss(smooth_));
}

void JaccardLossLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                                const RunState&) {
  if (!flags.propagate[0]) return;
  kernels::cpu::SoftJaccardBackward(bottom[0]->data(), bottom[1]->data(), class_, ignore_label_,
                                    sums_, smooth_, top[0]->flat_diff()[0],
                                    bottom[0]->mutable_diff(), flags.accumulate[0]);
}

}  // namespace rb::nn
