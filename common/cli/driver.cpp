#include "common/cli/driver.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <new>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "common/cli/report.hpp"
#include "common/core/cancel.hpp"
#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/io/files.hpp"
#include "common/io/json_config.hpp"
#include "roadbrew/build_config.hpp"
#include "roadbrew/kernels/device.hpp"

namespace rb::cli {
namespace fs = std::filesystem;
namespace {

constexpr int kPresetSchemaVersion = 1;

// First SIGINT/SIGTERM: ask the stage to stop at its next cancellation point (it then unwinds
// and the driver removes its temporary outputs). Second: remove them from the handler and leave.
extern "C" void OnTerminationSignal(int signal_number) {
  if (CancelRequested()) {
    io::RemoveTempPathsFromSignalHandler();
    _exit(128 + signal_number);
  }
  RequestCancel(signal_number);
}

void InstallSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = OnTerminationSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// Values taken from the command line, applied after the config files.
struct CommandLine {
  std::vector<std::string> config_files;
  std::vector<std::string> sets;
  bool describe = false;
  bool version = false;
  bool quiet = false;
  bool verbose = false;
  bool progress = false;
  bool no_report = false;
  int threads = 0;
  std::string device = "cpu";
  uint64_t seed = 0;
  std::map<std::string, std::string> param_text;  // name -> raw value
  std::map<std::string, bool> param_flags;        // bool params given as flags
};

std::string OptionHelp(const ParamSpec& spec) {
  std::string help = spec.doc;
  std::vector<std::string> facts;
  if (spec.required) facts.push_back("required");
  if (!std::holds_alternative<std::monostate>(spec.default_value) &&
      spec.type != ParamType::kBool) {
    std::string value = FormatParamValue(spec.default_value);
    facts.push_back(fmt::format("default {}", value.empty() ? "none" : value));
  }
  if (spec.min || spec.max) {
    facts.push_back(fmt::format(
        "{}{}, {}{}", spec.min ? "[" : "(", spec.min ? fmt::format("{}", *spec.min) : "-inf",
        spec.max ? fmt::format("{}", *spec.max) : "inf", spec.max ? "]" : ")"));
  }
  if (!spec.choices.empty())
    facts.push_back(fmt::format("one of {}", fmt::join(spec.choices, "|")));
  if (!facts.empty()) help += fmt::format(" ({})", fmt::join(facts, ", "));
  return help;
}

std::string TypeLabel(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::kInt:
      return "INT";
    case ParamType::kFloat:
      return "FLOAT";
    case ParamType::kIntList:
      return "INT,...";
    case ParamType::kFloatList:
      return "FLOAT,...";
    case ParamType::kStringList:
      return "TEXT,...";
    case ParamType::kInputPath:
    case ParamType::kOutputPath:
      return spec.path_kind == PathKind::kDirectory ? "DIR" : "FILE";
    case ParamType::kChoice:
      return "CHOICE";
    default:
      return "TEXT";
  }
}

void DeclareOptions(CLI::App& app, const StageDescriptor& stage, CommandLine& cl) {
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_flag("--version", cl.version, "Print the version and exit");
  app.add_flag("--describe", cl.describe, "Print the declared parameters as JSON and exit");
  app.add_option("--config", cl.config_files, "JSON preset of parameters (repeatable)")
      ->type_name("FILE")
      ->group("Driver");
  app.add_option("--set", cl.sets, "Override one parameter: KEY=VALUE (repeatable)")
      ->type_name("KEY=VALUE")
      ->group("Driver");
  app.add_flag("-q,--quiet", cl.quiet, "Only warnings and errors")->group("Driver");
  app.add_flag("-v,--verbose", cl.verbose, "Debug messages")->group("Driver");
  app.add_flag("--progress", cl.progress, "Force a progress bar even when not on a terminal")
      ->group("Driver");
  app.add_option("--threads", cl.threads, "Worker threads, 0 = all cores (default 0)")
      ->check(CLI::NonNegativeNumber)
      ->group("Driver");
  std::vector<std::string> devices = {"cpu", "cuda", "auto"};
  app.add_option("--device", cl.device,
                 stage.supports_cuda ? "Compute device (default cpu)"
                                     : "Compute device (default cpu; this stage has no CUDA path)")
      ->check(CLI::IsMember(devices))
      ->group("Driver");
  app.add_option("--seed", cl.seed, "Random seed (default 0)")->group("Driver");
  app.add_flag("--no-report", cl.no_report, "Do not write <output>.report.json files")
      ->group("Driver");

  for (const ParamSpec& spec : stage.params.all()) {
    std::string kebab = spec.Flag();
    std::string names = kebab;
    if (spec.name.find('_') != std::string::npos) names += ",--" + spec.name;
    std::string group = spec.IsPath() ? "Files" : "Parameters";
    if (spec.type == ParamType::kBool) {
      bool default_on = std::get<bool>(spec.default_value);
      std::string negated = "!--no-" + kebab.substr(2);
      std::string help = spec.doc + (default_on ? " (default on)" : " (default off)");
      app.add_flag_function(
             names + "," + negated,
             [&cl, name = spec.name](int64_t count) { cl.param_flags[name] = count > 0; }, help)
          ->group(group);
    } else {
      app.add_option_function<std::string>(
             names,
             [&cl, name = spec.name](const std::string& value) { cl.param_text[name] = value; },
             OptionHelp(spec))
          ->type_name(TypeLabel(spec))
          ->group(group);
    }
  }
}

void ApplyConfigFile(Params& params, const std::string& file) {
  nlohmann::json preset = io::LoadJsonFile(file);
  io::ConfigReader reader(preset, file);
  reader.CheckSchemaVersion(kPresetSchemaVersion);
  for (const std::string& key : reader.Keys()) {
    if (key == "schema_version") continue;
    if (params.specs().Find(key) == nullptr) {
      Throw(ErrorCode::kInvalidArgument, "unknown key '{}' in '{}'", key, file);
    }
    params.SetFromJson(key, reader.Raw(key), fmt::format("'{}' in '{}'", key, file));
  }
  reader.Finish();
}

Params ResolveParams(const StageDescriptor& stage, const CommandLine& cl) {
  Params params(stage.params);
  for (const std::string& file : cl.config_files) ApplyConfigFile(params, file);
  for (const std::string& assignment : cl.sets) {
    size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      Throw(ErrorCode::kInvalidArgument, "--set expects KEY=VALUE, got '{}'", assignment);
    }
    std::string key = assignment.substr(0, equals);
    params.SetFromString(key, assignment.substr(equals + 1), fmt::format("--set {}", key));
  }
  for (const auto& [name, text] : cl.param_text) {
    params.SetFromString(name, text, stage.params.Get(name).Flag());
  }
  for (const auto& [name, on] : cl.param_flags) params.Set(name, on, stage.params.Get(name).Flag());
  params.CheckRequired();
  return params;
}

// Inputs must exist and have the declared kind; outputs must not overwrite an input.
void CheckPaths(const Params& params) {
  std::vector<fs::path> inputs;
  for (const ParamSpec& spec : params.specs().all()) {
    if (spec.type != ParamType::kInputPath || !params.Has(spec.name)) continue;
    fs::path path = params.GetPath(spec.name);
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (!fs::exists(status)) {
      Throw(ErrorCode::kIo, "input '{}' does not exist, for {}", path.string(), spec.Flag());
    }
    bool want_dir = spec.path_kind == PathKind::kDirectory;
    if (want_dir != fs::is_directory(status)) {
      Throw(ErrorCode::kIo, "input '{}' is {}a directory, for {}", path.string(),
            want_dir ? "not " : "", spec.Flag());
    }
    inputs.push_back(fs::weakly_canonical(path, ec));
  }
  for (const ParamSpec& spec : params.specs().all()) {
    if (spec.type != ParamType::kOutputPath || !params.Has(spec.name)) continue;
    std::error_code ec;
    fs::path out = fs::weakly_canonical(params.GetPath(spec.name), ec);
    for (const fs::path& in : inputs) {
      if (in == out) {
        Throw(ErrorCode::kInvalidArgument, "output {} '{}' would overwrite an input", spec.Flag(),
              out.string());
      }
    }
  }
}

Device ResolveDevice(const StageDescriptor& stage, const std::string& requested) {
  if (requested == "cpu") return Device::kCpu;
  if (requested == "auto") {
    if (!stage.supports_cuda || !kernels::cuda::BuiltWithCuda()) return Device::kCpu;
    return kernels::cuda::ListDevices().empty() ? Device::kCpu : Device::kCuda;
  }
  if (!stage.supports_cuda) {
    Throw(ErrorCode::kUnsupported, "{} has no CUDA implementation; use --device cpu", stage.name);
  }
  kernels::cuda::RequireDevice();
  return Device::kCuda;
}

void CreateFolder(const fs::path& folder, const ParamSpec& spec) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) {
    Throw(ErrorCode::kIo, "cannot create folder '{}' for {}: {}", folder.string(), spec.Flag(),
          ec.message());
  }
}

void DeclareOutputs(const Params& params, StageOutputs& outputs) {
  for (const ParamSpec& spec : params.specs().all()) {
    if (spec.type != ParamType::kOutputPath || !params.Has(spec.name)) continue;
    fs::path path = params.GetPath(spec.name);
    if (spec.path_kind == PathKind::kDirectory) {
      CreateFolder(path, spec);
      outputs.DeclareFolder(spec.name, path);
    } else {
      if (path.has_parent_path()) CreateFolder(path.parent_path(), spec);
      outputs.DeclareFile(spec.name, path);
    }
  }
}

// Checks every requested output was written, adds the reports and renames all into place.
void Finalise(const StageDescriptor& stage, const RunRecord& record, const Params& params,
              StageOutputs& outputs, const RunContext& context, const nlohmann::json& figures,
              bool write_reports) {
  for (const StageOutputs::Entry& entry : outputs.entries()) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(entry.path.temp(), ec))) {
      Throw(ErrorCode::kInternal, "{} did not write its output '{}'", stage.name,
            entry.path.final_path().string());
    }
  }
  if (write_reports) {
    nlohmann::json report = BuildRunReport(record, params, outputs, context, figures);
    std::string text = report.dump(2) + "\n";
    std::vector<fs::path> report_paths;
    for (const StageOutputs::Entry& entry : outputs.entries()) {
      if (entry.report) report_paths.push_back(entry.path.final_path().string() + ".report.json");
    }
    for (const fs::path& path : outputs.extra_reports()) report_paths.push_back(path);
    for (const fs::path& report_path : report_paths) {
      const fs::path& temp = outputs.Add(report_path);
      std::FILE* file = std::fopen(temp.c_str(), "wb");
      if (file == nullptr || std::fwrite(text.data(), 1, text.size(), file) != text.size() ||
          std::fclose(file) != 0) {
        Throw(ErrorCode::kIo, "cannot write report '{}'", report_path.string());
      }
    }
  }
  ThrowIfCancelled();  // a signal that arrived after the last progress tick still wins
  outputs.CommitAll();
}

int Fail(const std::string& message, int exit_code) {
  LogError("{}", message);
  return exit_code;
}

}  // namespace

int RunStageMain(const StageDescriptor& stage, int argc, char** argv) {
  SetLogProgramName(stage.name);
  InstallSignalHandlers();
  CommandLine cl;
  CLI::App app(stage.summary + (stage.description.empty() ? "" : "\n\n" + stage.description),
               stage.name);
  app.get_formatter()->column_width(34);
  app.allow_extras(false);
  DeclareOptions(app, stage, cl);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ParseError& error) {
    return Fail(fmt::format("{}; see {} --help", error.what(), stage.name), 2);
  }
  if (cl.version) {
    std::cout << fmt::format("{} (roadbrew {}, commit {}, CUDA {}, oneDNN {})\n", stage.name,
                             ROADBREW_VERSION, ROADBREW_GIT_COMMIT,
                             ROADBREW_HAVE_CUDA ? "on" : "off",
                             ROADBREW_HAVE_ONEDNN ? "on" : "off");
    return 0;
  }
  if (cl.describe) {
    nlohmann::json description = {{"stage", stage.name},
                                  {"summary", stage.summary},
                                  {"version", ROADBREW_VERSION},
                                  {"supports_cuda", stage.supports_cuda},
                                  {"params", stage.params.Describe()}};
    std::cout << description.dump(2) << "\n";
    return 0;
  }
  SetLogLevel(cl.quiet ? LogLevel::kWarning : cl.verbose ? LogLevel::kDebug : LogLevel::kInfo);

  // The command line as typed, with the stage's name for the program ("rb-prep image", ...).
  std::vector<std::string> command_line = {stage.name};
  command_line.insert(command_line.end(), argv + 1, argv + argc);
  RunRecord record{stage.name, std::move(command_line), std::chrono::system_clock::now(), 0};
  try {
    Params params = ResolveParams(stage, cl);
    CheckPaths(params);
    Device device = ResolveDevice(stage, cl.device);
    RunContext context({.threads = cl.threads,
                        .device = device,
                        .seed = cl.seed,
                        .progress = ChooseProgressStyle(cl.quiet, cl.progress)});
    StageOutputs outputs;
    DeclareOutputs(params, outputs);
    auto start = std::chrono::steady_clock::now();
    nlohmann::json figures = stage.run(params, outputs, context);
    record.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Finalise(stage, record, params, outputs, context, figures, !cl.no_report);
    LogDebug("done in {:.2f} s", record.wall_seconds);
    return 0;
  } catch (const Error& error) {
    return Fail(error.what(), ExitCodeFor(error.code()));
  } catch (const std::bad_alloc&) {
    return Fail("out of memory", 1);
  } catch (const std::exception& error) {
    return Fail(fmt::format("internal error: {}", error.what()), 1);
  }
}

int RunCommandMain(const CommandSet& set, int argc, char** argv) {
  SetLogProgramName(set.name);
  auto usage = [&](std::FILE* out) {
    std::string text = fmt::format(
        "{}\n\nUsage: {} <command> [options]; {} <command> --help\n\n"
        "Commands:\n",
        set.summary, set.name, set.name);
    for (const StageDescriptor& command : set.commands) {
      text += fmt::format("  {:<10} {}\n", command.name, command.summary);
    }
    std::fputs(text.c_str(), out);
  };
  std::string word = argc > 1 ? argv[1] : "";
  if (word == "-h" || word == "--help") {
    usage(stdout);
    return 0;
  }
  for (const StageDescriptor& command : set.commands) {
    if (command.name == word) {
      StageDescriptor stage = command;
      stage.name = fmt::format("{} {}", set.name, command.name);
      return RunStageMain(stage, argc - 1, argv + 1);
    }
  }
  std::vector<std::string> names;
  for (const StageDescriptor& command : set.commands) names.push_back(command.name);
  return Fail(
      fmt::format("{} (commands: {}); see {} --help",
                  word.empty() ? "expected a command" : fmt::format("unknown command '{}'", word),
                  fmt::join(names, ", "), set.name),
      2);
}

}  // namespace rb::cli
