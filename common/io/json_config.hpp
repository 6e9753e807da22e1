// JSON configuration files (models, solvers, presets, AOI settings).
//
// ConfigReader hands out values by key and remembers which keys were read; Finish() then rejects
// any key nobody read, naming its full path ("solver.momentun in configs/solvers/sgd.json"), so
// a typo never silently falls back to a default.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/error.hpp"

namespace rb::io {

// Parses a JSON file. Syntax errors are Error(kInvalidArgument) with the file, line and column.
nlohmann::json LoadJsonFile(const std::filesystem::path& path);

class ConfigReader {
 public:
  // `source` names the file in messages.
  ConfigReader(const nlohmann::json& root, std::string source);
  // A reader of an object nested at `prefix` ("layers[3].convolution") of file `source`, with
  // its own key tracking: key paths in messages are the full ones.
  ConfigReader(const nlohmann::json& object, std::string source, std::string prefix);

  // Requires an integer "schema_version" between 1 and `newest_supported`.
  int CheckSchemaVersion(int newest_supported);

  bool Has(std::string_view key) const;
  template <class T>
  T Get(std::string_view key, T fallback);
  template <class T>
  T Require(std::string_view key);
  // A nested object; its keys are tracked too.
  ConfigReader Object(std::string_view key);
  // An array of objects.
  std::vector<ConfigReader> Objects(std::string_view key);
  // A value taken as a whole (its inner keys are not checked).
  const nlohmann::json& Raw(std::string_view key);
  // Keys present in this object, sorted.
  std::vector<std::string> Keys() const;

  // Throws kInvalidArgument naming the first key (full path) that was never read.
  void Finish() const;

  const std::string& source() const { return state_->source; }
  std::string PathOf(std::string_view key) const;

 private:
  struct State {
    std::string source;
    std::set<std::string> read;    // full key paths handed out
    std::set<std::string> wholly;  // paths taken as a whole by Raw()
  };
  ConfigReader(const nlohmann::json* node, std::string prefix, std::shared_ptr<State> state);
  const nlohmann::json& Find(std::string_view key) const;  // throws when missing
  [[noreturn]] void TypeError(std::string_view key, std::string_view expected) const;
  void FinishNode(const nlohmann::json& node, const std::string& prefix) const;

  const nlohmann::json* node_;
  std::string prefix_;
  std::shared_ptr<State> state_;
};

template <class T>
T ConfigReader::Require(std::string_view key) {
  const nlohmann::json& value = Find(key);
  state_->read.insert(PathOf(key));
  if constexpr (std::is_same_v<T, bool>) {
    if (!value.is_boolean()) TypeError(key, "true or false");
  } else if constexpr (std::is_integral_v<T>) {
    if (!value.is_number_integer()) TypeError(key, "an integer");
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!value.is_number()) TypeError(key, "a number");
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!value.is_string()) TypeError(key, "a string");
  }
  try {
    return value.get<T>();
  } catch (const nlohmann::json::exception&) {
    TypeError(key, "a value of another type");
  }
}

template <class T>
T ConfigReader::Get(std::string_view key, T fallback) {
  if (!Has(key)) return fallback;
  return Require<T>(key);
}

}  // namespace rb::io
