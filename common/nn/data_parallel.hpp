// Data-parallel training on several CUDA devices of one machine, as Caffe's multi-GPU training:
// one replica of the net and of the solver per device, each driven by its own thread and fed its
// share of every batch; after the backward passes NCCL sums the parameter gradients across the
// devices (all-reduce) and every replica applies the identical update, so the replicas stay equal.
//
// With the loss normalised per image or per pixel ("batch", "full", or "valid" without ignored
// pixels) and equal shares, a batch split over k devices gives the update one device computes
// for the whole batch, up to the order of float additions: each replica's loss is its share's
// mean, the all-reduce sums the k gradients and the solver divides by k; dropout draws the very
// decisions the whole batch draws (RunState::sample_offset). Not so for BatchNorm, whose batch
// statistics are per replica (the rule of Caffe and of PyTorch without synchronised batch norm),
// nor for "valid" normalisation with ignored pixels spread unevenly (each replica divides by its
// own count). Running statistics and metrics are rank 0's.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "common/nn/net.hpp"
#include "common/nn/solver.hpp"
#include "roadbrew/kernels/nccl.hpp"

namespace rb::nn {

class DataParallelTrainer {
 public:
  // `spec`'s Input shapes hold the whole batch, whose size must divide by the device count.
  // Throws kUnsupported without NCCL or without the devices.
  DataParallelTrainer(const NetSpec& spec, const SolverSpec& solver,
                      const std::vector<int>& devices, const BuildContext& context);
  ~DataParallelTrainer();
  DataParallelTrainer(const DataParallelTrainer&) = delete;
  DataParallelTrainer& operator=(const DataParallelTrainer&) = delete;

  int size() const { return static_cast<int>(devices_.size()); }
  int batch_share() const { return share_; }  // samples per device and pass
  // Replica `rank`'s blobs live on devices[rank]: read them with that device current
  // (kernels::cuda::SetDevice).
  Net& net(int rank) { return *nets_[rank]; }
  Solver& solver(int rank) { return *solvers_[rank]; }

  // Copies rank 0's parameters (weights and running statistics) to every replica: after
  // construction, and after a caller loads weights or a snapshot into net(0) / solver(0).
  void SyncWeights();

  // One solver iteration on every device. feed(rank, pass, net) fills replica `rank`'s inputs
  // with samples [rank * share, (rank + 1) * share) of pass `pass`'s batch (on the host, as for
  // one device). Returns the mean of the replicas' losses.
  double Step(const std::function<void(int rank, int pass, Net& net)>& feed);

 private:
  // Runs f(rank) on one thread per device with that device current; if one throws, the
  // communicator is aborted (so no rank waits for it forever) and the first error rethrown.
  void OnEachDevice(const std::function<void(int rank)>& f);
  std::vector<kernels::nccl::Buffer> Gradients(int rank);

  std::vector<int> devices_;
  int share_ = 0;
  std::unique_ptr<kernels::nccl::Communicator> comm_;
  std::vector<std::unique_ptr<Net>> nets_;
  std::vector<std::unique_ptr<Solver>> solvers_;
};

}  // namespace rb::nn
