// Multi-GPU data parallelism (NCCL): a batch split over the devices gives the update one device
// computes for the whole batch. Needs two devices; says so and passes over itself otherwise.
#include <catch2/catch.hpp>

#include <iostream>

#include "common/core/rng.hpp"
#include "common/nn/data_parallel.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/device.hpp"
#include "roadbrew/kernels/nccl.hpp"

namespace rb::nn {
namespace {

using json = nlohmann::json;

// Conv-ReLU-dropout-conv-softmax loss normalised per pixel: no BatchNorm (its statistics are
// per device), so the split is exact up to float addition order.
json SmallNet(int batch) {
  json filler = {{"type", "msra"}};
  return {{"schema_version", 1},
          {"name", "small"},
          {"layers",
           {{{"name", "data"},
             {"type", "Input"},
             {"top", {"data", "label"}},
             {"input", {{"shape", {{batch, 3, 16, 16}, {batch, 1, 16, 16}}}}}},
            {{"name", "conv1"},
             {"type", "Convolution"},
             {"bottom", "data"},
             {"top", "conv1"},
             {"convolution",
              {{"num_output", 8}, {"kernel_size", 3}, {"pad", 1}, {"weight_filler", filler}}}},
            {{"name", "relu1"}, {"type", "ReLU"}, {"bottom", "conv1"}, {"top", "conv1"}},
            {{"name", "drop1"},
             {"type", "Dropout"},
             {"bottom", "conv1"},
             {"top", "conv1"},
             {"dropout", {{"ratio", 0.2}}}},
            {{"name", "score"},
             {"type", "Convolution"},
             {"bottom", "conv1"},
             {"top", "score"},
             {"convolution", {{"num_output", 2}, {"kernel_size", 1}, {"weight_filler", filler}}}},
            {{"name", "loss"},
             {"type", "SoftmaxWithLoss"},
             {"bottom", {"score", "label"}},
             {"top", "loss"},
             {"softmax_with_loss", {{"normalization", "full"}}}}}}};
}

// Samples [first, first + n) of pass `pass`'s batch of iteration `iteration`.
void Feed(Net& net, int iteration, int pass, int first) {
  Blob& data = net.blob("data");
  Blob& label = net.blob("label");
  int64_t per_data = data.count() / data.shape().n, per_label = label.count() / label.shape().n;
  for (int s = 0; s < data.shape().n; ++s) {
    RandomStream random(1000 * iteration + 10 * pass + first + s, 1);
    for (int64_t i = 0; i < per_data; ++i)
      data.mutable_flat_data()[s * per_data + i] = static_cast<float>(random.Uniform(-1, 1));
    for (int64_t i = 0; i < per_label; ++i)
      label.mutable_flat_data()[s * per_label + i] = static_cast<float>(random.UniformInt(0, 1));
  }
}

TEST_CASE("A batch split over two GPUs updates like one GPU with the whole batch",
          "[gpu][parallel]") {
  int devices = static_cast<int>(kernels::cuda::ListDevices().size());
  if (devices < 2 || !kernels::nccl::Available()) {
    std::cout << "SKIPPED (inside the test): data parallelism needs two CUDA devices and NCCL; "
              << devices << " device(s), NCCL " << (kernels::nccl::Available() ? "yes" : "no")
              << "\n";
    return;
  }
  SolverSpec solver = SolverSpec::Parse({{"schema_version", 1},
                                         {"type", "Adam"},
                                         {"base_lr", 1e-2},
                                         {"iter_size", 2},
                                         {"weight_decay", 1e-3},
                                         {"random_seed", 4}},
                                        "solver.json");
  BuildContext context{Phase::kTrain, Backend::kCuda, 4};
  Net whole(ParseNetSpec(SmallNet(4), "small"), context);
  auto single = Solver::Create(solver, whole);
  DataParallelTrainer parallel(ParseNetSpec(SmallNet(4), "small"), solver, {0, 1}, context);
  REQUIRE(parallel.batch_share() == 2);
  for (int iteration = 0; iteration < 4; ++iteration) {
    double a = single->Step([&](int pass) { Feed(whole, iteration, pass, 0); });
    double b = parallel.Step([&](int rank, int pass, Net& net) {
      Feed(net, iteration, pass, rank * parallel.batch_share());
    });
    CHECK(b == Approx(a).epsilon(1e-5));
  }
  auto reference = whole.NamedParams();
  for (int rank = 0; rank < 2; ++rank) {
    kernels::cuda::SetDevice(rank);  // a replica's blobs are read with its device current
    auto params = parallel.net(rank).NamedParams();
    for (size_t p = 0; p < params.size(); ++p) {
      for (int64_t i = 0; i < params[p].second->count(); ++i) {
        REQUIRE(params[p].second->flat_data()[i] ==
                Approx(reference[p].second->flat_data()[i]).margin(1e-5).epsilon(1e-4));
      }
    }
  }
  kernels::cuda::SetDevice(0);
}

}  // namespace
}  // namespace rb::nn
