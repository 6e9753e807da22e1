#include "common/nn/net.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "common/nn/layers/concat_layer.hpp"
#include "common/nn/layers/slice_layer.hpp"
#include "common/nn/registry.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/device.hpp"
#include "roadbrew/kernels/elementwise.hpp"
#include "roadbrew/kernels/onednn.hpp"

namespace rb::nn {

Net::Net(const NetSpec& spec, const BuildContext& context) : name_(spec.name), context_(context) {
  if (context.backend == Backend::kOneDnn && !kernels::onednn::Available()) {
    Throw(ErrorCode::kUnsupported, "this build has no oneDNN backend; use the reference backend");
  }
  if (context.backend == Backend::kCuda) kernels::cuda::RequireDevice();
  if (context.backend != Backend::kCuda &&
      context.precision != kernels::cudnn::Precision::kFloat32) {
    Throw(ErrorCode::kInvalidArgument, "precision {} needs the CUDA backend; the CPU computes fp32",
          kernels::cudnn::PrecisionName(context.precision));
  }
  Build(spec.ForPhase(context.phase));
  ShareParams();
  PlanMemory();
  AnalyseBackward();
}

Net::~Net() = default;

void Net::Build(const std::vector<LayerSpec>& specs) {
  std::set<std::string> layer_names;
  for (const LayerSpec& spec : specs) {
    if (!layer_names.insert(spec.name).second) {
      Throw(ErrorCode::kInvalidArgument, "two layers are named '{}', {}", spec.name, spec.where());
    }
    std::unique_ptr<Layer> layer = CreateLayer(spec);
    std::vector<Blob*> bottom, top;
    for (const std::string& name : spec.bottom) {
      auto it = blobs_.find(name);
      if (it == blobs_.end()) {
        Throw(ErrorCode::kInvalidArgument, "bottom '{}' of {} is not produced by an earlier layer",
              name, spec.where());
      }
      bottom.push_back(it->second.get());
    }
    for (const std::string& name : spec.top) {
      bool in_place = std::find(spec.bottom.begin(), spec.bottom.end(), name) != spec.bottom.end();
      if (in_place) {
        if (!layer->AllowsInPlace()) {
          Throw(ErrorCode::kInvalidArgument,
                "{} cannot compute in place (top '{}' is a bottom), {}", spec.type, name,
                spec.where());
        }
        top.push_back(blobs_.at(name).get());
        continue;
      }
      if (blobs_.count(name)) {
        Throw(ErrorCode::kInvalidArgument, "top '{}' of {} is already produced by another layer",
              name, spec.where());
      }
      auto blob = std::make_unique<Blob>(name);
      top.push_back(blob.get());
      blobs_.emplace(name, std::move(blob));
    }
    layer->SetUp(bottom, top, context_);
    layer->Reshape(bottom, top);
    std::vector<float> weights(top.size(), layer->IsLoss() ? 1.0f : 0.0f);
    if (!spec.loss_weight.empty()) {
      if (spec.loss_weight.size() != top.size()) {
        Throw(ErrorCode::kInvalidArgument, "loss_weight has {} values for {} tops, {}",
              spec.loss_weight.size(), top.size(), spec.where());
      }
      weights = spec.loss_weight;
    }
    if (layer->params().size() < spec.param.size()) {
      Throw(ErrorCode::kInvalidArgument, "{} has {} parameters but {} param specs, {}", spec.type,
            layer->params().size(), spec.param.size(), spec.where());
    }
    loss_weights_.push_back(weights);
    bottoms_.push_back(bottom);
    tops_.push_back(top);
    absorbed_.push_back(context_.fuse_layers && TryAbsorb(*layer, spec, bottom, top));
    layers_.push_back(std::move(layer));
  }
}

bool Net::TryAbsorb(const Layer& layer, const LayerSpec& spec, const Blobs& bottom,
                    const Blobs& top) {
  if (layers_.empty() || absorbed_.back() || bottom.size() != 1 || top.size() != 1 ||
      bottom[0] != top[0]) {
    return false;
  }
  Layer& previous = *layers_.back();
  bool fits = tops_[layers_.size() - 1].size() == 1 && tops_[layers_.size() - 1][0] == top[0] &&
              previous.spec().recompute == spec.recompute && loss_weights_.back()[0] == 0;
  return fits && previous.AbsorbInPlace(layer);
}

void Net::ShareParams() {
  std::map<std::string, std::pair<std::shared_ptr<Blob>, ParamSpec>> owners;
  for (auto& layer : layers_) {
    const LayerSpec& spec = layer->spec();
    for (size_t k = 0; k < layer->params().size(); ++k) {
      ParamSpec param = k < spec.param.size() ? spec.param[k] : ParamSpec{};
      std::shared_ptr<Blob>& blob = layer->params()[k];
      if (!param.name.empty()) {
        auto it = owners.find(param.name);
        if (it != owners.end()) {
          if (!(it->second.first->shape() == blob->shape())) {
            Throw(ErrorCode::kInvalidArgument,
                  "shared parameter '{}' has shape {} here but {} where first declared, {}",
                  param.name, blob->shape().ToString(), it->second.first->shape().ToString(),
                  spec.where());
          }
          blob = it->second.first;  // the owner's blob: shared data and gradient
          continue;
        }
        owners.emplace(param.name, std::make_pair(blob, param));
      }
      if (layer->IsLearnable(k)) {
        learnable_.push_back({blob.get(), param.name.empty() ? blob->name() : param.name,
                              param.lr_mult, param.decay_mult});
      }
    }
  }
}

bool Net::has_blob(std::string_view name) const { return blobs_.find(name) != blobs_.end(); }

Blob& Net::blob(std::string_view name) const {
  auto it = blobs_.find(name);
  if (it == blobs_.end()) {
    Throw(ErrorCode::kInvalidArgument, "net '{}' has no blob '{}'", name_, name);
  }
  return *it->second;
}

Layer* Net::layer(std::string_view name) const {
  for (const auto& layer : layers_) {
    if (layer->name() == name) return layer.get();
  }
  return nullptr;
}

void Net::ReshapeInputs(const std::vector<std::pair<std::string, Shape>>& shapes) {
  for (const auto& [name, shape] : shapes) blob(name).SetShape(shape);
  Reshape();
  PlanMemory();
}

void Net::Reshape() {
  for (size_t i = 0; i < layers_.size(); ++i) layers_[i]->Reshape(bottoms_[i], tops_[i]);
}

void Net::PlanMemory() {
  // Writers of every blob (in-place layers write their bottom too).
  std::map<const Blob*, std::vector<size_t>> writers;
  std::map<const Blob*, std::vector<size_t>> readers;
  for (size_t i = 0; i < layers_.size(); ++i) {
    for (Blob* t : tops_[i]) writers[t].push_back(i);
    for (Blob* b : bottoms_[i]) readers[b].push_back(i);
  }
  auto can_write_slice = [&](const Blob* blob) {
    for (size_t w : writers[blob]) {
      if (!layers_[w]->WritesSliceTop() || layers_[w]->spec().type == "Input") return false;
    }
    return !writers[blob].empty();
  };

  // Placement of blobs inside other blobs: blob -> (root, channel offset).
  std::map<const Blob*, std::pair<Blob*, int>> placed;
  auto root_of = [&](Blob* blob) -> std::pair<Blob*, int> {
    auto it = placed.find(blob);
    return it == placed.end() ? std::make_pair(blob, 0) : it->second;
  };
  for (size_t i = layers_.size(); i-- > 0;) {
    if (layers_[i]->spec().type != "Concat") continue;
    Blob* top = tops_[i][0];
    if (writers[top].size() != 1) continue;  // an in-place writer would overwrite the bottoms
    auto [root, offset] = root_of(top);
    for (Blob* bottom : bottoms_[i]) {
      bool placeable = !placed.count(bottom) && bottom != root && can_write_slice(bottom);
      if (placeable) placed[bottom] = {root, offset};
      offset += bottom->shape().c;
    }
  }
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i]->spec().type != "Slice") continue;
    auto* slice = static_cast<SliceLayer*>(layers_[i].get());
    auto [root, offset] = root_of(bottoms_[i][0]);
    for (size_t t = 0; t < tops_[i].size(); ++t)
      placed[tops_[i][t]] = {root, offset + slice->offset(t)};
  }

  // Scratch: blobs written only by `recompute` layers, read only before the next such write.
  std::vector<size_t> scratch_layers;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i]->spec().recompute) scratch_layers.push_back(i);
  }
  scratch_writers_.clear();
  int64_t scratch_size = 0;
  for (auto& [blob_ptr, layer_list] : writers) {
    const Blob* blob = blob_ptr;
    bool all_recompute = std::all_of(layer_list.begin(), layer_list.end(),
                                     [&](size_t w) { return layers_[w]->spec().recompute; });
    if (!all_recompute || placed.count(blob)) continue;
    // The next recompute layer not writing this blob must come after its last reader.
    size_t last_writer = layer_list.back();
    auto next = std::find_if(scratch_layers.begin(), scratch_layers.end(), [&](size_t s) {
      return s > last_writer &&
             std::find(layer_list.begin(), layer_list.end(), s) == layer_list.end();
    });
    size_t limit = next == scratch_layers.end() ? layers_.size() : *next;
    bool ok = std::all_of(readers[blob].begin(), readers[blob].end(), [&](size_t r) {
      return r < limit || std::find(layer_list.begin(), layer_list.end(), r) != layer_list.end();
    });
    if (!ok) continue;
    scratch_writers_[blob] = layer_list;
    scratch_size = std::max(scratch_size, blob->count());
  }

  // Assign memory: roots and plain blobs own theirs, then views and scratch.
  zeroed_roots_.clear();
  std::set<Blob*> roots_with_views;
  for (auto& [blob, place] : placed) roots_with_views.insert(place.first);
  std::vector<Blob*> owners;
  for (auto& [name, blob] : blobs_) {
    if (!placed.count(blob.get()) && !scratch_writers_.count(blob.get()))
      owners.push_back(blob.get());
  }
  if (context_.phase != Phase::kTrain && context_.share_activations) {
    ShareByLifetime(owners, placed, writers, readers);
  } else {
    for (Blob* blob : owners) blob->Allocate();
  }
  if (scratch_size > 0) {
    if (!scratch_data_ || scratch_data_->count() < scratch_size) {
      scratch_data_ = std::make_shared<SyncedMemory>(scratch_size);
      scratch_diff_ = std::make_shared<SyncedMemory>(scratch_size);
    }
    for (auto& [blob, layer_list] : scratch_writers_) {
      const_cast<Blob*>(blob)->ShareMemory(scratch_data_, scratch_diff_);
    }
  }
  scratch_holder_ = nullptr;
  for (auto& [blob, place] : placed) {
    const_cast<Blob*>(blob)->ViewChannels(*place.first, place.second);
  }
  zeroed_roots_.assign(roots_with_views.begin(), roots_with_views.end());
}

void Net::ShareByLifetime(const std::vector<Blob*>& owners,
                          const std::map<const Blob*, std::pair<Blob*, int>>& placed,
                          std::map<const Blob*, std::vector<size_t>>& writers,
                          std::map<const Blob*, std::vector<size_t>>& readers) {
  // Lifetime of each owner's memory: from the first write to it or to a view inside it, to the
  // last read. Inputs are written before Forward; outputs (never read) live to the end.
  const int64_t end = static_cast<int64_t>(layers_.size());
  struct Life {
    Blob* blob;
    int64_t first, last;
  };
  std::map<const Blob*, std::vector<const Blob*>> members;
  for (Blob* owner : owners) members[owner].push_back(owner);
  for (const auto& [blob, place] : placed) members[place.first].push_back(blob);
  std::vector<Life> lives;
  for (Blob* owner : owners) {
    Life life{owner, end, -1};
    for (const Blob* member : members[owner]) {
      for (size_t w : writers[member]) {
        bool input = layers_[w]->spec().type == "Input";
        life.first = std::min<int64_t>(life.first, input ? -1 : static_cast<int64_t>(w));
        life.last = std::max<int64_t>(life.last, static_cast<int64_t>(w));
      }
      bool kept = std::find(context_.keep.begin(), context_.keep.end(), member->name()) !=
                  context_.keep.end();
      if (readers[member].empty() || kept) life.last = end;
      for (size_t r : readers[member])
        life.last = std::max<int64_t>(life.last, static_cast<int64_t>(r));
    }
    lives.push_back(life);
  }
  std::stable_sort(lives.begin(), lives.end(),
                   [](const Life& a, const Life& b) { return a.first < b.first; });
  // Greedy interval colouring: each blob takes the free buffer closest to its size.
  struct Buffer {
    int64_t size;
    int64_t busy_until;
    std::vector<Blob*> users;
  };
  std::vector<Buffer> buffers;
  for (const Life& life : lives) {
    int64_t need = life.blob->count();
    Buffer* best = nullptr;
    for (Buffer& buffer : buffers) {
      if (buffer.busy_until >= life.first) continue;
      if (best == nullptr || std::llabs(buffer.size - need) < std::llabs(best->size - need)) {
        best = &buffer;
      }
    }
    if (best == nullptr) best = &buffers.emplace_back(Buffer{0, -1, {}});
    best->size = std::max(best->size, need);
    best->busy_until = life.last;
    best->users.push_back(life.blob);
  }
  for (const Buffer& buffer : buffers) {
    auto data = std::make_shared<SyncedMemory>(buffer.size);
    auto diff = std::make_shared<SyncedMemory>(buffer.size);  // never touched: costs nothing
    for (Blob* blob : buffer.users) blob->ShareMemory(data, diff);
  }
}

void Net::AnalyseBackward() {
  size_t count = layers_.size();
  // Forward: which blobs depend on trained parameters.
  std::set<const Blob*> depends;
  std::vector<std::vector<bool>> wants(count);
  for (size_t i = 0; i < count; ++i) {
    Layer& layer = *layers_[i];
    bool trained = false;
    for (const LearnableParam& p : learnable_) {
      for (const auto& param : layer.params())
        trained = trained || (param.get() == p.blob && p.lr_mult != 0);
    }
    bool upstream = false;
    for (size_t b = 0; b < bottoms_[i].size(); ++b) {
      bool needs = layer.PropagatesTo(b) && depends.count(bottoms_[i][b]);
      wants[i].push_back(needs);
      upstream = upstream || needs;
    }
    if (trained || upstream) {
      for (Blob* t : tops_[i]) depends.insert(t);
    }
  }
  // Backward: which blobs receive a gradient from a loss, and who writes first.
  std::set<const Blob*> has_gradient, written;
  std::set<const SyncedMemory*> zeroed;
  for (Blob* root : zeroed_roots_) zeroed.insert(root->storage());
  layer_backward_.assign(count, false);
  flags_.assign(count, {});
  for (size_t i = count; i-- > 0;) {
    bool active = false;
    for (size_t t = 0; t < tops_[i].size(); ++t) {
      active = active || loss_weights_[i][t] != 0 || has_gradient.count(tops_[i][t]);
    }
    BackwardFlags& flags = flags_[i];
    flags.propagate.assign(bottoms_[i].size(), false);
    flags.accumulate.assign(bottoms_[i].size(), false);
    if (!active) continue;
    layer_backward_[i] = true;
    for (size_t b = 0; b < bottoms_[i].size(); ++b) {
      Blob* bottom = bottoms_[i][b];
      if (!wants[i][b]) continue;
      flags.propagate[b] = true;
      bool in_place = std::find(tops_[i].begin(), tops_[i].end(), bottom) != tops_[i].end();
      if (in_place) {
        flags.accumulate[b] = false;  // transforms the gradient where it is
      } else if (zeroed.count(bottom->storage())) {
        flags.accumulate[b] = true;
      } else {
        flags.accumulate[b] = written.count(bottom) > 0;
      }
      written.insert(bottom);
      has_gradient.insert(bottom);
    }
  }
}

void Net::RecomputeIfNeeded(Blob* blob, const RunState& state) {
  auto it = scratch_writers_.find(blob);
  if (it == scratch_writers_.end() || scratch_holder_ == blob) return;
  RunState again = state;
  again.recomputing = true;
  for (size_t w : it->second) RunForward(w, again);
  scratch_holder_ = blob;
}

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void Net::RunForward(size_t i, const RunState& state) {
  if (absorbed_[i]) return;
  auto start = std::chrono::steady_clock::now();
  if (gpu()) {
    layers_[i]->ForwardGpu(bottoms_[i], tops_[i], state);
  } else {
    layers_[i]->Forward(bottoms_[i], tops_[i], state);
  }
  if (profiling_) {
    if (gpu()) kernels::cuda::Synchronize();  // kernels run asynchronously
    layer_times_[i].forward_s += SecondsSince(start);
  }
}

double Net::Forward(const RunState& state) {
  double loss = 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    RunForward(i, state);
    for (size_t t = 0; t < tops_[i].size(); ++t) {
      if (scratch_writers_.count(tops_[i][t])) scratch_holder_ = tops_[i][t];
      if (loss_weights_[i][t] != 0) {
        loss += loss_weights_[i][t] * static_cast<double>(tops_[i][t]->flat_data()[0]);
      }
    }
  }
  return loss;
}

void Net::Backward(const RunState& state) {
  for (Blob* root : zeroed_roots_) {
    if (gpu()) {
      kernels::cuda::Zero(root->gpu_mutable_diff());
    } else {
      kernels::cpu::Zero(root->mutable_diff());
    }
  }
  for (size_t i = 0; i < layers_.size(); ++i) {
    for (size_t t = 0; t < tops_[i].size(); ++t) {
      if (loss_weights_[i][t] != 0) {
        tops_[i][t]->mutable_flat_diff()[0] = loss_weights_[i][t] * loss_scale_;
      }
    }
  }
  for (size_t i = layers_.size(); i-- > 0;) {
    if (!layer_backward_[i] || absorbed_[i]) continue;
    for (Blob* b : bottoms_[i]) RecomputeIfNeeded(b, state);
    auto start = std::chrono::steady_clock::now();
    if (gpu()) {
      layers_[i]->BackwardGpu(tops_[i], bottoms_[i], flags_[i], state);
    } else {
      layers_[i]->Backward(tops_[i], bottoms_[i], flags_[i], state);
    }
    if (profiling_) {
      if (gpu()) kernels::cuda::Synchronize();
      layer_times_[i].backward_s += SecondsSince(start);
    }
  }
}

void Net::SetProfiling(bool on) {
  profiling_ = on;
  layer_times_.assign(layers_.size(), {});
}

std::string Net::ProfileTable() const {
  std::map<std::string, LayerTime> by_type;
  double total = 0;
  for (size_t i = 0; i < layer_times_.size(); ++i) {
    LayerTime& t = by_type[layers_[i]->spec().type];
    t.forward_s += layer_times_[i].forward_s;
    t.backward_s += layer_times_[i].backward_s;
    total += layer_times_[i].forward_s + layer_times_[i].backward_s;
  }
  std::vector<std::pair<std::string, LayerTime>> rows(by_type.begin(), by_type.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.forward_s + a.second.backward_s > b.second.forward_s + b.second.backward_s;
  });
  std::string out =
      fmt::format("{:<24} {:>12} {:>12} {:>7}\n", "type", "forward ms", "backward ms", "share");
  for (const auto& [type, t] : rows) {
    double share = total > 0 ? 100.0 * (t.forward_s + t.backward_s) / total : 0.0;
    out += fmt::format("{:<24} {:>12.1f} {:>12.1f} {:>6.1f}%\n", type, 1e3 * t.forward_s,
                       1e3 * t.backward_s, share);
  }
  return out;
}

void Net::ClearParamDiffs() {
  for (const auto& [name, blob] : NamedParams()) {
    if (gpu()) {
      kernels::cuda::Fill(blob->mutable_device_diff(), 0.0f, blob->count());
    } else {
      std::fill(blob->mutable_flat_diff(), blob->mutable_flat_diff() + blob->count(), 0.0f);
    }
  }
}

std::vector<std::pair<std::string, float>> Net::Losses() const {
  std::vector<std::pair<std::string, float>> out;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (!layers_[i]->IsLoss()) continue;
    out.emplace_back(tops_[i][0]->name(), tops_[i][0]->flat_data()[0]);
  }
  return out;
}

std::vector<std::pair<std::string, Blob*>> Net::NamedParams() const {
  std::vector<std::pair<std::string, Blob*>> out;
  std::set<const Blob*> seen;
  for (const auto& layer : layers_) {
    for (const auto& param : layer->params()) {
      if (seen.insert(param.get()).second) out.emplace_back(param->name(), param.get());
    }
  }
  return out;
}

int64_t Net::TrainableParameterCount() const {
  int64_t total = 0;
  for (const LearnableParam& p : learnable_) total += p.blob->count();
  return total;
}

int64_t Net::ForwardMacs() const {
  int64_t total = 0;
  for (size_t i = 0; i < layers_.size(); ++i)
    total += layers_[i]->ForwardMacs(bottoms_[i], tops_[i]);
  return total;
}

std::string Net::Summary() const {
  std::string out = fmt::format("{:<28} {:<16} {:<22} {:>10} {:>12}\n", "layer", "type", "top",
                                "params", "MMACs");
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& layer = *layers_[i];
    int64_t params = 0;
    for (const auto& p : layer.params()) params += p->count();
    std::string top = tops_[i].empty() ? "" : tops_[i][0]->shape().ToString();
    std::string type = layer.spec().type + (absorbed_[i] ? "*" : "");
    out += fmt::format("{:<28} {:<16} {:<22} {:>10} {:>12.1f}\n", layer.name().substr(0, 28), type,
                       top, params, layer.ForwardMacs(bottoms_[i], tops_[i]) / 1e6);
  }
  if (std::find(absorbed_.begin(), absorbed_.end(), true) != absorbed_.end()) {
    out += "* fused: computed by the layer above\n";
  }
  out += fmt::format(
      "{} layers, {} trainable parameters, {:.2f} GMAC ({:.2f} GFLOP) per forward pass\n",
      layers_.size(), TrainableParameterCount(), ForwardMacs() / 1e9, 2 * ForwardMacs() / 1e9);
  return out;
}

}  // namespace rb::nn
