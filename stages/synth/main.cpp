#include "common/cli/driver.hpp"
#include "stages/synth/synth.hpp"

int main(int argc, char** argv) {
  return rb::cli::RunStageMain(rb::synth::SynthStage(), argc, argv);
}
