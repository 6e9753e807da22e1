#include "common/nn/solver.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "common/io/json_config.hpp"
#include "common/io/safetensors.hpp"
#include "common/nn/solvers/solvers.hpp"
#include "roadbrew/build_config.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::nn {

constexpr int kSolverSchemaVersion = 1;

SolverSpec SolverSpec::Parse(const nlohmann::json& json, const std::string& source) {
  io::ConfigReader r(json, source);
  r.CheckSchemaVersion(kSolverSchemaVersion);
  SolverSpec s;
  s.json = json;
  s.type = r.Get<std::string>("type", s.type);
  s.base_lr = r.Get<double>("base_lr", s.base_lr);
  s.lr_policy = r.Get<std::string>("lr_policy", s.lr_policy);
  s.gamma = r.Get<double>("gamma", s.gamma);
  s.power = r.Get<double>("power", s.power);
  s.stepsize = r.Get<int64_t>("stepsize", s.stepsize);
  s.stepvalue = r.Get<std::vector<int64_t>>("stepvalue", s.stepvalue);
  s.epoch_iters = r.Get<int64_t>("epoch_iters", s.epoch_iters);
  s.max_iter = r.Get<int64_t>("max_iter", s.max_iter);
  s.momentum = r.Get<double>("momentum", s.momentum);
  s.momentum2 = r.Get<double>("momentum2", s.momentum2);
  s.rms_decay = r.Get<double>("rms_decay", s.rms_decay);
  s.delta = r.Get<double>("delta", s.delta);
  s.delta_inside_sqrt = r.Get<bool>("delta_inside_sqrt", s.delta_inside_sqrt);
  s.weight_decay = r.Get<double>("weight_decay", s.weight_decay);
  s.regularization = r.Get<std::string>("regularization", s.regularization);
  s.iter_size = r.Get<int>("iter_size", s.iter_size);
  s.clip_gradients = r.Get<double>("clip_gradients", s.clip_gradients);
  s.random_seed = r.Get<uint64_t>("random_seed", s.random_seed);
  s.display = r.Get<int64_t>("display", s.display);
  s.test_interval = r.Get<int64_t>("test_interval", s.test_interval);
  s.snapshot = r.Get<int64_t>("snapshot", s.snapshot);
  s.patience = r.Get<int64_t>("patience", s.patience);
  s.batch_size = r.Get<int>("batch_size", s.batch_size);
  r.Finish();
  auto bad = [&](const std::string& what) {
    Throw(ErrorCode::kInvalidArgument, "{} in '{}'", what, source);
  };
  static const std::set<std::string> types = {"SGD", "Nesterov", "AdaGrad", "RMSProp", "Adam"};
  static const std::set<std::string> policies = {"fixed", "step", "multistep", "exp",
                                                 "inv",   "poly", "cosine",    "exp_epoch"};
  if (!types.count(s.type))
    bad(fmt::format("unknown solver type '{}' (SGD, Nesterov, AdaGrad, RMSProp, Adam)", s.type));
  if (!policies.count(s.lr_policy)) {
    bad(fmt::format(
        "unknown lr_policy '{}' (fixed, step, multistep, exp, inv, poly, cosine, exp_epoch)",
        s.lr_policy));
  }
  if (s.regularization != "L2" && s.regularization != "L1") bad("regularization must be L1 or L2");
  if (!(s.base_lr > 0)) bad("base_lr must be positive");
  if (s.iter_size < 1 || s.max_iter < 1 || s.stepsize < 1 || s.epoch_iters < 1 ||
      s.batch_size < 1) {
    bad("iter_size, max_iter, stepsize, epoch_iters and batch_size must be >= 1");
  }
  if (s.weight_decay < 0 || s.delta < 0) bad("weight_decay and delta must be >= 0");
  return s;
}

SolverSpec SolverSpec::Load(const std::filesystem::path& path) {
  return Parse(io::LoadJsonFile(path), path.string());
}

std::unique_ptr<Solver> Solver::Create(const SolverSpec& spec, Net& net) {
  if (spec.type == "SGD") return std::make_unique<SgdSolver>(spec, net);
  if (spec.type == "Nesterov") return std::make_unique<NesterovSolver>(spec, net);
  if (spec.type == "AdaGrad") return std::make_unique<AdaGradSolver>(spec, net);
  if (spec.type == "RMSProp") return std::make_unique<RmsPropSolver>(spec, net);
  return std::make_unique<AdamSolver>(spec, net);
}

Solver::Solver(const SolverSpec& spec, Net& net, int history_slots) : spec_(spec), net_(net) {
  for (const LearnableParam& p : net.learnable_params()) {
    auto& slots = history_.emplace_back();
    for (int slot = 0; slot < history_slots; ++slot) {
      slots.push_back(std::make_unique<SyncedMemory>(p.blob->count()));  // zeros
    }
  }
  if (net.precision() == kernels::cudnn::Precision::kFloat16) scaler_.emplace();
}

Solver::~Solver() = default;

float* Solver::History(size_t index, int slot) { return history_[index][slot]->mutable_host(); }
float* Solver::DeviceHistory(size_t index, int slot) {
  return history_[index][slot]->mutable_device();
}

double Solver::LearningRate() const {
  const SolverSpec& s = spec_;
  double t = static_cast<double>(iteration_);
  if (s.lr_policy == "fixed") return s.base_lr;
  if (s.lr_policy == "step") return s.base_lr * std::pow(s.gamma, std::floor(t / s.stepsize));
  if (s.lr_policy == "multistep") {
    int passed = 0;
    for (int64_t v : s.stepvalue) passed += iteration_ >= v;
    return s.base_lr * std::pow(s.gamma, passed);
  }
  if (s.lr_policy == "exp") return s.base_lr * std::pow(s.gamma, t);
  if (s.lr_policy == "inv") return s.base_lr * std::pow(1 + s.gamma * t, -s.power);
  if (s.lr_policy == "poly") {
    return s.base_lr * std::pow(std::max(0.0, 1 - t / static_cast<double>(s.max_iter)), s.power);
  }
  if (s.lr_policy == "cosine") {
    return s.base_lr * 0.5 *
           (1 + std::cos(M_PI * std::min(t, static_cast<double>(s.max_iter)) / s.max_iter));
  }
  return s.base_lr * std::pow(s.gamma, std::floor(t / s.epoch_iters));  // exp_epoch
}

RunState Solver::State(int pass) const {
  return {Phase::kTrain, static_cast<uint64_t>(iteration_ * spec_.iter_size + pass),
          spec_.random_seed, false, sample_offset_};
}

void Solver::SetDataParallel(int ranks, int64_t sample_offset, std::function<void()> reduce) {
  RB_CHECK(ranks >= 1 && gpu());
  ranks_ = ranks;
  sample_offset_ = sample_offset;
  reduce_ = std::move(reduce);
}

double Solver::Step(const std::function<void(int pass)>& feed) {
  if (scaler_) net_.set_loss_scale(scaler_->scale());
  net_.ClearParamDiffs();
  double loss = 0;
  for (int pass = 0; pass < spec_.iter_size; ++pass) {
    feed(pass);
    RunState state = State(pass);
    double pass_loss = net_.Forward(state);
    RB_CHECK_NUMERIC(std::isfinite(pass_loss), "loss is {} at iteration {}", pass_loss, iteration_);
    net_.Backward(state);
    loss += pass_loss;
  }
  const auto& params = net_.learnable_params();
  if (reduce_) reduce_();  // gradients summed over data-parallel replicas
  // The mean over passes and replicas, and the loss scale divided out.
  float scale =
      1.0f / (static_cast<float>(spec_.iter_size) * static_cast<float>(ranks_) * net_.loss_scale());
  if (scale != 1.0f) ScaleGradients(scale);
  last_step_skipped_ = false;
  if (scaler_) {
    int64_t non_finite = 0;
    SquaredGradientNorm(non_finite);
    if (!scaler_->Update(non_finite == 0)) {
      last_step_skipped_ = true;
      ++iteration_;
      return loss / spec_.iter_size;
    }
  }
  Regularize();
  ClipGradients();
  float rate = static_cast<float>(LearningRate());
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].lr_mult != 0) Update(i, rate * params[i].lr_mult);
  }
  ++iteration_;
  return loss / spec_.iter_size;
}

void Solver::ScaleGradients(float factor) {
  for (const LearnableParam& p : net_.learnable_params()) {
    if (gpu()) {
      kernels::cuda::Scale(p.blob->mutable_device_diff(), p.blob->count(), factor);
      continue;
    }
    float* diff = p.blob->mutable_flat_diff();
    for (int64_t i = 0; i < p.blob->count(); ++i) diff[i] *= factor;
  }
}

void Solver::Regularize() {
  if (spec_.weight_decay == 0) return;
  for (const LearnableParam& p : net_.learnable_params()) {
    float decay = static_cast<float>(spec_.weight_decay * p.decay_mult);
    if (decay == 0 || p.lr_mult == 0) continue;
    if (gpu()) {
      kernels::cuda::AddDecay(p.blob->device_data(), p.blob->mutable_device_diff(), p.blob->count(),
                              decay, spec_.regularization == "L1");
      continue;
    }
    const float* w = p.blob->flat_data();
    float* diff = p.blob->mutable_flat_diff();
    bool l1 = spec_.regularization == "L1";
    for (int64_t i = 0; i < p.blob->count(); ++i) {
      diff[i] += decay * (l1 ? static_cast<float>((w[i] > 0) - (w[i] < 0)) : w[i]);
    }
  }
}

// Frozen parameters (lr_mult 0) never move, so they take no share of the norm.
double Solver::SquaredGradientNorm(int64_t& non_finite) const {
  non_finite = 0;
  if (gpu()) {
    std::vector<kernels::cuda::Array> arrays;
    for (const LearnableParam& p : net_.learnable_params()) {
      if (p.lr_mult != 0) arrays.push_back({p.blob->device_diff(), p.blob->count()});
    }
    double squares = 0;
    kernels::cuda::SquaredNorm(arrays.data(), static_cast<int>(arrays.size()), squares, non_finite);
    return squares;
  }
  double squares = 0;
  for (const LearnableParam& p : net_.learnable_params()) {
    if (p.lr_mult == 0) continue;
    const float* diff = p.blob->flat_diff();
    for (int64_t i = 0; i < p.blob->count(); ++i) squares += static_cast<double>(diff[i]) * diff[i];
  }
  return squares;
}

void Solver::ClipGradients() {
  if (spec_.clip_gradients <= 0) return;
  int64_t non_finite = 0;
  double norm = std::sqrt(SquaredGradientNorm(non_finite));
  if (norm <= spec_.clip_gradients) return;
  float scale = static_cast<float>(spec_.clip_gradients / norm);
  for (const LearnableParam& p : net_.learnable_params()) {
    if (p.lr_mult == 0) continue;
    if (gpu()) {
      kernels::cuda::Scale(p.blob->mutable_device_diff(), p.blob->count(), scale);
      continue;
    }
    float* diff = p.blob->mutable_flat_diff();
    for (int64_t i = 0; i < p.blob->count(); ++i) diff[i] *= scale;
  }
}

namespace {

void AddParams(const Net& net, io::SafeTensorsWriter& writer) {
  for (const auto& [name, blob] : net.NamedParams()) {
    const Shape& s = blob->shape();
    writer.Add<float>(
        "param/" + name, {s.n, s.c, s.h, s.w},
        std::span<const float>(blob->flat_data(), static_cast<size_t>(blob->count())));
  }
}

}  // namespace

namespace {

void AddMetadata(const nlohmann::json& metadata, io::SafeTensorsWriter& writer) {
  for (auto it = metadata.begin(); it != metadata.end(); ++it) {
    writer.SetMetadata(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
  }
}

}  // namespace

void Solver::Snapshot(const std::filesystem::path& path, const nlohmann::json& model_json,
                      const nlohmann::json& extra) const {
  io::SafeTensorsWriter writer;
  AddMetadata(extra, writer);
  AddParams(net_, writer);
  const auto& params = net_.learnable_params();
  for (size_t i = 0; i < params.size(); ++i) {
    for (size_t slot = 0; slot < history_[i].size(); ++slot) {
      SyncedMemory& memory = *history_[i][slot];
      writer.Add<float>(fmt::format("solver/{}/{}", params[i].name, slot), {memory.count()},
                        std::span<const float>(memory.host(), static_cast<size_t>(memory.count())));
    }
  }
  if (scaler_) {
    writer.SetMetadata("loss_scale", fmt::format("{}", scaler_->scale()));
    writer.SetMetadata("loss_scale_clean_steps", std::to_string(scaler_->clean_steps()));
    writer.SetMetadata("loss_scale_skipped_steps", std::to_string(scaler_->skipped_steps()));
  }
  writer.SetMetadata("kind", "snapshot");
  writer.SetMetadata("iteration", std::to_string(iteration_));
  writer.SetMetadata("model", model_json.dump());
  writer.SetMetadata("solver", spec_.json.dump());
  writer.SetMetadata("roadbrew", ROADBREW_VERSION);
  writer.Write(path);
}

void Solver::Restore(const std::filesystem::path& path) {
  io::SafeTensorsReader reader = io::SafeTensorsReader::Open(path);
  auto kind = reader.metadata().find("kind");
  if (kind == reader.metadata().end() || kind->second != "snapshot") {
    Throw(ErrorCode::kInvalidArgument, "'{}' is not a solver snapshot (use it as weights instead)",
          path.string());
  }
  CopyReport report = CopyWeights(net_, path);
  if (!report.missing.empty() || !report.mismatched.empty()) {
    Throw(ErrorCode::kInvalidArgument,
          "snapshot '{}' does not fit this net: {} missing, {} of "
          "another shape (first: {})",
          path.string(), report.missing.size(), report.mismatched.size(),
          !report.missing.empty() ? report.missing[0] : report.mismatched[0]);
  }
  const auto& params = net_.learnable_params();
  for (size_t i = 0; i < params.size(); ++i) {
    for (size_t slot = 0; slot < history_[i].size(); ++slot) {
      const io::TensorView& view = reader.Get(fmt::format("solver/{}/{}", params[i].name, slot));
      auto values = view.as<float>();
      SyncedMemory& memory = *history_[i][slot];
      RB_CHECK_IO(static_cast<int64_t>(values.size()) == memory.count(),
                  "solver state of '{}' in '{}' has {} "
                  "values, expected {}",
                  params[i].name, path.string(), values.size(), memory.count());
      std::copy(values.begin(), values.end(), memory.mutable_host());
    }
  }
  iteration_ = std::stoll(reader.metadata().at("iteration"));
  const auto& meta = reader.metadata();
  if (scaler_ && meta.count("loss_scale")) {
    scaler_->Restore(std::stof(meta.at("loss_scale")),
                     std::stoll(meta.at("loss_scale_clean_steps")),
                     std::stoll(meta.at("loss_scale_skipped_steps")));
  }
}

CopyReport CopyWeights(Net& net, const std::filesystem::path& path) {
  io::SafeTensorsReader reader = io::SafeTensorsReader::Open(path);
  CopyReport report;
  std::set<std::string> used;
  for (const auto& [name, blob] : net.NamedParams()) {
    std::string key = "param/" + name;
    if (!reader.Has(key)) {
      report.missing.push_back(name);
      continue;
    }
    used.insert(key);
    const io::TensorView& view = reader.Get(key);
    const Shape& s = blob->shape();
    if (view.shape != std::vector<int64_t>{s.n, s.c, s.h, s.w}) {
      report.mismatched.push_back(name);
      continue;
    }
    auto values = view.as<float>();
    std::copy(values.begin(), values.end(), blob->mutable_flat_data());
    report.copied.push_back(name);
  }
  for (const std::string& name : reader.names()) {
    if (name.rfind("param/", 0) == 0 && !used.count(name)) report.unused.push_back(name.substr(6));
  }
  return report;
}

void SaveWeights(const Net& net, const std::filesystem::path& path,
                 const nlohmann::json& metadata) {
  io::SafeTensorsWriter writer;
  AddParams(net, writer);
  AddMetadata(metadata, writer);
  writer.SetMetadata("kind", "weights");
  writer.SetMetadata("roadbrew", ROADBREW_VERSION);
  writer.Write(path);
}

}  // namespace rb::nn
