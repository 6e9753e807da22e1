#include "common/nn/registry.hpp"

#include <fmt/ranges.h>

#include "common/core/check.hpp"
#include "common/nn/layers/batch_norm_layer.hpp"
#include "common/nn/layers/concat_layer.hpp"
#include "common/nn/layers/convolution_layer.hpp"
#include "common/nn/layers/crop_layer.hpp"
#include "common/nn/layers/dropout_layer.hpp"
#include "common/nn/layers/eltwise_layer.hpp"
#include "common/nn/layers/input_layer.hpp"
#include "common/nn/layers/iou_layer.hpp"
#include "common/nn/layers/loss_layers.hpp"
#include "common/nn/layers/pooling_layer.hpp"
#include "common/nn/layers/relu_layer.hpp"
#include "common/nn/layers/scale_layer.hpp"
#include "common/nn/layers/slice_layer.hpp"
#include "common/nn/layers/softmax_layer.hpp"

namespace rb::nn {
namespace {

template <class T>
std::unique_ptr<Layer> Make(const LayerSpec& spec) {
  return std::make_unique<T>(spec);
}

struct Entry {
  std::string_view type;
  std::unique_ptr<Layer> (*create)(const LayerSpec&);
};

std::unique_ptr<Layer> MakeConvolution(const LayerSpec& spec) {
  return std::make_unique<ConvolutionLayer>(spec, false);
}

constexpr Entry kLayers[] = {
    {"BatchNorm", Make<BatchNormLayer>},
    {"Concat", Make<ConcatLayer>},
    {"Convolution", MakeConvolution},
    {"Crop", Make<CropLayer>},
    {"Deconvolution", Make<DeconvolutionLayer>},
    {"Dropout", Make<DropoutLayer>},
    {"Eltwise", Make<EltwiseLayer>},
    {"Input", Make<InputLayer>},
    {"IoU", Make<IouLayer>},
    {"JaccardLoss", Make<JaccardLossLayer>},
    {"Pooling", Make<PoolingLayer>},
    {"ReLU", Make<ReluLayer>},
    {"Scale", Make<ScaleLayer>},
    {"SigmoidCrossEntropyLoss", Make<SigmoidCrossEntropyLossLayer>},
    {"Slice", Make<SliceLayer>},
    {"Softmax", Make<SoftmaxLayer>},
    {"SoftmaxWithLoss", Make<SoftmaxWithLossLayer>},
};

}  // namespace

std::vector<std::string_view> LayerTypes() {
  std::vector<std::string_view> types;
  for (const Entry& entry : kLayers) types.push_back(entry.type);
  return types;
}

std::unique_ptr<Layer> CreateLayer(const LayerSpec& spec) {
  for (const Entry& entry : kLayers) {
    if (entry.type == spec.type) return entry.create(spec);
  }
  Throw(ErrorCode::kInvalidArgument, "unknown layer type '{}' for {} (known: {})", spec.type,
        spec.where(), fmt::join(LayerTypes(), ", "));
}

}  // namespace rb::nn
