#include "common/nn/composites.hpp"

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "common/nn/layer_options.hpp"

namespace rb::nn {
namespace {

// Settings shared by the convolutions of a composite.
struct ConvSettings {
  nlohmann::json weight_filler = {{"type", "msra"}, {"distribution", "uniform"}};
  bool bias_term = true;
  nlohmann::json batch_norm = nlohmann::json::object();
  bool memory_efficient = true;
  float dropout = 0.2f;
  std::vector<ParamSpec> param;
};

ConvSettings ReadSettings(io::ConfigReader& options, const LayerSpec& spec, bool has_dropout) {
  ConvSettings s;
  if (options.Has("weight_filler")) s.weight_filler = options.Raw("weight_filler");
  s.bias_term = options.Get<bool>("bias_term", s.bias_term);
  if (options.Has("batch_norm")) s.batch_norm = options.Raw("batch_norm");
  s.memory_efficient = options.Get<bool>("memory_efficient", s.memory_efficient);
  if (has_dropout) s.dropout = options.Get<float>("dropout", s.dropout);
  // lr_mult and decay_mult apply to every convolution; names would make them share weights.
  for (ParamSpec param : spec.param) {
    param.name.clear();
    s.param.push_back(param);
  }
  return s;
}

LayerSpec Child(const LayerSpec& parent, const std::string& suffix, const std::string& type,
                std::vector<std::string> bottom, std::vector<std::string> top) {
  LayerSpec child;
  child.name = parent.name + "/" + suffix;
  child.type = type;
  child.bottom = std::move(bottom);
  child.top = std::move(top);
  child.source = parent.source;
  child.path = parent.path + "/" + suffix;
  return child;
}

// BatchNorm -> ReLU on `input`, output blob `name`; recomputed in backward when memory efficient.
void AddBnRelu(std::vector<LayerSpec>& out, const LayerSpec& parent, const ConvSettings& s,
               const std::string& prefix, const std::string& input, const std::string& name) {
  LayerSpec bn = Child(parent, prefix + "bn", "BatchNorm", {input}, {name});
  bn.options = s.batch_norm;
  bn.recompute = s.memory_efficient;
  out.push_back(bn);
  LayerSpec relu = Child(parent, prefix + "relu", "ReLU", {name}, {name});
  relu.recompute = s.memory_efficient;
  out.push_back(relu);
}

LayerSpec Conv(const LayerSpec& parent, const ConvSettings& s, const std::string& suffix,
               const std::string& input, const std::string& output, nlohmann::json options) {
  LayerSpec conv = Child(parent, suffix, "Convolution", {input}, {output});
  options["weight_filler"] = s.weight_filler;
  options["bias_term"] = s.bias_term;
  conv.options = std::move(options);
  conv.param = s.param;
  return conv;
}

std::vector<LayerSpec> ExpandDenseBlock(const LayerSpec& spec) {
  io::ConfigReader options = OptionsReader(spec);
  int layers = options.Require<int>("layers");
  int growth = options.Require<int>("growth");
  int kernel = options.Get<int>("kernel_size", 3);
  ConvSettings s = ReadSettings(options, spec, true);
  options.Finish();
  if (layers < 1 || growth < 1 || kernel < 1 || kernel % 2 == 0) {
    Throw(ErrorCode::kInvalidArgument,
          "DenseBlock needs layers >= 1, growth >= 1 and an odd "
          "kernel_size, {}",
          spec.where());
  }
  if (spec.bottom.size() != 1 || spec.top.empty() || spec.top.size() > 2) {
    Throw(ErrorCode::kInvalidArgument, "DenseBlock takes one bottom and one or two tops, {}",
          spec.where());
  }
  std::vector<LayerSpec> out;
  std::string stack = spec.bottom[0];
  for (int j = 1; j <= layers; ++j) {
    std::string prefix = fmt::format("l{}_", j);
    std::string features = spec.name + "/" + prefix + "features";
    std::string conv_out = spec.name + "/" + prefix + "conv";
    AddBnRelu(out, spec, s, prefix, stack, features);
    out.push_back(Conv(spec, s, prefix + "conv", features, conv_out,
                       {{"num_output", growth}, {"kernel_size", kernel}, {"pad", kernel / 2}}));
    std::string fresh = conv_out;
    if (s.dropout > 0) {
      fresh = spec.name + "/" + prefix + "new";
      LayerSpec drop = Child(spec, prefix + "dropout", "Dropout", {conv_out}, {fresh});
      drop.options = {{"ratio", s.dropout}};
      out.push_back(drop);
    }
    std::string next = j == layers ? spec.top[0] : spec.name + "/" + prefix + "stack";
    out.push_back(Child(spec, prefix + "concat", "Concat", {stack, fresh}, {next}));
    stack = next;
  }
  if (spec.top.size() == 2) {
    LayerSpec slice =
        Child(spec, "new", "Slice", {spec.top[0]}, {spec.name + "/input_part", spec.top[1]});
    slice.options = {{"slice_point", {-layers * growth}}};
    out.push_back(slice);
  }
  return out;
}

std::vector<LayerSpec> ExpandTransitionDown(const LayerSpec& spec) {
  io::ConfigReader options = OptionsReader(spec);
  ConvSettings s = ReadSettings(options, spec, true);
  options.Finish();
  if (spec.bottom.size() != 1 || spec.top.size() != 1) {
    Throw(ErrorCode::kInvalidArgument, "TransitionDown takes one bottom and one top, {}",
          spec.where());
  }
  std::vector<LayerSpec> out;
  std::string features = spec.name + "/features", conv = spec.name + "/conv";
  AddBnRelu(out, spec, s, "", spec.bottom[0], features);
  out.push_back(Conv(spec, s, "conv", features, conv, {{"num_output", 0}, {"kernel_size", 1}}));
  std::string pooled_input = conv;
  if (s.dropout > 0) {
    pooled_input = spec.name + "/dropped";
    LayerSpec drop = Child(spec, "dropout", "Dropout", {conv}, {pooled_input});
    drop.options = {{"ratio", s.dropout}};
    out.push_back(drop);
  }
  LayerSpec pool = Child(spec, "pool", "Pooling", {pooled_input}, {spec.top[0]});
  pool.options = {{"pool", "max"}, {"kernel_size", 2}, {"stride", 2}};
  out.push_back(pool);
  return out;
}

std::vector<LayerSpec> ExpandTransitionUp(const LayerSpec& spec) {
  io::ConfigReader options = OptionsReader(spec);
  ConvSettings s = ReadSettings(options, spec, false);
  bool crop = options.Get<bool>("crop", false);
  options.Finish();
  if (spec.bottom.size() != 2 || spec.top.size() != 1) {
    Throw(ErrorCode::kInvalidArgument, "TransitionUp takes [features, skip] and one top, {}",
          spec.where());
  }
  std::vector<LayerSpec> out;
  std::string up = spec.name + "/up";
  LayerSpec deconv = Child(spec, "deconv", "Deconvolution", {spec.bottom[0]}, {up});
  deconv.options = {{"num_output", 0},
                    {"kernel_size", 3},
                    {"stride", 2},
                    {"pad", 0},
                    {"pad_end", 1},
                    {"weight_filler", s.weight_filler},
                    {"bias_term", s.bias_term}};
  deconv.param = s.param;
  out.push_back(deconv);
  if (crop) {
    std::string cropped = spec.name + "/cropped";
    out.push_back(Child(spec, "crop", "Crop", {up, spec.bottom[1]}, {cropped}));
    up = cropped;
  }
  out.push_back(Child(spec, "concat", "Concat", {up, spec.bottom[1]}, {spec.top[0]}));
  return out;
}

}  // namespace

std::optional<std::vector<LayerSpec>> ExpandComposite(const LayerSpec& spec) {
  if (spec.type == "DenseBlock") return ExpandDenseBlock(spec);
  if (spec.type == "TransitionDown") return ExpandTransitionDown(spec);
  if (spec.type == "TransitionUp") return ExpandTransitionUp(spec);
  return std::nullopt;
}

}  // namespace rb::nn
