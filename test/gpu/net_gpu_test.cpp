// Whole nets and solvers on the CUDA backend against the reference backend: a training pass of a
// small Tiramisu (every layer type of the real models, dense-block views, recomputation, the same
// dropout masks), each solver's steps, a short training run's loss curve, repeatability, the
// allocator in a training loop, and mixed precision.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "common/nn/solver.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "test/nn/net_fixtures.hpp"

namespace rb::nn {
namespace {

using json = nlohmann::json;
using test::FillInputs;
using test::LossAndGradients;
using test::TinyTiramisu;

Net MakeNet(Backend backend, bool memory_efficient = true, double dropout = 0.2, int size = 16,
            kernels::cudnn::Precision precision = kernels::cudnn::Precision::kFloat32) {
  BuildContext context{Phase::kTrain, backend, 1};
  context.precision = precision;
  return Net(ParseNetSpec(TinyTiramisu(memory_efficient, dropout, 2, size), "tiny.json"), context);
}

void CompareGradients(const Net& net, const std::vector<std::vector<float>>& gpu,
                      const std::vector<std::vector<float>>& cpu) {
  REQUIRE(gpu.size() == cpu.size());
  for (size_t i = 0; i < cpu.size(); ++i) {
    INFO(net.learnable_params()[i].name);
    for (size_t k = 0; k < cpu[i].size(); ++k) {
      REQUIRE(gpu[i][k] == Approx(cpu[i][k]).margin(1e-4).epsilon(1e-3));
    }
  }
}

TEST_CASE("A CUDA training pass matches the reference backend", "[gpu][net]") {
  for (bool memory_efficient : {true, false}) {
    INFO("memory efficient " << memory_efficient);
    Net cpu = MakeNet(Backend::kReference, memory_efficient);
    Net gpu = MakeNet(Backend::kCuda, memory_efficient);
    auto [loss_cpu, grads_cpu] = LossAndGradients(cpu);
    auto [loss_gpu, grads_gpu] = LossAndGradients(gpu);
    CHECK(loss_gpu == Approx(loss_cpu).epsilon(1e-5));
    CompareGradients(cpu, grads_gpu, grads_cpu);
  }
}

TEST_CASE("A CUDA test-phase net gives the reference probabilities and IoU counts", "[gpu][net]") {
  NetSpec spec = ParseNetSpec(TinyTiramisu(true, 0.2, 2, 16), "tiny.json");
  BuildContext context{Phase::kTest, Backend::kReference, 1};
  context.keep = {"prob"};
  Net cpu(spec, context);
  context.backend = Backend::kCuda;
  Net gpu(spec, context);
  FillInputs(cpu, 5);
  FillInputs(gpu, 5);
  CHECK(gpu.Forward({Phase::kTest, 0, 1}) ==
        Approx(cpu.Forward({Phase::kTest, 0, 1})).epsilon(1e-5));
  const Blob& a = gpu.blob("prob");
  const Blob& b = cpu.blob("prob");
  for (int64_t i = 0; i < a.count(); ++i)
    REQUIRE(a.flat_data()[i] == Approx(b.flat_data()[i]).margin(1e-5));
  CHECK(gpu.layer("iou")->Counters() == cpu.layer("iou")->Counters());
}

TEST_CASE("CUDA training passes repeat bit for bit", "[gpu][net]") {
  Net a = MakeNet(Backend::kCuda), b = MakeNet(Backend::kCuda);
  auto first = LossAndGradients(a, 4);
  auto second = LossAndGradients(b, 4);
  CHECK(first.first == second.first);
  CHECK(first.second == second.second);
  CHECK(LossAndGradients(a, 4).second == first.second);  // and again on the same net
}

json Solver(const char* type) {
  return {{"schema_version", 1}, {"type", type},          {"base_lr", 0.01},
          {"momentum", 0.9},     {"weight_decay", 1e-3},  {"regularization", "L1"},
          {"iter_size", 2},      {"clip_gradients", 0.5}, {"delta", 1e-6},
          {"random_seed", 3},    {"lr_policy", "step"},   {"stepsize", 2}};
}

// Losses of `steps` solver iterations and the final weights.
std::pair<std::vector<double>, std::vector<std::vector<float>>> Train(
    Backend backend, const json& solver_json, int steps,
    kernels::cudnn::Precision precision = kernels::cudnn::Precision::kFloat32) {
  Net net = MakeNet(backend, true, 0.2, 16, precision);
  auto solver = Solver::Create(SolverSpec::Parse(solver_json, "solver.json"), net);
  std::vector<double> losses;
  for (int i = 0; i < steps; ++i) {
    losses.push_back(solver->Step([&](int pass) { FillInputs(net, 10 + i * 2 + pass); }));
  }
  std::vector<std::vector<float>> weights;
  for (const auto& [name, blob] : net.NamedParams()) {
    weights.emplace_back(blob->flat_data(), blob->flat_data() + blob->count());
  }
  return {losses, weights};
}

TEST_CASE("Every solver's steps on the device match the CPU's", "[gpu][solver]") {
  for (const char* type : {"SGD", "Nesterov", "AdaGrad", "RMSProp", "Adam"}) {
    INFO(type);
    json spec = Solver(type);
    if (std::string(type) == "RMSProp") spec["delta_inside_sqrt"] = true;
    if (std::string(type) == "SGD") spec["regularization"] = "L2";
    auto [losses_cpu, weights_cpu] = Train(Backend::kReference, spec, 3);
    auto [losses_gpu, weights_gpu] = Train(Backend::kCuda, spec, 3);
    for (size_t i = 0; i < losses_cpu.size(); ++i) {
      CHECK(losses_gpu[i] == Approx(losses_cpu[i]).epsilon(1e-4));
    }
    for (size_t p = 0; p < weights_cpu.size(); ++p) {
      for (size_t k = 0; k < weights_cpu[p].size(); ++k) {
        REQUIRE(weights_gpu[p][k] == Approx(weights_cpu[p][k]).margin(1e-4).epsilon(1e-3));
      }
    }
  }
}

TEST_CASE("A short CUDA training run follows the CPU's loss curve", "[gpu][solver]") {
  json spec = {{"schema_version", 1}, {"type", "RMSProp"}, {"base_lr", 1e-3},
               {"rms_decay", 0.9},    {"delta", 1e-8},     {"delta_inside_sqrt", true},
               {"random_seed", 5}};
  auto [cpu, weights_cpu] = Train(Backend::kReference, spec, 25);
  auto [gpu, weights_gpu] = Train(Backend::kCuda, spec, 25);
  for (size_t i = 0; i < cpu.size(); ++i) {
    INFO("iteration " << i);
    CHECK(gpu[i] == Approx(cpu[i]).epsilon(2e-3));
  }
  CHECK(cpu.back() < 0.8 * cpu.front());  // it did learn
  // The caching allocator serves the loop: a further step takes no new device memory.
  Net net = MakeNet(Backend::kCuda);
  auto solver = Solver::Create(SolverSpec::Parse(spec, "s"), net);
  for (int i = 0; i < 2; ++i) solver->Step([&](int) { FillInputs(net, 1); });
  int64_t mallocs = kernels::cuda::GetMemoryStats().device_mallocs;
  for (int i = 0; i < 3; ++i) solver->Step([&](int) { FillInputs(net, 1); });
  CHECK(kernels::cuda::GetMemoryStats().device_mallocs == mallocs);
}

TEST_CASE("Mixed precision trains like fp32 with the loss scaled", "[gpu][solver]") {
  json spec = {{"schema_version", 1}, {"type", "Adam"}, {"base_lr", 3e-3}, {"random_seed", 5}};
  auto [fp32, w32] = Train(Backend::kCuda, spec, 20);
  for (auto precision :
       {kernels::cudnn::Precision::kTensorFloat32, kernels::cudnn::Precision::kFloat16,
        kernels::cudnn::Precision::kBFloat16}) {
    INFO(kernels::cudnn::PrecisionName(precision));
    auto [mixed, w] = Train(Backend::kCuda, spec, 20, precision);
    CHECK(mixed.front() == Approx(fp32.front()).epsilon(2e-2));
    CHECK(mixed.back() == Approx(fp32.back()).epsilon(0.1));
    CHECK(mixed.back() < 0.8 * mixed.front());
  }
  Net net = MakeNet(Backend::kCuda, true, 0.2, 16, kernels::cudnn::Precision::kFloat16);
  auto solver = Solver::Create(SolverSpec::Parse(spec, "s"), net);
  REQUIRE(solver->loss_scaler() != nullptr);
  solver->Step([&](int) { FillInputs(net, 1); });
  CHECK(net.loss_scale() == solver->loss_scaler()->scale());
  CHECK_THROWS_WITH(
      MakeNet(Backend::kReference, true, 0.2, 16, kernels::cudnn::Precision::kFloat16),
      Catch::Contains("precision fp16 needs the CUDA backend"));
}

}  // namespace
}  // namespace rb::nn
