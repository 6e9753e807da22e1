#include "common/cli/stage.hpp"

#include "common/core/check.hpp"

namespace rb::cli {

const std::filesystem::path& StageOutputs::Path(std::string_view param) const {
  for (const Entry& entry : entries_) {
    if (entry.param == param) return entry.path.temp();
  }
  for (const auto& [name, folder] : folders_) {
    if (name == param) return folder;
  }
  Throw(ErrorCode::kInternal, "output '{}' was not requested", param);
}

bool StageOutputs::Has(std::string_view param) const {
  for (const Entry& entry : entries_) {
    if (entry.param == param) return true;
  }
  for (const auto& [name, folder] : folders_) {
    if (name == param) return true;
  }
  return false;
}

const std::filesystem::path& StageOutputs::Add(const std::filesystem::path& final_path,
                                               bool report) {
  for (const Entry& entry : entries_) {
    RB_CHECK_ARG(entry.path.final_path() != final_path, "output '{}' is written twice",
                 final_path.string());
  }
  entries_.push_back({"", io::AtomicPath(final_path), report});
  return entries_.back().path.temp();
}

void StageOutputs::DeclareFile(std::string param, const std::filesystem::path& final_path) {
  entries_.push_back({std::move(param), io::AtomicPath(final_path), true});
}

void StageOutputs::DeclareFolder(std::string param, std::filesystem::path folder) {
  folders_.emplace_back(std::move(param), std::move(folder));
}

void StageOutputs::CommitAll() {
  for (Entry& entry : entries_) entry.path.Commit();
}

}  // namespace rb::cli
