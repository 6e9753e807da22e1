#include "common/cli/driver.hpp"
#include "stages/gridworld/gridworld.hpp"

int main(int argc, char** argv) {
  return rb::cli::RunCommandMain(rb::gridworld::GridworldCommands(), argc, argv);
}
