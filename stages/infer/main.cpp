#include "common/cli/driver.hpp"
#include "stages/infer/infer.hpp"

int main(int argc, char** argv) {
  return rb::cli::RunStageMain(rb::infer::InferStage(), argc, argv);
}
