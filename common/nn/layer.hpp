// The layer interface (Caffe's life cycle: SetUp -> Reshape -> Forward / Backward) and the
// specification a layer is built from.
//
// Gradient convention: before a backward pass the net zeroes parameter gradients once per
// iteration (layers always add to them, which also serves iter_size) and tells each layer, per
// bottom, whether to overwrite or add to that bottom's gradient (several layers may feed one
// blob, as in a dense block). In-place layers (top == bottom) transform the gradient in place.
//
// Backends: Forward/Backward are the CPU methods (reference or oneDNN kernels). On the CUDA
// backend the net calls ForwardGpu/BackwardGpu, which work on the blobs' device views (cuDNN and
// the kernels of kernels/shared/); a layer without them falls back to its CPU methods, the
// blobs copying themselves across. Every engine layer has its GPU methods, so a CUDA net moves
// data between host and device only at its edges (inputs, loss values, metrics).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/run_context.hpp"
#include "common/nn/blob.hpp"
#include "roadbrew/kernels/cudnn.hpp"

namespace rb::nn {

// TRAIN and TEST as in Caffe; DEPLOY is inference without labels (no loss layers).
enum class Phase { kTrain, kTest, kDeploy };
std::string_view PhaseName(Phase phase);

// Where layers compute: plain reference loops (the oracle), oneDNN on the CPU, or CUDA.
enum class Backend { kReference, kOneDnn, kCuda };
std::string_view BackendName(Backend backend);
// A CPU backend by name: "reference", "onednn", or "auto" (oneDNN when this build has it).
Backend ChooseCpuBackend(std::string_view choice);
// The backend of a stage run: CUDA when the driver resolved --device to cuda, else the named
// CPU backend.
Backend ChooseBackend(Device device, std::string_view cpu_choice);

struct ParamSpec {
  std::string name;  // shared parameters: every layer naming the same param shares one blob
  float lr_mult = 1.0f;
  float decay_mult = 1.0f;
};

struct LayerSpec {
  std::string name;
  std::string type;
  std::vector<std::string> bottom;
  std::vector<std::string> top;
  std::vector<ParamSpec> param;
  std::vector<float> loss_weight;  // per top; empty: 1 for loss layers, 0 otherwise
  // Memory-efficient mode: the top lives in a scratch buffer shared by all such layers and is
  // recomputed before the backward pass of its consumer (Pleiss et al. 2017, dense blocks).
  bool recompute = false;
  std::optional<Phase> include;                       // only in this phase
  std::optional<Phase> exclude;                       // never in this phase
  nlohmann::json options = nlohmann::json::object();  // the type's own settings
  std::string source = "<memory>";                    // the model file
  std::string path;  // "layers[3]" (or "layers[3]/l2" inside a composite)

  std::string where() const;         // "layer 'conv1' (layers[3] of 'model.json')"
  std::string options_key() const;   // "convolution" for type "Convolution"
  std::string options_path() const;  // "layers[3].convolution"
  bool InPhase(Phase phase) const {
    return (!include || *include == phase) && (!exclude || *exclude != phase);
  }
};

using Blobs = std::vector<Blob*>;

struct BuildContext {
  Phase phase = Phase::kTrain;
  Backend backend = Backend::kReference;
  uint64_t seed = 0;
  // Arithmetic of the CUDA backend's convolutions (kernels/cudnn.hpp): fp32 (exact float, the
  // default), tf32, or mixed precision fp16/bf16 with the float weights as master copy.
  kernels::cudnn::Precision precision = kernels::cudnn::Precision::kFloat32;
  // Lets a layer absorb the in-place layer after it (BatchNorm + ReLU): same results, one pass
  // over memory fewer each way. Off only to test that claim.
  bool fuse_layers = true;
  // Outside training (TEST, DEPLOY) blobs whose lifetimes do not overlap share buffers: only the
  // inputs and the outputs (tops no layer reads) keep their values after Forward.
  bool share_activations = true;
  // Blobs read after Forward although later layers read them too (e.g. "prob" under a loss).
  std::vector<std::string> keep;
};

struct RunState {
  Phase phase = Phase::kTrain;
  uint64_t iteration = 0;
  uint64_t seed = 0;
  bool recomputing = false;  // a forward pass re-run before backward: no running statistics
  // Data-parallel replicas: the index of this replica's first sample in the whole batch, so
  // per-element randomness (dropout) matches one device running the whole batch.
  int64_t sample_offset = 0;
};

struct BackwardFlags {
  std::vector<bool> propagate;   // per bottom: compute its gradient
  std::vector<bool> accumulate;  // per bottom: add to its gradient instead of writing it
};

class Layer {
 public:
  explicit Layer(LayerSpec spec) : spec_(std::move(spec)) {}
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  const LayerSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }

  // Reads options, checks the number of bottoms and tops, creates and fills parameters.
  virtual void SetUp(const Blobs& bottom, const Blobs& top, const BuildContext& context) = 0;
  // Sets top shapes from bottom shapes; may (re)create shape-dependent state.
  virtual void Reshape(const Blobs& bottom, const Blobs& top) = 0;
  virtual void Forward(const Blobs& bottom, const Blobs& top, const RunState& state) = 0;
  virtual void Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                        const RunState& state) = 0;
  virtual void ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState& state) {
    Forward(bottom, top, state);
  }
  virtual void BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                           const RunState& state) {
    Backward(top, bottom, flags, state);
  }

  std::vector<std::shared_ptr<Blob>>& params() { return params_; }
  const std::vector<std::shared_ptr<Blob>>& params() const { return params_; }

  virtual bool IsLoss() const { return false; }
  // Whether parameter i is trained (BatchNorm's running statistics are state, not trained).
  virtual bool IsLearnable(size_t param_index) const {
    (void)param_index;
    return true;
  }
  // Whether bottom i receives a gradient at all (labels and reference blobs do not).
  virtual bool PropagatesTo(size_t bottom_index) const {
    (void)bottom_index;
    return true;
  }
  // Can write its top into a channel slice of a wider blob (then a following concatenation
  // costs nothing).
  virtual bool WritesSliceTop() const { return false; }
  virtual bool AllowsInPlace() const { return false; }
  // Offered the next layer, which computes in place on this layer's only top: returns true
  // when this layer now computes it too (the net then skips `next`). Called before SetUp.
  virtual bool AbsorbInPlace(const Layer& next) {
    (void)next;
    return false;
  }
  // Multiply-accumulates of one forward pass, for the summary.
  virtual int64_t ForwardMacs(const Blobs& bottom, const Blobs& top) const {
    (void)bottom;
    (void)top;
    return 0;
  }
  // Per-class statistics a metric layer exposes (the IoU layer), else empty.
  virtual std::vector<int64_t> Counters() const { return {}; }

 protected:
  // Throws kInvalidArgument naming the layer unless the counts are in range.
  void ExpectBlobs(const Blobs& bottom, const Blobs& top, int min_bottom, int max_bottom,
                   int min_top, int max_top) const;
  [[noreturn]] void Fail(const std::string& what) const;

  LayerSpec spec_;
  std::vector<std::shared_ptr<Blob>> params_;
};

}  // namespace rb::nn
