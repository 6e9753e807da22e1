#include "common/io/json_config.hpp"

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "common/io/files.hpp"

namespace rb::io {

nlohmann::json LoadJsonFile(const std::filesystem::path& path) {
  std::string text = ReadFileBytes(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    // nlohmann reports a byte offset; turn it into line:column for people.
    size_t offset = std::min<size_t>(error.byte == 0 ? 0 : error.byte - 1, text.size());
    size_t line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n');
    size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    size_t column = line_start == std::string::npos ? offset + 1 : offset - line_start;
    Throw(ErrorCode::kInvalidArgument, "invalid JSON at line {}, column {}, in '{}'", line, column,
          path.string());
  }
}

ConfigReader::ConfigReader(const nlohmann::json& root, std::string source)
    : node_(&root), state_(std::make_shared<State>()) {
  state_->source = std::move(source);
  if (!root.is_object()) {
    Throw(ErrorCode::kInvalidArgument, "expected a JSON object at the top of '{}'", state_->source);
  }
}

ConfigReader::ConfigReader(const nlohmann::json& object, std::string source, std::string prefix)
    : node_(&object), prefix_(std::move(prefix)), state_(std::make_shared<State>()) {
  state_->source = std::move(source);
  if (!object.is_object()) {
    Throw(ErrorCode::kInvalidArgument, "'{}' in '{}' must be an object", prefix_, state_->source);
  }
}

ConfigReader::ConfigReader(const nlohmann::json* node, std::string prefix,
                           std::shared_ptr<State> state)
    : node_(node), prefix_(std::move(prefix)), state_(std::move(state)) {}

std::string ConfigReader::PathOf(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : fmt::format("{}.{}", prefix_, key);
}

int ConfigReader::CheckSchemaVersion(int newest_supported) {
  if (!Has("schema_version")) {
    Throw(ErrorCode::kInvalidArgument, "missing key 'schema_version' in '{}'", state_->source);
  }
  int version = Require<int>("schema_version");
  if (version < 1 || version > newest_supported) {
    Throw(ErrorCode::kInvalidArgument,
          "schema_version {} in '{}' is not supported by this build (1 to {})", version,
          state_->source, newest_supported);
  }
  return version;
}

bool ConfigReader::Has(std::string_view key) const { return node_->contains(key); }

const nlohmann::json& ConfigReader::Find(std::string_view key) const {
  auto it = node_->find(key);
  if (it == node_->end()) {
    Throw(ErrorCode::kInvalidArgument, "missing key '{}' in '{}'", PathOf(key), state_->source);
  }
  return *it;
}

void ConfigReader::TypeError(std::string_view key, std::string_view expected) const {
  Throw(ErrorCode::kInvalidArgument, "key '{}' in '{}' must be {}, not {}", PathOf(key),
        state_->source, expected, Find(key).dump());
}

ConfigReader ConfigReader::Object(std::string_view key) {
  const nlohmann::json& value = Find(key);
  if (!value.is_object()) TypeError(key, "an object");
  state_->read.insert(PathOf(key));
  return ConfigReader(&value, PathOf(key), state_);
}

std::vector<ConfigReader> ConfigReader::Objects(std::string_view key) {
  const nlohmann::json& value = Find(key);
  if (!value.is_array()) TypeError(key, "an array of objects");
  state_->read.insert(PathOf(key));
  std::vector<ConfigReader> out;
  for (size_t i = 0; i < value.size(); ++i) {
    std::string path = fmt::format("{}[{}]", PathOf(key), i);
    if (!value[i].is_object()) {
      Throw(ErrorCode::kInvalidArgument, "'{}' in '{}' must be an object, not {}", path,
            state_->source, value[i].dump());
    }
    state_->read.insert(path);
    out.push_back(ConfigReader(&value[i], path, state_));
  }
  return out;
}

const nlohmann::json& ConfigReader::Raw(std::string_view key) {
  const nlohmann::json& value = Find(key);
  state_->read.insert(PathOf(key));
  state_->wholly.insert(PathOf(key));
  return value;
}

std::vector<std::string> ConfigReader::Keys() const {
  std::vector<std::string> keys;
  for (auto it = node_->begin(); it != node_->end(); ++it) keys.push_back(it.key());
  return keys;
}

void ConfigReader::Finish() const { FinishNode(*node_, prefix_); }

void ConfigReader::FinishNode(const nlohmann::json& node, const std::string& prefix) const {
  if (!prefix.empty() && state_->wholly.count(prefix)) return;
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string path = prefix.empty() ? it.key() : fmt::format("{}.{}", prefix, it.key());
      if (!state_->read.count(path)) {
        Throw(ErrorCode::kInvalidArgument, "unknown key '{}' in '{}'", path, state_->source);
      }
      FinishNode(*it, path);
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      std::string path = fmt::format("{}[{}]", prefix, i);
      // Arrays of plain values are read whole; arrays of objects element by element.
      if (state_->read.count(path)) FinishNode(node[i], path);
    }
  }
}

}  // namespace rb::io
