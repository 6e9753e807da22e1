#include "common/cli/driver.hpp"
#include "stages/route/route.hpp"

int main(int argc, char** argv) {
  return rb::cli::RunStageMain(rb::route::RouteStage(), argc, argv);
}
