#include "common/nn/layers/pooling_layer.hpp"

#include "common/nn/layer_options.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

void PoolingLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) {
  ExpectBlobs(bottom, top, 1, 1, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  std::string pool = options.Get<std::string>("pool", "max");
  kernel_ = ReadPair(options, "kernel_size", {2, 2});
  stride_ = ReadPair(options, "stride", kernel_);
  pad_ = ReadPair(options, "pad", {0, 0});
  pad_end_ = ReadPair(options, "pad_end", pad_);
  ceil_mode_ = options.Get<bool>("ceil_mode", false);
  options.Finish();
  if (pool != "max" && pool != "ave") Fail(fmt::format("pool '{}' is not max or ave", pool));
  max_ = pool == "max";
  if (kernel_.first < 1 || kernel_.second < 1 || stride_.first < 1 || stride_.second < 1) {
    Fail("kernel_size and stride must be >= 1");
  }
  use_onednn_ = context.backend == Backend::kOneDnn;
  gpu_ = context.backend == Backend::kCuda;
}

void PoolingLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  const Shape& in = bottom[0]->shape();
  kernels::PoolGeometry g;
  g.n = in.n;
  g.c = in.c;
  g.in_h = in.h;
  g.in_w = in.w;
  g.kernel_h = kernel_.first;
  g.kernel_w = kernel_.second;
  g.stride_h = stride_.first;
  g.stride_w = stride_.second;
  g.pad_top = pad_.first;
  g.pad_left = pad_.second;
  g.pad_bottom = pad_end_.first;
  g.pad_right = pad_end_.second;
  g.out_h = kernels::PoolGeometry::Output(in.h, g.kernel_h, g.stride_h, g.pad_top, g.pad_bottom,
                                          ceil_mode_);
  g.out_w = kernels::PoolGeometry::Output(in.w, g.kernel_w, g.stride_w, g.pad_left, g.pad_right,
                                          ceil_mode_);
  if (g.out_h < 1 || g.out_w < 1) Fail(fmt::format("input {} is too small to pool", in.ToString()));
  // oneDNN's implicit padding must reach the last window: give it the pads that produce out_h.
  g.pad_bottom = std::max(g.pad_bottom, (g.out_h - 1) * g.stride_h + g.kernel_h - in.h - g.pad_top);
  g.pad_right = std::max(g.pad_right, (g.out_w - 1) * g.stride_w + g.kernel_w - in.w - g.pad_left);
  top[0]->SetShape({in.n, in.c, g.out_h, g.out_w});
  bool changed = g.n != geometry_.n || g.c != geometry_.c || g.in_h != geometry_.in_h ||
                 g.in_w != geometry_.in_w;
  geometry_ = g;
  if (use_onednn_ && (changed || !onednn_)) {
    onednn_ = std::make_unique<kernels::onednn::Pooling>(
        g, max_ ? kernels::onednn::Pooling::Kind::kMax : kernels::onednn::Pooling::Kind::kAverage);
  }
  if (changed) cudnn_average_.reset();
  if (max_ && !use_onednn_ && !gpu_) argmax_.resize(static_cast<size_t>(top[0]->shape().count()));
}

void PoolingLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::ConstTensor x = bottom[0]->data();
  if (!bottom[0]->dense()) {
    gathered_.SetShape(bottom[0]->shape());
    gathered_.Allocate();
    kernels::cpu::Copy(x, gathered_.mutable_data(), false);
    x = gathered_.data();
  }
  if (onednn_) {
    onednn_->Forward(x, top[0]->mutable_data());
  } else if (max_) {
    kernels::cpu::MaxPoolForward(geometry_, x, top[0]->mutable_data(), argmax_.data());
  } else {
    kernels::cpu::AvgPoolForward(geometry_, x, top[0]->mutable_data());
  }
}

void PoolingLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                            const RunState&) {
  if (!flags.propagate[0]) return;
  bool slice = !bottom[0]->dense();
  kernels::Tensor dx = bottom[0]->mutable_diff();
  bool add = flags.accumulate[0];
  if (slice) {
    gathered_.SetShape(bottom[0]->shape());
    gathered_.Allocate();
    dx = gathered_.mutable_diff();
    add = false;
  }
  if (onednn_) {
    onednn_->Backward(top[0]->diff(), dx, add);
  } else if (max_) {
    kernels::cpu::MaxPoolBackward(geometry_, top[0]->diff(), argmax_.data(), dx, add);
  } else {
    kernels::cpu::AvgPoolBackward(geometry_, top[0]->diff(), dx, add);
  }
  if (slice) kernels::cpu::Copy(gathered_.diff(), bottom[0]->mutable_diff(), flags.accumulate[0]);
}

void PoolingLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::Tensor y = top[0]->gpu_mutable_data();
  if (max_) {
    device_argmax_.Reserve(sizeof(int32_t) * static_cast<size_t>(y.count()));
    kernels::cuda::PoolForward(geometry_, bottom[0]->gpu_data(), y, device_argmax_.as<int32_t>(),
                               true);
    return;
  }
  if (!kernels::cudnn::AveragePooling::Supports(geometry_)) {
    kernels::cuda::PoolForward(geometry_, bottom[0]->gpu_data(), y, nullptr, false);
    return;
  }
  if (!cudnn_average_) cudnn_average_ = std::make_unique<kernels::cudnn::AveragePooling>(geometry_);
  kernels::ConstTensor x = bottom[0]->gpu_data();
  if (!bottom[0]->dense()) {
    gathered_.SetShape(bottom[0]->shape());
    gathered_.Allocate();
    kernels::cuda::Copy(x, gathered_.gpu_mutable_data(), false);
    x = gathered_.gpu_data();
  }
  cudnn_average_->Forward(x, y);
}

void PoolingLayer::BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                               const RunState&) {
  if (!flags.propagate[0]) return;
  kernels::ConstTensor dy = top[0]->gpu_diff();
  if (!cudnn_average_) {  // the shared kernels gather into any view, slices included
    kernels::cuda::PoolBackward(geometry_, dy, max_ ? device_argmax_.as<int32_t>() : nullptr,
                                bottom[0]->gpu_mutable_diff(), flags.accumulate[0]);
    return;
  }
  bool slice = !bottom[0]->dense();
  kernels::ConstTensor x = slice ? gathered_.gpu_data() : bottom[0]->gpu_data();
  kernels::Tensor dx = slice ? gathered_.gpu_mutable_diff() : bottom[0]->gpu_mutable_diff();
  cudnn_average_->Backward(x, top[0]->gpu_data(), dy, dx, flags.accumulate[0] && !slice);
  if (slice) {
    kernels::cuda::Copy(gathered_.gpu_diff(), bottom[0]->gpu_mutable_diff(), flags.accumulate[0]);
  }
}

}  // namespace rb::nn
