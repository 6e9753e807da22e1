#include "common/nn/layer_options.hpp"

#include "common/core/check.hpp"

namespace rb::nn {

io::ConfigReader OptionsReader(const LayerSpec& spec) {
  return io::ConfigReader(spec.options, spec.source, spec.options_path());
}

std::pair<int, int> ReadPair(io::ConfigReader& reader, std::string_view key,
                             std::pair<int, int> fallback) {
  if (!reader.Has(key)) return fallback;
  const nlohmann::json& value = reader.Raw(key);
  if (value.is_number_integer()) return {value.get<int>(), value.get<int>()};
  if (value.is_array() && value.size() == 2 && value[0].is_number_integer() &&
      value[1].is_number_integer()) {
    return {value[0].get<int>(), value[1].get<int>()};
  }
  Throw(ErrorCode::kInvalidArgument, "key '{}' in '{}' must be an integer or [h, w], not {}",
        reader.PathOf(key), reader.source(), value.dump());
}

}  // namespace rb::nn
