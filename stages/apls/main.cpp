#include "common/cli/driver.hpp"
#include "stages/apls/apls.hpp"

int main(int argc, char** argv) { return rb::cli::RunStageMain(rb::apls::AplsStage(), argc, argv); }
