#include "common/nn/layers/convolution_layer.hpp"

#include "common/nn/filler.hpp"
#include "common/nn/hash.hpp"
#include "common/nn/layer_options.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

void ConvolutionLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) {
  ExpectBlobs(bottom, top, 1, 1, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  num_output_ = options.Require<int>("num_output");
  kernel_ = ReadPair(options, "kernel_size", {1, 1});
  stride_ = ReadPair(options, "stride", {1, 1});
  pad_ = ReadPair(options, "pad", {0, 0});
  pad_end_ = ReadPair(options, "pad_end", pad_);
  dilation_ = ReadPair(options, "dilation", {1, 1});
  group_ = options.Get<int>("group", 1);
  bias_term_ = options.Get<bool>("bias_term", true);
  FillerSpec weight_filler = FillerSpec::Constant(0), bias_filler = FillerSpec::Constant(0);
  if (options.Has("weight_filler")) {
    io::ConfigReader r = options.Object("weight_filler");
    weight_filler = FillerSpec::Read(r);
  }
  if (options.Has("bias_filler")) {
    io::ConfigReader r = options.Object("bias_filler");
    bias_filler = FillerSpec::Read(r);
  }
  options.Finish();
  int channels = bottom[0]->shape().c;
  if (num_output_ == 0) num_output_ = channels;
  if (num_output_ < 1 || group_ < 1 || num_output_ % group_ != 0 || channels % group_ != 0) {
    Fail(fmt::format("num_output {} and {} input channels must be positive multiples of group {}",
                     num_output_, channels, group_));
  }
  if (kernel_.first < 1 || kernel_.second < 1 || stride_.first < 1 || stride_.second < 1 ||
      dilation_.first < 1 || dilation_.second < 1 || pad_.first < 0 || pad_.second < 0 ||
      pad_end_.first < 0 || pad_end_.second < 0) {
    Fail("kernel_size, stride and dilation must be >= 1, pads >= 0");
  }
  use_onednn_ = context.backend == Backend::kOneDnn;
  precision_ = context.precision;

  Shape weights = transposed_
                      ? Shape{channels, num_output_ / group_, kernel_.first, kernel_.second}
                      : Shape{num_output_, channels / group_, kernel_.first, kernel_.second};
  params_.push_back(std::make_shared<Blob>(name() + "/weights"));
  params_[0]->SetShape(weights);
  params_[0]->Allocate();
  RandomStream random(context.seed, NameHash(name(), 1));
  Fill(weight_filler, *params_[0], random);
  if (bias_term_) {
    params_.push_back(std::make_shared<Blob>(name() + "/bias"));
    params_[1]->SetShape({num_output_, 1, 1, 1});
    params_[1]->Allocate();
    Fill(bias_filler, *params_[1], random);
  }
}

void ConvolutionLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  const Shape& in = bottom[0]->shape();
  kernels::ConvGeometry g;
  g.n = in.n;
  g.kernel_h = kernel_.first;
  g.kernel_w = kernel_.second;
  g.stride_h = stride_.first;
  g.stride_w = stride_.second;
  g.pad_top = pad_.first;
  g.pad_left = pad_.second;
  g.pad_bottom = pad_end_.first;
  g.pad_right = pad_end_.second;
  g.dilation_h = dilation_.first;
  g.dilation_w = dilation_.second;
  g.groups = group_;
  int out_h, out_w;
  if (transposed_) {
    out_h = kernels::ConvGeometry::DeconvOutput(in.h, g.kernel_h, g.stride_h, g.pad_top,
                                                g.pad_bottom, g.dilation_h);
    out_w = kernels::ConvGeometry::DeconvOutput(in.w, g.kernel_w, g.stride_w, g.pad_left,
                                                g.pad_right, g.dilation_w);
    // The convolution this deconvolution is the adjoint of: from our output to our input.
    g.in_c = num_output_;
    g.in_h = out_h;
    g.in_w = out_w;
    g.out_c = in.c;
    g.out_h = in.h;
    g.out_w = in.w;
  } else {
    out_h = kernels::ConvGeometry::ConvOutput(in.h, g.kernel_h, g.stride_h, g.pad_top, g.pad_bottom,
                                              g.dilation_h);
    out_w = kernels::ConvGeometry::ConvOutput(in.w, g.kernel_w, g.stride_w, g.pad_left, g.pad_right,
                                              g.dilation_w);
    g.in_c = in.c;
    g.in_h = in.h;
    g.in_w = in.w;
    g.out_c = num_output_;
    g.out_h = out_h;
    g.out_w = out_w;
  }
  if (out_h < 1 || out_w < 1) {
    Fail(fmt::format("input {} is too small for the kernel", in.ToString()));
  }
  top[0]->SetShape({in.n, num_output_, out_h, out_w});
  bool changed = !(g.n == geometry_.n && g.in_h == geometry_.in_h && g.in_w == geometry_.in_w &&
                   g.in_c == geometry_.in_c && g.out_h == geometry_.out_h);
  geometry_ = g;
  if (changed) cudnn_.reset();
  if (use_onednn_ && (changed || !onednn_)) {
    onednn_ = std::make_unique<kernels::onednn::Convolution>(geometry_, bias_term_ && !transposed_);
  }
}

kernels::ConstTensor ConvolutionLayer::DenseInput(Blob& bottom) {
  if (bottom.dense()) return bottom.data();
  gathered_.SetShape(bottom.shape());
  gathered_.Allocate();
  kernels::cpu::Copy(bottom.data(), gathered_.mutable_data(), false);
  return gathered_.data();
}

void ConvolutionLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::ConstTensor x = DenseInput(*bottom[0]);
  kernels::Tensor y = top[0]->mutable_data();
  const float* w = params_[0]->flat_data();
  const float* b = bias_term_ ? params_[1]->flat_data() : nullptr;
  if (!transposed_) {
    if (onednn_) {
      onednn_->Forward(x, w, b, y);
    } else {
      kernels::cpu::ConvolutionForward(geometry_, x, w, b, y);
    }
    return;
  }
  if (onednn_) {
    onednn_->BackwardData(x, w, y, false);
  } else {
    kernels::cpu::ConvolutionBackwardData(geometry_, x, w, y, false);
  }
  if (b) kernels::cpu::ScaleBiasForward(y, y, nullptr, b);
}

void ConvolutionLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                                const RunState&) {
  kernels::ConstTensor x = DenseInput(*bottom[0]);
  kernels::ConstTensor dy = top[0]->diff();
  const float* w = params_[0]->flat_data();
  float* dw = params_[0]->mutable_flat_diff();
  float* db = bias_term_ ? params_[1]->mutable_flat_diff() : nullptr;
  // Parameter gradients (always added: the net clears them once per iteration).
  if (!transposed_) {
    if (onednn_) {
      onednn_->BackwardWeights(x, dy, dw, db);
    } else {
      kernels::cpu::ConvolutionBackwardWeights(geometry_, x, dy, dw, db);
    }
  } else {
    if (onednn_) {
      onednn_->BackwardWeights(dy, x, dw, nullptr);
    } else {
      kernels::cpu::ConvolutionBackwardWeights(geometry_, dy, x, dw, nullptr);
    }
    if (db) kernels::cpu::ScaleBiasBackward(dy, dy, nullptr, kernels::Tensor{}, false, nullptr, db);
  }
  if (!flags.propagate[0]) return;
  // Input gradient, written densely (into a scratch when the bottom is a channel slice).
  bool slice = !bottom[0]->dense();
  kernels::Tensor dx;
  if (slice) {
    gathered_.SetShape(bottom[0]->shape());
    gathered_.Allocate();
    dx = gathered_.mutable_diff();
  } else {
    dx = bottom[0]->mutable_diff();
  }
  bool add = flags.accumulate[0] && !slice;
  if (!transposed_) {
    if (onednn_) {
      onednn_->BackwardData(dy, w, dx, add);
    } else {
      kernels::cpu::ConvolutionBackwardData(geometry_, dy, w, dx, add);
    }
  } else {
    if (add) {
      gathered_.SetShape(bottom[0]->shape());
      gathered_.Allocate();
      kernels::Tensor temp = gathered_.mutable_diff();
      if (onednn_) {
        onednn_->Forward(dy, w, nullptr, temp);
      } else {
        kernels::cpu::ConvolutionForward(geometry_, dy, w, nullptr, temp);
      }
      kernels::cpu::Copy(temp, dx, true);
    } else if (onednn_) {
      onednn_->Forward(dy, w, nullptr, dx);
    } else {
      kernels::cpu::ConvolutionForward(geometry_, dy, w, nullptr, dx);
    }
  }
  if (slice) kernels::cpu::Copy(gathered_.diff(), bottom[0]->mutable_diff(), flags.accumulate[0]);
}

int64_t ConvolutionLayer::ForwardMacs(const Blobs&, const Blobs&) const { return geometry_.Macs(); }

}  // namespace rb::nn
