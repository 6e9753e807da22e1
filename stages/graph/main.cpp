#include "common/cli/driver.hpp"
#include "stages/graph/graph.hpp"

int main(int argc, char** argv) {
  return rb::cli::RunStageMain(rb::graphs::GraphStage(), argc, argv);
}
