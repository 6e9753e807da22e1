// How the iterative solvers visit the states.
#pragma once

#include <string>

namespace rb::gridworld {

enum class Sweep {
  kSync,     // synchronous (Jacobi): every update reads the previous sweep's values
  kInPlace,  // in place (Gauss-Seidel): every update reads the newest values
};
Sweep ParseSweep(const std::string& name);  // "sync" or "inplace"

}  // namespace rb::gridworld
