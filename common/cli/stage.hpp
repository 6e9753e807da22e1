// What a stage binary hands to the shared driver: its name, its declared parameters and the
// function that runs it. See common/cli/driver.hpp for what the driver does with it.
#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/params.hpp"
#include "common/core/run_context.hpp"
#include "common/io/files.hpp"

namespace rb::cli {

// The outputs of one run. Stages write to the temporary paths handed out here; the driver
// renames them into place only after the stage returned successfully, and removes them on any
// failure or signal, so no partial output is ever visible under its final name.
//
// A file output parameter is one atomic unit with a "<file>.report.json" beside it. A folder
// output parameter (ParamSpec::Directory()) is a place the driver creates; the stage registers
// each file or sub-folder it writes there with Add(), each an atomic unit of its own, so two runs
// can fill one dataset folder (e.g. two cities) without replacing each other's work.
class StageOutputs {
 public:
  struct Entry {
    std::string param;  // "" for outputs registered with Add()
    io::AtomicPath path;
    bool report;
  };

  // The temporary path of file output `param`, or the final folder of folder output `param`.
  const std::filesystem::path& Path(std::string_view param) const;
  // Whether the optional output `param` was requested.
  bool Has(std::string_view param) const;
  // Registers an output (a file, or a folder written as a whole) and returns the temporary path
  // to write it to; `report` puts "<final_path>.report.json" beside it.
  const std::filesystem::path& Add(const std::filesystem::path& final_path, bool report = false);

  // Asks for the run report at `report_path` itself, for stages whose folder outputs are written
  // as the run goes (rb-train's snapshots) rather than registered with Add().
  void AddReport(const std::filesystem::path& report_path) { reports_.push_back(report_path); }
  const std::vector<std::filesystem::path>& extra_reports() const { return reports_; }

  // Driver side.
  void DeclareFile(std::string param, const std::filesystem::path& final_path);
  void DeclareFolder(std::string param, std::filesystem::path folder);
  const std::deque<Entry>& entries() const { return entries_; }
  void CommitAll();

 private:
  std::deque<Entry> entries_;  // deque: paths handed out stay valid
  std::vector<std::filesystem::path> reports_;
  std::vector<std::pair<std::string, std::filesystem::path>> folders_;
};

struct StageDescriptor {
  std::string name;         // binary name, e.g. "rb-mask"
  std::string summary;      // one line for --help
  std::string description;  // paragraphs for --help
  ParamSpecs params;
  // Whether the stage has a CUDA path; without one `--device cuda` exits 3.
  bool supports_cuda = false;
  // Runs the stage; returns the stage's own figures for the run report (a JSON object).
  std::function<nlohmann::json(const Params&, StageOutputs&, RunContext&)> run;
};

// A binary with several commands ("rb-prep image ...", "rb-prep tiles ...").
struct CommandSet {
  std::string name;                       // "rb-prep"
  std::string summary;                    // one line for --help
  std::vector<StageDescriptor> commands;  // each StageDescriptor::name is the command word
};

}  // namespace rb::cli
