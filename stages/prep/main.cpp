#include "common/cli/driver.hpp"
#include "stages/prep/prep.hpp"

int main(int argc, char** argv) {
  return rb::cli::RunCommandMain(rb::prep::PrepCommands(), argc, argv);
}
