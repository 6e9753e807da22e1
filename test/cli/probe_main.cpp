#include "common/cli/driver.hpp"
#include "test/cli/probe_stage.hpp"

int main(int argc, char** argv) {
  return rb::cli::RunStageMain(rb::test::ProbeStage(), argc, argv);
}
