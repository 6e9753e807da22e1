#include "common/nn/spec.hpp"

#include "common/core/check.hpp"
#include "common/io/json_config.hpp"
#include "common/nn/composites.hpp"

namespace rb::nn {
namespace {

constexpr int kModelSchemaVersion = 1;

std::vector<std::string> Names(io::ConfigReader& reader, std::string_view key) {
  if (!reader.Has(key)) return {};
  const nlohmann::json& value = reader.Raw(key);
  if (value.is_string()) return {value.get<std::string>()};
  if (value.is_array() &&
      std::all_of(value.begin(), value.end(), [](auto& v) { return v.is_string(); })) {
    return value.get<std::vector<std::string>>();
  }
  Throw(ErrorCode::kInvalidArgument, "key '{}' in '{}' must be a name or a list of names",
        reader.PathOf(key), reader.source());
}

std::optional<Phase> ReadPhase(io::ConfigReader& reader, std::string_view key) {
  if (!reader.Has(key)) return std::nullopt;
  io::ConfigReader rule = reader.Object(key);
  std::string phase = rule.Require<std::string>("phase");
  if (phase == "TRAIN") return Phase::kTrain;
  if (phase == "TEST") return Phase::kTest;
  if (phase == "DEPLOY") return Phase::kDeploy;
  Throw(ErrorCode::kInvalidArgument, "phase '{}' at '{}' in '{}' is not TRAIN, TEST or DEPLOY",
        phase, rule.PathOf("phase"), reader.source());
}

struct ParsedLayer {
  LayerSpec spec;
  std::optional<Phase> include, exclude;
};

ParsedLayer ParseLayer(io::ConfigReader& layer, const std::string& source,
                       const std::string& path) {
  ParsedLayer parsed;
  LayerSpec& spec = parsed.spec;
  spec.source = source;
  spec.path = path;
  spec.name = layer.Require<std::string>("name");
  spec.type = layer.Require<std::string>("type");
  spec.bottom = Names(layer, "bottom");
  spec.top = Names(layer, "top");
  if (layer.Has("param")) {
    for (io::ConfigReader& param : layer.Objects("param")) {
      ParamSpec p;
      p.name = param.Get<std::string>("name", "");
      p.lr_mult = param.Get<float>("lr_mult", 1.0f);
      p.decay_mult = param.Get<float>("decay_mult", 1.0f);
      spec.param.push_back(p);
    }
  }
  if (layer.Has("loss_weight")) {
    const nlohmann::json& weight = layer.Raw("loss_weight");
    if (weight.is_number()) {
      spec.loss_weight = {weight.get<float>()};
    } else if (weight.is_array()) {
      spec.loss_weight = weight.get<std::vector<float>>();
    } else {
      Throw(ErrorCode::kInvalidArgument, "loss_weight at '{}' in '{}' must be a number or a list",
            layer.PathOf("loss_weight"), source);
    }
  }
  parsed.include = ReadPhase(layer, "include");
  parsed.exclude = ReadPhase(layer, "exclude");
  spec.recompute = layer.Get<bool>("recompute", false);
  std::string key = spec.options_key();
  if (layer.Has(key)) spec.options = layer.Raw(key);
  return parsed;
}

}  // namespace

std::vector<LayerSpec> NetSpec::ForPhase(Phase phase) const {
  std::vector<LayerSpec> out;
  for (const LayerSpec& layer : layers) {
    if (layer.InPhase(phase)) out.push_back(layer);
  }
  return out;
}

void NetSpec::SetInputShape(std::string_view blob, const std::array<int, 4>& nchw) {
  for (LayerSpec& layer : layers) {
    if (layer.type != "Input") continue;
    auto top = std::find(layer.top.begin(), layer.top.end(), blob);
    if (top == layer.top.end()) continue;
    nlohmann::json& shapes = layer.options["shape"];
    size_t index = static_cast<size_t>(top - layer.top.begin());
    if (shapes.is_array() && index < shapes.size()) {
      shapes[index] = nchw;
      return;
    }
  }
  Throw(ErrorCode::kInvalidArgument, "no Input layer of '{}' makes blob '{}'", source, blob);
}

NetSpec ParseNetSpec(const nlohmann::json& json, const std::string& source) {
  io::ConfigReader reader(json, source);
  reader.CheckSchemaVersion(kModelSchemaVersion);
  NetSpec net;
  net.source = source;
  net.source_json = json;
  net.name = reader.Get<std::string>("name", "net");
  net.description = reader.Get<std::string>("description", "");
  std::vector<io::ConfigReader> layers = reader.Objects("layers");
  for (size_t i = 0; i < layers.size(); ++i) {
    std::string path = fmt::format("layers[{}]", i);
    ParsedLayer parsed = ParseLayer(layers[i], source, path);
    std::vector<LayerSpec> expanded;
    if (auto composite = ExpandComposite(parsed.spec)) {
      expanded = std::move(*composite);
    } else {
      expanded.push_back(parsed.spec);
    }
    for (LayerSpec& layer : expanded) {
      layer.include = parsed.include;
      layer.exclude = parsed.exclude;
      net.layers.push_back(std::move(layer));
    }
  }
  reader.Finish();
  return net;
}

nlohmann::json ExpandedJson(const NetSpec& spec) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerSpec& layer : spec.layers) {
    nlohmann::json out = {{"name", layer.name}, {"type", layer.type}};
    if (!layer.bottom.empty()) out["bottom"] = layer.bottom;
    if (!layer.top.empty()) out["top"] = layer.top;
    if (!layer.param.empty()) {
      nlohmann::json params = nlohmann::json::array();
      for (const ParamSpec& p : layer.param) {
        nlohmann::json param = {{"lr_mult", p.lr_mult}, {"decay_mult", p.decay_mult}};
        if (!p.name.empty()) param["name"] = p.name;
        params.push_back(param);
      }
      out["param"] = params;
    }
    if (!layer.loss_weight.empty()) out["loss_weight"] = layer.loss_weight;
    if (layer.include) out["include"] = {{"phase", PhaseName(*layer.include)}};
    if (layer.exclude) out["exclude"] = {{"phase", PhaseName(*layer.exclude)}};
    if (layer.recompute) out["recompute"] = true;
    if (!layer.options.empty()) out[layer.options_key()] = layer.options;
    layers.push_back(std::move(out));
  }
  nlohmann::json model = {{"schema_version", kModelSchemaVersion}, {"name", spec.name}};
  if (!spec.description.empty()) model["description"] = spec.description;
  model["layers"] = std::move(layers);
  return model;
}

namespace {

// Vertical stride of a convolution or pooling (pooling strides default to the kernel size).
int StrideOf(const LayerSpec& layer) {
  nlohmann::json fallback = layer.type == "Pooling"
                                ? layer.options.value("kernel_size", nlohmann::json(2))
                                : nlohmann::json(1);
  nlohmann::json stride = layer.options.value("stride", fallback);
  return std::max(stride.is_array() ? stride.at(0).get<int>() : stride.get<int>(), 1);
}

}  // namespace

int DownsamplingFactor(const NetSpec& spec) {
  int factor = 1;
  for (const LayerSpec& layer : spec.layers) {
    if (layer.type == "Pooling" || layer.type == "Convolution") factor *= StrideOf(layer);
  }
  return factor;
}

NetSpec LoadNetSpec(const std::filesystem::path& path) {
  return ParseNetSpec(io::LoadJsonFile(path), path.string());
}

}  // namespace rb::nn
