// Mean-field inference in a fully connected CRF with Gaussian edge potentials and Potts
// compatibility (Krähenbühl and Koltun, NIPS 2011), computed as densecrf v2 computes it (shared
// notes networks.md 3.2), so labels agree with pydensecrf on the same inputs:
//
//   Q <- softmax(-U);  repeat: Q_i(l) <- softmax_l(-U_i(l) + sum_m w_m [K~_m Q]_i(l))
//
// where K~_m = D^-1/2 K_m D^-1/2 is kernel m's Gaussian over its features, filtered with a
// permutohedral lattice (the j = i term included), normalised symmetrically with D = K_m 1.
// That is Potts compatibility [l != l'] up to a per-pixel constant, and attractive for w >= 0.
//
// Points are pixels (or any items), labels 0 .. L-1; arrays are point-major: (points, labels).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "roadbrew/kernels/large_buffer.hpp"
#include "roadbrew/kernels/permutohedral.hpp"

namespace rb::crf {

class DenseCrf {
 public:
  // `unary`: (points, labels) energies, -log p of each label; labels >= 2; finite values.
  DenseCrf(std::span<const float> unary, int labels);

  // Adds the pairwise term w * Potts * k with k(i, j) = exp(-|f_i - f_j|^2 / 2).
  // `features`: (points, dims), every coordinate already divided by the kernel's standard
  // deviation along it (pixels / sxy, band values / srgb). `weight` >= 0 (pydensecrf's
  // `compat`). Builds the term's lattice and normalisation once; throws what the lattice throws.
  void AddGaussian(const float* features, int dims, float weight);

  // Called after each update with its number (0 = the initial softmax(-U)) and Q.
  using Observer = std::function<void(int iteration, std::span<const float> q)>;

  // Q, (points, labels), after `iterations` parallel mean-field updates. Each update filters
  // labels - 1 channels per term: the last label's message follows from Q summing to one.
  std::vector<float> Infer(int iterations, const Observer& observer = {}) const;

  // Mean-field free energy of Q (the KL divergence to the CRF's distribution up to a constant):
  //   sum_i sum_l Q_i(l) (U_i(l) + log Q_i(l)) - 1/2 sum_m w_m sum_i sum_l Q_i(l) [K~_m Q]_i(l).
  // Mean-field updates lower it (Krähenbühl and Koltun, ICML 2013: concave Potts terms).
  double FreeEnergy(std::span<const float> q) const;

  int64_t points() const { return points_; }
  int labels() const { return labels_; }

  struct TermInfo {
    int dims = 0;
    float weight = 0;
    int64_t vertices = 0;
    size_t bytes = 0;
  };
  std::vector<TermInfo> Terms() const;

 private:
  struct Term {
    kernels::cpu::PermutohedralLattice lattice;
    float weight;
    kernels::LargeVector<float> norm;  // D^-1/2, per point
    kernels::LargeVector<float> ones;  // K~ 1, per point: the sum of every label's message
  };

  // Adds w * K~ Q to `logits` (points, labels).
  void AddMessages(const Term& term, const std::vector<float>& q,
                   kernels::LargeVector<float>& logits, kernels::LargeVector<float>& scratch) const;
  // Q = softmax of `logits`, per point.
  void Softmax(const kernels::LargeVector<float>& logits, std::vector<float>& q) const;
  // The mean-field updates of Infer for two labels (q holds the initial Q).
  void InferTwoLabels(int iterations, std::vector<float>& q, const Observer& observer) const;

  kernels::LargeVector<float> unary_;
  int labels_;
  int64_t points_;
  std::vector<Term> terms_;
};

}  // namespace rb::crf
