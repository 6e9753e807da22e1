#include "common/core/params.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "common/core/check.hpp"

namespace rb {
namespace {

std::string Canonical(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::string_view Trim(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> SplitList(std::string_view text) {
  std::vector<std::string_view> items;
  text = Trim(text);
  if (text.empty()) return items;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    items.push_back(Trim(text.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

[[noreturn]] void BadValue(std::string_view text, std::string_view source,
                           std::string_view expected) {
  Throw(ErrorCode::kInvalidArgument, "invalid value '{}' for {}: expected {}", text, source,
        expected);
}

bool ParseBool(std::string_view text, std::string_view source) {
  std::string lower(Trim(text));
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  BadValue(text, source, "true or false");
}

int64_t ParseInt(std::string_view text, std::string_view source) {
  std::string_view t = Trim(text);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size() || t.empty()) {
    BadValue(text, source, "an integer");
  }
  return value;
}

double ParseFloat(std::string_view text, std::string_view source) {
  std::string_view t = Trim(text);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size() || t.empty() || !std::isfinite(value)) {
    BadValue(text, source, "a finite number");
  }
  return value;
}

void CheckRange(const ParamSpec& spec, double value, std::string_view source) {
  if ((spec.min && value < *spec.min) || (spec.max && value > *spec.max)) {
    std::string range = fmt::format(
        "{}{}, {}{}", spec.min ? "[" : "(", spec.min ? fmt::format("{}", *spec.min) : "-inf",
        spec.max ? fmt::format("{}", *spec.max) : "inf", spec.max ? "]" : ")");
    Throw(ErrorCode::kInvalidArgument, "value {} for {} is outside {}", value, source, range);
  }
}

void CheckChoice(const ParamSpec& spec, const std::string& value, std::string_view source) {
  if (std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end()) {
    Throw(ErrorCode::kInvalidArgument, "invalid value '{}' for {}: expected one of {}", value,
          source, fmt::join(spec.choices, ", "));
  }
}

// Checks a typed value against the spec: the single place ranges and choices are enforced.
void Validate(const ParamSpec& spec, const ParamValue& value, std::string_view source) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
          CheckRange(spec, static_cast<double>(v), source);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>> ||
                             std::is_same_v<T, std::vector<double>>) {
          for (auto x : v) CheckRange(spec, static_cast<double>(x), source);
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (spec.type == ParamType::kChoice) CheckChoice(spec, v, source);
          if (spec.IsPath() && v.empty()) {
            Throw(ErrorCode::kInvalidArgument, "empty path for {}", source);
          }
        }
      },
      value);
}

bool Matches(ParamType type, const ParamValue& value) {
  switch (type) {
    case ParamType::kBool:
      return std::holds_alternative<bool>(value);
    case ParamType::kInt:
      return std::holds_alternative<int64_t>(value);
    case ParamType::kFloat:
      return std::holds_alternative<double>(value);
    case ParamType::kString:
    case ParamType::kChoice:
    case ParamType::kInputPath:
    case ParamType::kOutputPath:
      return std::holds_alternative<std::string>(value);
    case ParamType::kIntList:
      return std::holds_alternative<std::vector<int64_t>>(value);
    case ParamType::kFloatList:
      return std::holds_alternative<std::vector<double>>(value);
    case ParamType::kStringList:
      return std::holds_alternative<std::vector<std::string>>(value);
  }
  return false;
}

nlohmann::json ValueToJson(const ParamValue& value) {
  return std::visit(
      [](const auto& v) -> nlohmann::json {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) {
          return nullptr;
        } else {
          return v;
        }
      },
      value);
}

ParamSpec MakeSpec(std::string name, ParamType type, std::string doc, ParamValue default_value,
                   std::vector<std::string> choices = {}) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.doc = std::move(doc);
  spec.default_value = std::move(default_value);
  spec.choices = std::move(choices);
  return spec;
}

}  // namespace

std::string_view ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kBool:
      return "bool";
    case ParamType::kInt:
      return "int";
    case ParamType::kFloat:
      return "float";
    case ParamType::kString:
      return "string";
    case ParamType::kChoice:
      return "choice";
    case ParamType::kIntList:
      return "int list";
    case ParamType::kFloatList:
      return "float list";
    case ParamType::kStringList:
      return "string list";
    case ParamType::kInputPath:
      return "input path";
    case ParamType::kOutputPath:
      return "output path";
  }
  return "?";
}

std::string FormatParamValue(const ParamValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "";
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_arithmetic_v<T>) {
          return fmt::format("{}", v);
        } else {
          return fmt::format("{}", fmt::join(v, ","));
        }
      },
      value);
}

ParamSpec& ParamSpec::Range(double lo, double hi) {
  min = lo;
  max = hi;
  return *this;
}
ParamSpec& ParamSpec::Min(double lo) {
  min = lo;
  return *this;
}
ParamSpec& ParamSpec::Required() {
  required = true;
  return *this;
}
ParamSpec& ParamSpec::Directory() {
  path_kind = PathKind::kDirectory;
  return *this;
}
std::string ParamSpec::RangeText() const {
  if (!min && !max) return "";
  return fmt::format("{}{}, {}{}", min ? "[" : "(", min ? fmt::format("{}", *min) : "-inf",
                     max ? fmt::format("{}", *max) : "inf", max ? "]" : ")");
}

std::string ParamSpec::Flag() const {
  std::string flag = "--" + name;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

ParamSpec& ParamSpecs::Add(ParamSpec spec) {
  RB_CHECK(Find(spec.name) == nullptr);
  RB_CHECK(spec.name.find('-') == std::string::npos);
  specs_.push_back(std::move(spec));
  return specs_.back();
}

ParamSpec& ParamSpecs::Bool(std::string name, std::string doc, bool default_value) {
  return Add(MakeSpec(std::move(name), ParamType::kBool, std::move(doc), default_value));
}
ParamSpec& ParamSpecs::Int(std::string name, std::string doc, std::optional<int64_t> value) {
  ParamValue v;
  if (value) v = *value;
  return Add(MakeSpec(std::move(name), ParamType::kInt, std::move(doc), v));
}
ParamSpec& ParamSpecs::Float(std::string name, std::string doc, std::optional<double> value) {
  ParamValue v;
  if (value) v = *value;
  return Add(MakeSpec(std::move(name), ParamType::kFloat, std::move(doc), v));
}
ParamSpec& ParamSpecs::String(std::string name, std::string doc, std::optional<std::string> value) {
  ParamValue v;
  if (value) v = *value;
  return Add(MakeSpec(std::move(name), ParamType::kString, std::move(doc), v));
}
ParamSpec& ParamSpecs::Choice(std::string name, std::string doc, std::vector<std::string> choices,
                              std::string default_value) {
  RB_CHECK(std::find(choices.begin(), choices.end(), default_value) != choices.end());
  return Add(MakeSpec(std::move(name), ParamType::kChoice, std::move(doc), std::move(default_value),
                      std::move(choices)));
}
ParamSpec& ParamSpecs::IntList(std::string name, std::string doc, std::vector<int64_t> value) {
  return Add(MakeSpec(std::move(name), ParamType::kIntList, std::move(doc), std::move(value)));
}
ParamSpec& ParamSpecs::FloatList(std::string name, std::string doc, std::vector<double> value) {
  return Add(MakeSpec(std::move(name), ParamType::kFloatList, std::move(doc), std::move(value)));
}
ParamSpec& ParamSpecs::StringList(std::string name, std::string doc,
                                  std::vector<std::string> value) {
  return Add(MakeSpec(std::move(name), ParamType::kStringList, std::move(doc), std::move(value)));
}
ParamSpec& ParamSpecs::Input(std::string name, std::string doc) {
  return Add(MakeSpec(std::move(name), ParamType::kInputPath, std::move(doc), {}));
}
ParamSpec& ParamSpecs::Output(std::string name, std::string doc) {
  return Add(MakeSpec(std::move(name), ParamType::kOutputPath, std::move(doc), {}));
}

const ParamSpec* ParamSpecs::Find(std::string_view name) const {
  std::string canonical = Canonical(name);
  for (const ParamSpec& spec : specs_) {
    if (spec.name == canonical) return &spec;
  }
  return nullptr;
}

const ParamSpec& ParamSpecs::Get(std::string_view name) const {
  if (const ParamSpec* spec = Find(name)) return *spec;
  std::string canonical = Canonical(name);
  const ParamSpec* best = nullptr;
  size_t best_distance = 3;  // suggest only near misses
  for (const ParamSpec& spec : specs_) {
    size_t distance = EditDistance(canonical, spec.name);
    if (distance < best_distance) {
      best_distance = distance;
      best = &spec;
    }
  }
  if (best)
    Throw(ErrorCode::kInvalidArgument, "unknown parameter '{}' (did you mean '{}'?)", name,
          best->name);
  Throw(ErrorCode::kInvalidArgument, "unknown parameter '{}'", name);
}

nlohmann::json ParamSpecs::Describe() const {
  nlohmann::json out = nlohmann::json::array();
  for (const ParamSpec& spec : specs_) {
    nlohmann::json item = {{"name", spec.name},
                           {"flag", spec.Flag()},
                           {"type", ParamTypeName(spec.type)},
                           {"doc", spec.doc},
                           {"required", spec.required},
                           {"default", ValueToJson(spec.default_value)}};
    if (spec.min) item["min"] = *spec.min;
    if (spec.max) item["max"] = *spec.max;
    if (!spec.choices.empty()) item["choices"] = spec.choices;
    if (spec.IsPath()) item["path_kind"] = spec.path_kind == PathKind::kFile ? "file" : "directory";
    out.push_back(std::move(item));
  }
  return out;
}

Params::Params(const ParamSpecs& specs) : specs_(&specs) {
  for (const ParamSpec& spec : specs.all()) values_[spec.name] = spec.default_value;
}

void Params::SetFromString(std::string_view name, std::string_view text, std::string_view source) {
  const ParamSpec& spec = specs_->Get(name);
  ParamValue value;
  switch (spec.type) {
    case ParamType::kBool:
      value = ParseBool(text, source);
      break;
    case ParamType::kInt:
      value = ParseInt(text, source);
      break;
    case ParamType::kFloat:
      value = ParseFloat(text, source);
      break;
    case ParamType::kString:
    case ParamType::kChoice:
    case ParamType::kInputPath:
    case ParamType::kOutputPath:
      value = std::string(text);
      break;
    case ParamType::kIntList: {
      std::vector<int64_t> list;
      for (auto item : SplitList(text)) list.push_back(ParseInt(item, source));
      value = std::move(list);
      break;
    }
    case ParamType::kFloatList: {
      std::vector<double> list;
      for (auto item : SplitList(text)) list.push_back(ParseFloat(item, source));
      value = std::move(list);
      break;
    }
    case ParamType::kStringList: {
      std::vector<std::string> list;
      for (auto item : SplitList(text)) list.emplace_back(item);
      value = std::move(list);
      break;
    }
  }
  Set(spec.name, std::move(value), source);
}

void Params::SetFromJson(std::string_view name, const nlohmann::json& json,
                         std::string_view source) {
  const ParamSpec& spec = specs_->Get(name);
  auto expect = [&](bool ok, std::string_view what) {
    if (!ok) BadValue(json.dump(), source, what);
  };
  ParamValue value;
  switch (spec.type) {
    case ParamType::kBool:
      expect(json.is_boolean(), "true or false");
      value = json.get<bool>();
      break;
    case ParamType::kInt:
      expect(json.is_number_integer(), "an integer");
      value = json.get<int64_t>();
      break;
    case ParamType::kFloat:
      expect(json.is_number(), "a number");
      value = json.get<double>();
      break;
    case ParamType::kString:
    case ParamType::kChoice:
    case ParamType::kInputPath:
    case ParamType::kOutputPath:
      expect(json.is_string(), "a string");
      value = json.get<std::string>();
      break;
    case ParamType::kIntList:
      expect(json.is_array() && std::all_of(json.begin(), json.end(),
                                            [](auto& x) { return x.is_number_integer(); }),
             "an array of integers");
      value = json.get<std::vector<int64_t>>();
      break;
    case ParamType::kFloatList:
      expect(json.is_array() &&
                 std::all_of(json.begin(), json.end(), [](auto& x) { return x.is_number(); }),
             "an array of numbers");
      value = json.get<std::vector<double>>();
      break;
    case ParamType::kStringList:
      expect(json.is_array() &&
                 std::all_of(json.begin(), json.end(), [](auto& x) { return x.is_string(); }),
             "an array of strings");
      value = json.get<std::vector<std::string>>();
      break;
  }
  Set(spec.name, std::move(value), source);
}

void Params::Set(std::string_view name, ParamValue value, std::string_view source) {
  const ParamSpec& spec = specs_->Get(name);
  RB_CHECK(Matches(spec.type, value));
  Validate(spec, value, source);
  values_.find(spec.name)->second = std::move(value);
}

void Params::CheckRequired() const {
  for (const ParamSpec& spec : specs_->all()) {
    if (spec.required && std::holds_alternative<std::monostate>(values_.find(spec.name)->second)) {
      Throw(ErrorCode::kInvalidArgument, "missing required parameter {} ({})", spec.Flag(),
            spec.doc);
    }
  }
}

bool Params::Has(std::string_view name) const {
  auto it = values_.find(Canonical(name));
  return it != values_.end() && !std::holds_alternative<std::monostate>(it->second);
}

const ParamValue& Params::Value(std::string_view name, ParamType expected) const {
  const ParamSpec& spec = specs_->Get(name);
  const ParamValue& value = values_.find(spec.name)->second;
  bool type_ok = spec.type == expected || (expected == ParamType::kString &&
                                           (spec.type == ParamType::kChoice || spec.IsPath()));
  if (!type_ok) {
    Throw(ErrorCode::kInternal, "parameter '{}' is a {}, read as {}", spec.name,
          ParamTypeName(spec.type), ParamTypeName(expected));
  }
  if (std::holds_alternative<std::monostate>(value)) {
    Throw(ErrorCode::kInvalidArgument, "parameter {} has no value", spec.Flag());
  }
  return value;
}

bool Params::GetBool(std::string_view name) const {
  return std::get<bool>(Value(name, ParamType::kBool));
}
int64_t Params::GetInt(std::string_view name) const {
  return std::get<int64_t>(Value(name, ParamType::kInt));
}
double Params::GetFloat(std::string_view name) const {
  return std::get<double>(Value(name, ParamType::kFloat));
}
const std::string& Params::GetString(std::string_view name) const {
  return std::get<std::string>(Value(name, ParamType::kString));
}
std::filesystem::path Params::GetPath(std::string_view name) const {
  RB_CHECK(specs_->Get(name).IsPath());
  return GetString(name);
}
const std::vector<int64_t>& Params::GetIntList(std::string_view name) const {
  return std::get<std::vector<int64_t>>(Value(name, ParamType::kIntList));
}
const std::vector<double>& Params::GetFloatList(std::string_view name) const {
  return std::get<std::vector<double>>(Value(name, ParamType::kFloatList));
}
const std::vector<std::string>& Params::GetStringList(std::string_view name) const {
  return std::get<std::vector<std::string>>(Value(name, ParamType::kStringList));
}

nlohmann::json Params::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const ParamSpec& spec : specs_->all()) {
    out[spec.name] = ValueToJson(values_.find(spec.name)->second);
  }
  return out;
}

}  // namespace rb
