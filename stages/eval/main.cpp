#include "common/cli/driver.hpp"
#include "stages/eval/eval.hpp"

int main(int argc, char** argv) { return rb::cli::RunStageMain(rb::eval::EvalStage(), argc, argv); }
