// rb-probe: a test-only stage built on the shared driver. It reads one input of a chosen kind
// with roadbrew's readers and writes it back with roadbrew's writers, so driver tests exercise
// argument handling, validation, atomic outputs, reports, signals and every reader's errors
// through a real process.
#pragma once

#include "common/cli/stage.hpp"

namespace rb::test {

cli::StageDescriptor ProbeStage();

}  // namespace rb::test
