#include "common/cli/stage.hpp"

#include "common/core/check.hpp"

namespace rb::cli {

const std::filesystem::path& StageOutputs::Path(std::string_view param) const {
  for (const auto& [name, path] : entries_) {
    if (name == param) return path.temp();
  }
  Throw(ErrorCode::kInternal, "output '{}' was not requested", param);
}

bool StageOutputs::Has(std::string_view param) const {
  for (const auto& [name, path] : entries_) {
    if (name == param) return true;
  }
  return false;
}

const std::filesystem::path& StageOutputs::Add(const std::filesystem::path& final_path) {
  for (const auto& [name, path] : entries_) {
    RB_CHECK_ARG(path.final_path() != final_path, "output '{}' is written twice",
                 final_path.string());
  }
  entries_.emplace_back("", io::AtomicPath(final_path));
  return entries_.back().second.temp();
}

void StageOutputs::Declare(std::string param, const std::filesystem::path& final_path) {
  entries_.emplace_back(std::move(param), io::AtomicPath(final_path));
}

void StageOutputs::CommitAll() {
  for (auto& [name, path] : entries_) path.Commit();
}

}  // namespace rb::cli
