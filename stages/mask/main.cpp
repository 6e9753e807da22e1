#include "common/cli/driver.hpp"
#include "stages/mask/mask.hpp"

int main(int argc, char** argv) { return rb::cli::RunStageMain(rb::mask::MaskStage(), argc, argv); }
