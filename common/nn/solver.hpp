// Solvers: Caffe's SolverParameter as JSON and the update rules (solvers/*.cpp).
//
// One iteration = iter_size forward/backward passes (gradients accumulate), then: divide by
// iter_size, add weight decay (L2: wd * decay_mult * w; L1: wd * decay_mult * sign(w)), clip
// the global gradient norm to clip_gradients (when > 0), and let the rule update each
// parameter with lr = rate(iteration) * lr_mult. Everything is deterministic given the seed;
// snapshots hold weights, solver history and the iteration, so a resumed run continues exactly.
//
// On a CUDA net the solver history lives on the device and every step above runs there (the
// shared kernels and cuBLAS); with fp16 precision the loss is scaled dynamically (LossScaler)
// and a step whose gradients overflowed is skipped (the iteration still counts).
//
// Learning-rate policies (iteration t): fixed; step (base gamma^floor(t / stepsize));
// multistep (gamma^(number of stepvalue <= t)); exp (gamma^t); inv (base (1 + gamma t)^-power);
// poly (base (1 - t / max_iter)^power); cosine (base (1 + cos(pi t / max_iter)) / 2);
// exp_epoch (base gamma^floor(t / epoch_iters): the Tiramisu's 0.995 per epoch).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/nn/loss_scaler.hpp"
#include "common/nn/net.hpp"

namespace rb::nn {

struct SolverSpec {
  std::string type = "SGD";  // SGD, Nesterov, AdaGrad, RMSProp, Adam
  double base_lr = 0.01;
  std::string lr_policy = "fixed";
  double gamma = 0.1;
  double power = 1.0;
  int64_t stepsize = 1;
  std::vector<int64_t> stepvalue;
  int64_t epoch_iters = 1;
  int64_t max_iter = 1000;
  double momentum = 0.9;     // SGD, Nesterov; Adam's beta1
  double momentum2 = 0.999;  // Adam's beta2
  double rms_decay = 0.9;
  double delta = 1e-8;             // AdaGrad, RMSProp, Adam epsilon
  bool delta_inside_sqrt = false;  // RMSProp as Lasagne computes it
  double weight_decay = 0;
  std::string regularization = "L2";
  int iter_size = 1;
  double clip_gradients = -1;
  uint64_t random_seed = 0;
  // Trainer settings kept with the solver, as Caffe does.
  int64_t display = 20;
  int64_t test_interval = 0;
  int64_t snapshot = 0;
  int64_t patience = 0;  // early stopping: tests without improvement; 0 = off
  int batch_size = 4;

  nlohmann::json json;  // as read, for snapshots
  static SolverSpec Parse(const nlohmann::json& json, const std::string& source);
  static SolverSpec Load(const std::filesystem::path& path);
};

class Solver {
 public:
  static std::unique_ptr<Solver> Create(const SolverSpec& spec, Net& net);
  virtual ~Solver();

  // One iteration. `feed(pass)` fills the net's inputs before each of the iter_size passes.
  // Returns the mean weighted loss of the passes.
  double Step(const std::function<void(int pass)>& feed);

  double LearningRate() const;
  int64_t iteration() const { return iteration_; }
  const SolverSpec& spec() const { return spec_; }
  Net& net() { return net_; }
  // The RunState of forward/backward pass `pass` of the current iteration.
  RunState State(int pass) const;
  // Data-parallel replica `rank` of `ranks` (DataParallelTrainer): `reduce` sums the parameter
  // gradients across replicas after the backward passes (Step then divides by `ranks` too), and
  // the replica's samples start at `sample_offset` within each pass's whole batch.
  void SetDataParallel(int ranks, int64_t sample_offset, std::function<void()> reduce);
  // fp16 training's loss scaler (null otherwise) and whether the last step was skipped.
  const LossScaler* loss_scaler() const { return scaler_ ? &*scaler_ : nullptr; }
  bool last_step_skipped() const { return last_step_skipped_; }

  // Weights, solver history and iteration, with the model and solver JSON in the metadata,
  // plus `extra` (a JSON object; string values kept as they are, others as JSON text).
  void Snapshot(const std::filesystem::path& path, const nlohmann::json& model_json,
                const nlohmann::json& extra = nlohmann::json::object()) const;
  void Restore(const std::filesystem::path& path);

 protected:
  Solver(const SolverSpec& spec, Net& net, int history_slots);
  // Applies the rule to learnable parameter `index` with learning rate `lr`.
  virtual void Update(size_t index, float lr) = 0;
  bool gpu() const { return net_.gpu(); }
  float* History(size_t index, int slot);        // on the host
  float* DeviceHistory(size_t index, int slot);  // on the CUDA device

  SolverSpec spec_;
  Net& net_;
  int64_t iteration_ = 0;

 private:
  void ScaleGradients(float factor);
  void Regularize();
  void ClipGradients();
  // Squared global norm of the trained gradients; counts infinities and NaNs.
  double SquaredGradientNorm(int64_t& non_finite) const;
  std::vector<std::vector<std::unique_ptr<SyncedMemory>>> history_;  // [param][slot]
  std::optional<LossScaler> scaler_;
  int ranks_ = 1;
  int64_t sample_offset_ = 0;
  std::function<void()> reduce_;
  bool last_step_skipped_ = false;
};

struct CopyReport {
  std::vector<std::string> copied, missing, mismatched, unused;
};
// Copies parameters by name from a weights or snapshot file (fine-tuning); reports what did
// not match instead of failing.
CopyReport CopyWeights(Net& net, const std::filesystem::path& path);
// Parameters only (e.g. best.safetensors).
void SaveWeights(const Net& net, const std::filesystem::path& path, const nlohmann::json& metadata);

}  // namespace rb::nn
