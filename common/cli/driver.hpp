// The one stage driver every rb-* binary uses (its main() is a descriptor plus this call).
//
// Flags: the stage's declared parameters (--name VALUE, bools as --name / --no-name), and
//   -h/--help, --version, --describe (parameters as JSON on stdout), --config FILE (JSON preset,
//   repeatable), --set KEY=VALUE (repeatable), -q/--quiet, -v/--verbose, --progress,
//   --threads N, --device cpu|cuda|auto, --seed N, --no-report.
// Precedence: defaults < --config files (in order) < --set < explicit flags.
// Before the stage runs: every value validated, required parameters present, inputs exist,
//   the device resolved. Outputs are written to temporary siblings and renamed into place only
//   on success, each with a "<output>.report.json" beside it.
// Exit codes: 0 ok; 1 runtime failure (bad data, I/O, cancelled); 2 usage or configuration
//   error; 3 unsupported on this build or machine (e.g. --device cuda without a GPU).
// Errors are one line on stderr: "rb-<stage>: error: <what>, <where>".
#pragma once

#include "common/cli/stage.hpp"

namespace rb::cli {

int RunStageMain(const StageDescriptor& stage, int argc, char** argv);

// A binary with several commands (CommandSet): the first argument names the command, which then
// runs like a stage of its own named "<binary> <command>".
int RunCommandMain(const CommandSet& set, int argc, char** argv);

}  // namespace rb::cli
