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
class StageOutputs {
 public:
  // Temporary path for the output declared as parameter `param` (kOutputPath).
  const std::filesystem::path& Path(std::string_view param) const;
  // Whether the optional output `param` was requested.
  bool Has(std::string_view param) const;
  // Registers an additional output (e.g. a preview PNG beside the main file) and returns the
  // temporary path to write it to.
  const std::filesystem::path& Add(const std::filesystem::path& final_path);

  // Driver side.
  void Declare(std::string param, const std::filesystem::path& final_path);
  // (param or "", atomic path) pairs in declaration order.
  const std::deque<std::pair<std::string, io::AtomicPath>>& entries() const { return entries_; }
  void CommitAll();

 private:
  std::deque<std::pair<std::string, io::AtomicPath>>
      entries_;  // deque: paths handed out stay valid
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

}  // namespace rb::cli
