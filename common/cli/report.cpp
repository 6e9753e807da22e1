#include "common/cli/report.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "common/io/files.hpp"
#include "roadbrew/build_config.hpp"
#include "roadbrew/kernels/device.hpp"

namespace rb::cli {
namespace {

nlohmann::json DescribeFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return {{"kind", "directory"}};
  io::FileDigest digest = io::DigestFile(path);
  return {{"size_bytes", digest.size_bytes}, {"xxh3_128", digest.xxh3_128}};
}

}  // namespace

nlohmann::json BuildRunReport(const RunRecord& record, const Params& params,
                              const StageOutputs& outputs, const RunContext& context,
                              const nlohmann::json& figures) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const ParamSpec& spec : params.specs().all()) {
    if (spec.type != ParamType::kInputPath || !params.Has(spec.name)) continue;
    nlohmann::json item = DescribeFile(params.GetPath(spec.name));
    item["param"] = spec.name;
    item["path"] = params.GetString(spec.name);
    inputs.push_back(std::move(item));
  }
  nlohmann::json written = nlohmann::json::array();
  for (const StageOutputs::Entry& entry : outputs.entries()) {
    nlohmann::json item = DescribeFile(entry.path.temp());
    if (!entry.param.empty()) item["param"] = entry.param;
    item["path"] = entry.path.final_path().string();
    written.push_back(std::move(item));
  }
  nlohmann::json report = {
      {"stage", record.stage},
      {"roadbrew_version", ROADBREW_VERSION},
      {"roadbrew_commit", ROADBREW_GIT_COMMIT},
      {"command_line", record.command_line},
      {"parameters", params.ToJson()},
      {"inputs", std::move(inputs)},
      {"outputs", std::move(written)},
      {"seed", context.seed()},
      {"device", DeviceName(context.device())},
      {"threads", context.threads()},
      {"started_utc",
       fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                   fmt::gmtime(std::chrono::system_clock::to_time_t(record.started)))},
      {"wall_seconds", record.wall_seconds},
      {"figures", figures.is_null() ? nlohmann::json::object() : figures},
  };
  if (context.device() == Device::kCuda) report["cuda"] = kernels::cuda::LibraryVersions();
  return report;
}

}  // namespace rb::cli
