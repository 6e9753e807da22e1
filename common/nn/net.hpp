// Net: a DAG of layers built from a NetSpec for one phase, with its blobs and a memory plan.
//
// Memory plan (what makes a Tiramisu fit): a Concat whose bottoms' producers can write into a
// channel slice (Dropout, BatchNorm, ReLU, Concat, ...) gets those bottoms placed directly in
// its top, recursively, so a dense block's features are written once into one shared stack and
// no concatenation copies anything; Slice tops are views of their bottom; the outputs of layers
// marked `recompute` share one scratch buffer and are recomputed before the backward pass of
// their consumer. Every other blob owns its memory.
//
// Backward: only layers on a path to a weighted loss run; per bottom, the first gradient
// written overwrites and later ones add (stacks with views are zeroed and always added to).
//
// Backend::kCuda runs every layer's GPU methods on the calling thread's CUDA device; the
// constructor fails with kUnsupported (naming the reason) when there is none. Inputs are set on
// the host as on the CPU and cross to the device when the first layer reads them; loss values
// and metrics come back; everything else stays on the device.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/nn/layer.hpp"
#include "common/nn/spec.hpp"

namespace rb::nn {

// Wall time spent in one layer since profiling was switched on (recomputations count as
// forward time), as `caffe time` reports it.
struct LayerTime {
  double forward_s = 0;
  double backward_s = 0;
};

struct LearnableParam {
  Blob* blob;
  std::string name;
  float lr_mult;
  float decay_mult;
};

class Net {
 public:
  Net(const NetSpec& spec, const BuildContext& context);
  ~Net();
  Net(const Net&) = delete;
  Net& operator=(const Net&) = delete;

  const std::string& name() const { return name_; }
  Phase phase() const { return context_.phase; }
  Backend backend() const { return context_.backend; }
  bool gpu() const { return context_.backend == Backend::kCuda; }
  kernels::cudnn::Precision precision() const { return context_.precision; }
  // Mixed-precision loss scaling: Backward seeds each loss gradient with loss_weight x scale,
  // so every gradient is scaled (the solver divides it out). 1 unless a solver sets it.
  void set_loss_scale(float scale) { loss_scale_ = scale; }
  float loss_scale() const { return loss_scale_; }

  bool has_blob(std::string_view name) const;
  Blob& blob(std::string_view name) const;  // throws kInvalidArgument for an unknown blob
  // Changes the shapes of Input blobs (another batch or tile size) together and re-plans the net.
  void ReshapeInputs(const std::vector<std::pair<std::string, Shape>>& shapes);

  // Runs all layers; returns the sum of loss_weight x loss over the loss tops.
  double Forward(const RunState& state);
  void Backward(const RunState& state);
  void ClearParamDiffs();

  // Loss tops and their last values (unweighted).
  std::vector<std::pair<std::string, float>> Losses() const;
  const std::vector<LearnableParam>& learnable_params() const { return learnable_; }
  // Every parameter blob once (shared ones under their owner's name), learnable or state.
  std::vector<std::pair<std::string, Blob*>> NamedParams() const;
  int64_t TrainableParameterCount() const;
  int64_t ForwardMacs() const;
  // A table: layer, type, top shapes, parameters, forward MACs; then totals.
  std::string Summary() const;

  // Per-layer timing (off by default: it costs a clock read per layer). Switching it on
  // clears the times.
  void SetProfiling(bool on);
  const std::vector<LayerTime>& layer_times() const { return layer_times_; }
  // The layer types by total time, slowest first: "type  forward ms  backward ms  share".
  std::string ProfileTable() const;

  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  Layer* layer(std::string_view name) const;
  const std::vector<Blob*>& bottoms(size_t layer) const { return bottoms_[layer]; }
  const std::vector<Blob*>& tops(size_t layer) const { return tops_[layer]; }

 private:
  void Build(const std::vector<LayerSpec>& specs);
  // Whether the last built layer absorbs `layer` (in place on its top, see AbsorbInPlace).
  bool TryAbsorb(const Layer& layer, const LayerSpec& spec, const Blobs& bottom, const Blobs& top);
  void ShareParams();
  void Reshape();
  void PlanMemory();
  // Inference memory: gives the blobs that own memory buffers shared by lifetime.
  void ShareByLifetime(const std::vector<Blob*>& owners,
                       const std::map<const Blob*, std::pair<Blob*, int>>& placed,
                       std::map<const Blob*, std::vector<size_t>>& writers,
                       std::map<const Blob*, std::vector<size_t>>& readers);
  void AnalyseBackward();
  void RecomputeIfNeeded(Blob* blob, const RunState& state);
  void RunForward(size_t layer, const RunState& state);

  std::string name_;
  BuildContext context_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<std::vector<Blob*>> bottoms_, tops_;
  std::map<std::string, std::unique_ptr<Blob>, std::less<>> blobs_;
  std::vector<LearnableParam> learnable_;
  std::vector<std::vector<float>> loss_weights_;  // per layer, per top
  std::vector<bool> absorbed_;  // computed by the layer before it (never run itself)

  // Memory plan.
  std::vector<Blob*> zeroed_roots_;                             // diffs cleared before backward
  std::map<const Blob*, std::vector<size_t>> scratch_writers_;  // scratch blob -> layers
  std::shared_ptr<SyncedMemory> scratch_data_, scratch_diff_;
  const Blob* scratch_holder_ = nullptr;

  float loss_scale_ = 1.0f;
  bool profiling_ = false;
  std::vector<LayerTime> layer_times_;

  // Backward plan.
  std::vector<bool> layer_backward_;
  std::vector<BackwardFlags> flags_;
};

}  // namespace rb::nn
