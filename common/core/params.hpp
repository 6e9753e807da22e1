// Declared stage parameters.
//
// A stage declares each parameter once (name, type, default, range or choices, doc); the driver
// derives --help, --describe, --config and --set from the declarations and validates every value
// before the stage opens a file. Names are snake_case; on the command line `--emit_truth` and
// `--emit-truth` are the same flag.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace rb {

enum class ParamType {
  kBool,
  kInt,
  kFloat,
  kString,
  kChoice,
  kIntList,
  kFloatList,
  kStringList,
  kInputPath,   // must exist before the stage runs
  kOutputPath,  // written atomically by the driver (temp + rename)
};
std::string_view ParamTypeName(ParamType type);

enum class PathKind { kFile, kDirectory };

// monostate = not set.
using ParamValue =
    std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<int64_t>,
                 std::vector<double>, std::vector<std::string>>;

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kString;
  std::string doc;
  ParamValue default_value;  // monostate: no default
  bool required = false;
  std::optional<double> min, max;    // inclusive bounds; for lists they bound every element
  std::vector<std::string> choices;  // kChoice
  PathKind path_kind = PathKind::kFile;

  // Chainable refinements used when declaring.
  ParamSpec& Range(double lo, double hi);
  ParamSpec& Min(double lo);
  ParamSpec& Required();
  ParamSpec& Directory();

  // "--emit-truth": the form shown in help.
  std::string Flag() const;
  // "[0, 100]", "[1, inf)", or "" without bounds.
  std::string RangeText() const;
  bool IsPath() const { return type == ParamType::kInputPath || type == ParamType::kOutputPath; }
};

class ParamSpecs {
 public:
  ParamSpec& Bool(std::string name, std::string doc, bool default_value = false);
  ParamSpec& Int(std::string name, std::string doc, std::optional<int64_t> default_value);
  ParamSpec& Float(std::string name, std::string doc, std::optional<double> default_value);
  ParamSpec& String(std::string name, std::string doc, std::optional<std::string> default_value);
  ParamSpec& Choice(std::string name, std::string doc, std::vector<std::string> choices,
                    std::string default_value);
  ParamSpec& IntList(std::string name, std::string doc, std::vector<int64_t> default_value);
  ParamSpec& FloatList(std::string name, std::string doc, std::vector<double> default_value);
  ParamSpec& StringList(std::string name, std::string doc, std::vector<std::string> default_value);
  ParamSpec& Input(std::string name, std::string doc);
  ParamSpec& Output(std::string name, std::string doc);

  // nullptr when unknown; accepts snake_case or kebab-case.
  const ParamSpec* Find(std::string_view name) const;
  // Throws kInvalidArgument "unknown parameter 'x' (did you mean 'y'?)".
  const ParamSpec& Get(std::string_view name) const;
  const std::deque<ParamSpec>& all() const { return specs_; }

  // The declarations as JSON (the body of --describe).
  nlohmann::json Describe() const;

 private:
  ParamSpec& Add(ParamSpec spec);
  std::deque<ParamSpec> specs_;  // deque: references stay valid while declaring
};

// Values of one run, checked against their specs.
class Params {
 public:
  explicit Params(const ParamSpecs& specs);

  // Parse and validate; `source` names where the value came from for error messages
  // (e.g. "--images", "'images' in preset.json"). Throw kInvalidArgument.
  void SetFromString(std::string_view name, std::string_view text, std::string_view source);
  void SetFromJson(std::string_view name, const nlohmann::json& value, std::string_view source);
  void Set(std::string_view name, ParamValue value, std::string_view source);

  // Throws kInvalidArgument naming the first required parameter without a value.
  void CheckRequired() const;

  bool Has(std::string_view name) const;
  bool GetBool(std::string_view name) const;
  int64_t GetInt(std::string_view name) const;
  double GetFloat(std::string_view name) const;
  const std::string& GetString(std::string_view name) const;  // string, choice and path types
  std::filesystem::path GetPath(std::string_view name) const;
  const std::vector<int64_t>& GetIntList(std::string_view name) const;
  const std::vector<double>& GetFloatList(std::string_view name) const;
  const std::vector<std::string>& GetStringList(std::string_view name) const;

  const ParamSpecs& specs() const { return *specs_; }
  // Every parameter with its value after defaults (null when unset), keyed by name.
  nlohmann::json ToJson() const;

 private:
  const ParamValue& Value(std::string_view name, ParamType expected) const;
  const ParamSpecs* specs_;
  std::map<std::string, ParamValue, std::less<>> values_;
};

// Formats a value for help text and messages: "24", "2,98", "vegas", "true".
std::string FormatParamValue(const ParamValue& value);

}  // namespace rb
