#include "common/cli/driver.hpp"
#include "stages/percolate/percolate.hpp"

int main(int argc, char** argv) {
  return rb::cli::RunCommandMain(rb::percolate::PercolateCommands(), argc, argv);
}
