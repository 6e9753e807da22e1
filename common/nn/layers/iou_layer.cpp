#include "common/nn/layers/iou_layer.hpp"

#include "common/nn/layer_options.hpp"
#include "roadbrew/kernels/softmax_loss.hpp"

namespace rb::nn {

void IouLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 2, 2, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  ignore_label_ = options.Get<int>("ignore_label", -1);
  options.Finish();
}

void IouLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  top[0]->SetShape({1, bottom[0]->shape().c, 1, 1});
}

void IouLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  int classes = bottom[0]->shape().c;
  counters_.assign(static_cast<size_t>(3 * classes), 0);
  kernels::cpu::ConfusionCounts(bottom[0]->data(), bottom[1]->data(), ignore_label_,
                                counters_.data(), counters_.data() + classes,
                                counters_.data() + 2 * classes);
  Publish(top);
}

// The counts come back to the host (a metric is one of the net's outputs).
void IouLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  int classes = bottom[0]->shape().c;
  counters_.assign(static_cast<size_t>(3 * classes), 0);
  kernels::cuda::ConfusionCounts(bottom[0]->gpu_data(), bottom[1]->gpu_data(), ignore_label_,
                                 counters_.data(), counters_.data() + classes,
                                 counters_.data() + 2 * classes);
  Publish(top);
}

void IouLayer::Publish(const Blobs& top) {
  int classes = top[0]->shape().c;
  float* iou = top[0]->mutable_flat_data();
  for (int c = 0; c < classes; ++c) {
    int64_t unite = counters_[c] + counters_[classes + c] + counters_[2 * classes + c];
    iou[c] = unite > 0 ? static_cast<float>(counters_[c]) / static_cast<float>(unite) : 1.0f;
  }
}

}  // namespace rb::nn
