#include "common/nn/layers/eltwise_layer.hpp"

#include "common/nn/layer_options.hpp"

namespace rb::nn {

void EltwiseLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 2, 64, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  std::string operation = options.Get<std::string>("operation", "sum");
  coefficients_ = options.Get<std::vector<float>>("coeff", std::vector<float>(bottom.size(), 1.0f));
  options.Finish();
  if (operation == "sum") {
    op_ = kernels::cpu::EltwiseOp::kSum;
  } else if (operation == "prod") {
    op_ = kernels::cpu::EltwiseOp::kProd;
  } else if (operation == "max") {
    op_ = kernels::cpu::EltwiseOp::kMax;
  } else {
    Fail(fmt::format("operation '{}' is not sum, prod or max", operation));
  }
  if (coefficients_.size() != bottom.size()) Fail("coeff needs one value per bottom");
}

void EltwiseLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  for (const Blob* b : bottom) {
    if (!(b->shape() == bottom[0]->shape())) {
      Fail(fmt::format("Eltwise inputs differ: {} and {}", bottom[0]->shape().ToString(),
                       b->shape().ToString()));
    }
  }
  top[0]->SetShape(bottom[0]->shape());
}

std::vector<kernels::ConstTensor> EltwiseLayer::Inputs(const Blobs& bottom) const {
  std::vector<kernels::ConstTensor> inputs;
  for (const Blob* b : bottom) inputs.push_back(b->data());
  return inputs;
}

void EltwiseLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  auto inputs = Inputs(bottom);
  kernels::cpu::EltwiseForward(op_, inputs.data(), coefficients_.data(),
                               static_cast<int>(inputs.size()), top[0]->mutable_data());
}

void EltwiseLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                            const RunState&) {
  auto inputs = Inputs(bottom);
  for (size_t i = 0; i < bottom.size(); ++i) {
    if (!flags.propagate[i]) continue;
    kernels::cpu::EltwiseBackward(op_, inputs.data(), coefficients_.data(),
                                  static_cast<int>(inputs.size()), static_cast<int>(i),
                                  top[0]->data(), top[0]->diff(), bottom[i]->mutable_diff(),
                                  flags.accumulate[i]);
  }
}

void EltwiseLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  std::vector<kernels::ConstTensor> inputs;
  for (const Blob* b : bottom) inputs.push_back(b->gpu_data());
  kernels::cuda::EltwiseForward(op_, inputs.data(), coefficients_.data(),
                                static_cast<int>(inputs.size()), top[0]->gpu_mutable_data());
}

void EltwiseLayer::BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                               const RunState&) {
  std::vector<kernels::ConstTensor> inputs;
  for (const Blob* b : bottom) inputs.push_back(b->gpu_data());
  for (size_t i = 0; i < bottom.size(); ++i) {
    if (!flags.propagate[i]) continue;
    kernels::cuda::EltwiseBackward(op_, inputs.data(), coefficients_.data(),
                                   static_cast<int>(inputs.size()), static_cast<int>(i),
                                   top[0]->gpu_data(), top[0]->gpu_diff(),
                                   bottom[i]->gpu_mutable_diff(), flags.accumulate[i]);
  }
}

}  // namespace rb::nn
