#include "common/nn/data_parallel.hpp"

#include <exception>
#include <mutex>
#include <thread>

#include "common/core/check.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/device.hpp"

namespace rb::nn {
namespace {

// The replica's spec: every Input top with N / ranks samples.
NetSpec ReplicaSpec(const NetSpec& spec, int ranks, int& share) {
  NetSpec replica = spec;
  share = 0;
  for (const LayerSpec& layer : spec.layers) {
    if (layer.type != "Input") continue;
    for (size_t t = 0; t < layer.top.size(); ++t) {
      const auto& shape = layer.options.at("shape").at(t);
      int n = shape.at(0).get<int>();
      RB_CHECK_ARG(n % ranks == 0, "a batch of {} ('{}') does not split over {} devices", n,
                   layer.top[t], ranks);
      share = n / ranks;
      replica.SetInputShape(layer.top[t], {share, shape.at(1).get<int>(), shape.at(2).get<int>(),
                                           shape.at(3).get<int>()});
    }
  }
  RB_CHECK_ARG(share > 0, "net '{}' has no Input layer to split", spec.name);
  return replica;
}

}  // namespace

DataParallelTrainer::DataParallelTrainer(const NetSpec& spec, const SolverSpec& solver,
                                         const std::vector<int>& devices,
                                         const BuildContext& context)
    : devices_(devices) {
  RB_CHECK_ARG(!devices.empty(), "data-parallel training needs at least one device");
  RB_CHECK_ARG(context.backend == Backend::kCuda, "data-parallel training runs on CUDA devices");
  kernels::cuda::RequireDevice();
  comm_ = std::make_unique<kernels::nccl::Communicator>(devices);
  NetSpec replica = ReplicaSpec(spec, size(), share_);
  nets_.resize(devices.size());
  solvers_.resize(devices.size());
  OnEachDevice([&](int rank) {
    nets_[rank] = std::make_unique<Net>(replica, context);
    solvers_[rank] = Solver::Create(solver, *nets_[rank]);
    solvers_[rank]->SetDataParallel(size(), static_cast<int64_t>(rank) * share_,
                                    [this, rank] { comm_->AllReduceSum(rank, Gradients(rank)); });
  });
  SyncWeights();
}

void DataParallelTrainer::SyncWeights() {
  OnEachDevice([&](int rank) {
    std::vector<kernels::nccl::Buffer> weights;
    for (const auto& [name, blob] : nets_[rank]->NamedParams()) {
      weights.push_back({blob->mutable_device_data(), blob->count()});
    }
    comm_->Broadcast(rank, weights, 0);
    kernels::cuda::Synchronize();
  });
}

DataParallelTrainer::~DataParallelTrainer() = default;

std::vector<kernels::nccl::Buffer> DataParallelTrainer::Gradients(int rank) {
  std::vector<kernels::nccl::Buffer> buffers;
  for (const LearnableParam& p : nets_[rank]->learnable_params()) {
    if (p.lr_mult != 0) buffers.push_back({p.blob->mutable_device_diff(), p.blob->count()});
  }
  return buffers;
}

void DataParallelTrainer::OnEachDevice(const std::function<void(int rank)>& f) {
  std::exception_ptr error;
  std::mutex mutex;
  std::vector<std::thread> threads;
  for (int rank = 0; rank < size(); ++rank) {
    threads.emplace_back([&, rank] {
      try {
        kernels::cuda::SetDevice(devices_[rank]);
        f(rank);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        comm_->Abort();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  if (error) std::rethrow_exception(error);
}

double DataParallelTrainer::Step(const std::function<void(int rank, int pass, Net& net)>& feed) {
  std::vector<double> losses(devices_.size());
  OnEachDevice([&](int rank) {
    losses[rank] = solvers_[rank]->Step([&](int pass) { feed(rank, pass, *nets_[rank]); });
  });
  double sum = 0;
  for (double loss : losses) sum += loss;
  return sum / size();
}

}  // namespace rb::nn
