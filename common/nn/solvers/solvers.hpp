// The update rules, one per file; Solver::Create picks by SolverSpec::type.
#pragma once

#include "common/nn/solver.hpp"

namespace rb::nn {

class SgdSolver : public Solver {
 public:
  SgdSolver(const SolverSpec& spec, Net& net) : Solver(spec, net, 1) {}

 protected:
  void Update(size_t index, float lr) override;
};

class NesterovSolver : public Solver {
 public:
  NesterovSolver(const SolverSpec& spec, Net& net) : Solver(spec, net, 1) {}

 protected:
  void Update(size_t index, float lr) override;
};

class AdaGradSolver : public Solver {
 public:
  AdaGradSolver(const SolverSpec& spec, Net& net) : Solver(spec, net, 1) {}

 protected:
  void Update(size_t index, float lr) override;
};

class RmsPropSolver : public Solver {
 public:
  RmsPropSolver(const SolverSpec& spec, Net& net) : Solver(spec, net, 1) {}

 protected:
  void Update(size_t index, float lr) override;
};

class AdamSolver : public Solver {
 public:
  AdamSolver(const SolverSpec& spec, Net& net) : Solver(spec, net, 2) {}

 protected:
  void Update(size_t index, float lr) override;
};

}  // namespace rb::nn
