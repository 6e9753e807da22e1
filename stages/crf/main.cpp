#include "common/cli/driver.hpp"
#include "stages/crf/crf.hpp"

int main(int argc, char** argv) { return rb::cli::RunStageMain(rb::crf::CrfStage(), argc, argv); }
