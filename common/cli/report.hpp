// The run report written beside each output as "<output>.report.json": what ran, with which
// parameters, on which inputs (sizes and checksums), how long it took and the stage's figures,
// so any output can be traced back and reproduced.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/cli/stage.hpp"
#include "common/core/params.hpp"
#include "common/core/run_context.hpp"

namespace rb::cli {

struct RunRecord {
  std::string stage;
  std::vector<std::string> command_line;
  std::chrono::system_clock::time_point started;
  double wall_seconds = 0;
};

// Inputs are digested (size + XXH3-128) when they are files; directories are listed by path.
nlohmann::json BuildRunReport(const RunRecord& record, const Params& params,
                              const StageOutputs& outputs, const RunContext& context,
                              const nlohmann::json& figures);

}  // namespace rb::cli
