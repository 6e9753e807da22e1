#include "common/cli/driver.hpp"
#include "stages/train/train.hpp"

int main(int argc, char** argv) {
  return rb::cli::RunStageMain(rb::train::TrainStage(), argc, argv);
}
