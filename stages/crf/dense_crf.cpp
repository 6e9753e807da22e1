#include "stages/crf/dense_crf.hpp"

#include <algorithm>
#include <cmath>

#include "common/core/check.hpp"
#include "kernels/cpu/task_parallel.hpp"

namespace rb::crf {
namespace {

using kernels::cpu::TaskRanges;
constexpr int64_t kGrain = 16384;

}  // namespace

DenseCrf::DenseCrf(std::span<const float> unary, int labels)
    : unary_(unary.begin(), unary.end()), labels_(labels) {
  RB_CHECK_ARG(labels >= 2, "a CRF needs at least 2 labels, got {}", labels);
  RB_CHECK_ARG(unary_.size() % labels == 0, "{} unary values are not a multiple of {} labels",
               unary_.size(), labels);
  points_ = static_cast<int64_t>(unary_.size()) / labels;
  auto bad = std::find_if(unary_.begin(), unary_.end(), [](float u) { return !std::isfinite(u); });
  RB_CHECK_ARG(bad == unary_.end(), "unary energy of point {} label {} is not finite",
               (bad - unary_.begin()) / labels, (bad - unary_.begin()) % labels);
}

void DenseCrf::AddGaussian(const float* features, int dims, float weight) {
  RB_CHECK_ARG(weight >= 0 && std::isfinite(weight), "kernel weight {} must be finite and >= 0",
               weight);
  Term term{kernels::cpu::PermutohedralLattice(features, points_, dims), weight, {}, {}};
  // D = K 1 (the lattice's response to ones); K~ 1 = D^-1/2 K D^-1/2 1.
  term.norm.assign(points_, 1.0f);
  term.lattice.Filter(term.norm.data(), term.norm.data(), 1);
  for (float& n : term.norm) n = 1.0f / std::sqrt(n + 1e-20f);
  term.ones.resize(points_);
  term.lattice.Filter(term.norm.data(), term.ones.data(), 1);
  for (int64_t i = 0; i < points_; ++i) term.ones[i] *= term.norm[i];
  terms_.push_back(std::move(term));
}

void DenseCrf::AddMessages(const Term& term, const std::vector<float>& q,
                           kernels::LargeVector<float>& logits,
                           kernels::LargeVector<float>& scratch) const {
  const int labels = labels_;
  const int channels = labels - 1;
  scratch.resize(points_ * channels);
  TaskRanges(points_, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      for (int l = 0; l < channels; ++l)
        scratch[i * channels + l] = term.norm[i] * q[i * labels + l];
    }
  });
  term.lattice.Filter(scratch.data(), scratch.data(), channels);
  const float w = term.weight;
  TaskRanges(points_, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float rest = term.ones[i];
      for (int l = 0; l < channels; ++l) {
        const float message = term.norm[i] * scratch[i * channels + l];
        logits[i * labels + l] += w * message;
        rest -= message;
      }
      logits[i * labels + channels] += w * rest;
    }
  });
}

void DenseCrf::Softmax(const kernels::LargeVector<float>& logits, std::vector<float>& q) const {
  const int labels = labels_;
  q.resize(logits.size());
  TaskRanges(points_, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float* x = &logits[i * labels];
      float* y = &q[i * labels];
      const float top = *std::max_element(x, x + labels);
      float sum = 0;
      for (int l = 0; l < labels; ++l) sum += y[l] = std::exp(x[l] - top);
      const float inverse = 1.0f / sum;
      for (int l = 0; l < labels; ++l) y[l] *= inverse;
    }
  });
}

std::vector<float> DenseCrf::Infer(int iterations, const Observer& observer) const {
  RB_CHECK_ARG(iterations >= 0, "mean-field iterations must be >= 0, got {}", iterations);
  kernels::LargeVector<float> logits(unary_.size());
  auto negate_unary = [&] {
    TaskRanges(static_cast<int64_t>(unary_.size()), kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) logits[k] = -unary_[k];
    });
  };
  std::vector<float> q;
  negate_unary();
  Softmax(logits, q);
  if (observer) observer(0, q);
  if (labels_ == 2) {
    InferTwoLabels(iterations, q, observer);
    return q;
  }
  kernels::LargeVector<float> scratch;
  for (int iteration = 1; iteration <= iterations; ++iteration) {
    negate_unary();
    for (const Term& term : terms_) AddMessages(term, q, logits, scratch);
    Softmax(logits, q);
    if (observer) observer(iteration, q);
  }
  return q;
}

// Two labels need one number per pixel: z = logit(1) - logit(0)
//   = U_0 - U_1 + sum_m w_m (2 [K~ Q_1] - K~ 1),
// and Q_1 = sigmoid(z). One filtered channel per term and one fused pass per iteration.
void DenseCrf::InferTwoLabels(int iterations, std::vector<float>& q,
                              const Observer& observer) const {
  const size_t terms = terms_.size();
  std::vector<kernels::LargeVector<float>> filtered(terms);
  for (auto& f : filtered) f.resize(points_);
  for (int iteration = 1; iteration <= iterations; ++iteration) {
    for (size_t t = 0; t < terms; ++t) {
      const Term& term = terms_[t];
      float* f = filtered[t].data();
      TaskRanges(points_, kGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) f[i] = term.norm[i] * q[2 * i + 1];
      });
      term.lattice.Filter(f, f, 1);
    }
    TaskRanges(points_, kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float z = unary_[2 * i] - unary_[2 * i + 1];
        for (size_t t = 0; t < terms; ++t) {
          const Term& term = terms_[t];
          z += term.weight * (2.0f * term.norm[i] * filtered[t][i] - term.ones[i]);
        }
        // exp of minus |z| never overflows; the larger probability is 1 / (1 + e).
        const float e = std::exp(-std::abs(z));
        const float big = 1.0f / (1.0f + e);
        q[2 * i + 1] = z >= 0 ? big : e * big;
        q[2 * i] = z >= 0 ? e * big : big;
      }
    });
    if (observer) observer(iteration, q);
  }
}

double DenseCrf::FreeEnergy(std::span<const float> q) const {
  RB_CHECK_ARG(q.size() == unary_.size(), "Q has {} values, the CRF {}", q.size(), unary_.size());
  std::vector<float> q_copy(q.begin(), q.end());
  // Pairwise part: messages with the sign of the update, so the energy is minus half of them.
  kernels::LargeVector<float> messages(q.size(), 0.0f);
  kernels::LargeVector<float> scratch;
  for (const Term& term : terms_) AddMessages(term, q_copy, messages, scratch);
  // Fixed chunks summed in order: the same total whatever the thread count.
  const int64_t count = static_cast<int64_t>(q.size());
  const int64_t chunk = 65536;
  std::vector<double> partial((count + chunk - 1) / chunk, 0.0);
  TaskRanges(count, chunk, [&](int64_t begin, int64_t end) {
    double sum = 0;
    for (int64_t k = begin; k < end; ++k) {
      const double p = q[k];
      const double entropy_term = p > 0 ? p * std::log(p) : 0.0;
      sum += p * unary_[k] + entropy_term - 0.5 * p * messages[k];
    }
    partial[begin / chunk] = sum;
  });
  double total = 0;
  for (double s : partial) total += s;
  return total;
}

std::vector<DenseCrf::TermInfo> DenseCrf::Terms() const {
  std::vector<TermInfo> info;
  for (const Term& term : terms_) {
    info.push_back({term.lattice.dims(), term.weight, term.lattice.vertices(),
                    term.lattice.MemoryBytes() + 8 * term.norm.size()});
  }
  return info;
}

}  // namespace rb::crf
