// NCCL collectives between the CUDA devices of this machine, device-neutral: implemented in
// kernels/cuda/nccl.cpp when the CUDA toolkit has NCCL, otherwise construction throws
// kUnsupported. One process drives every device, one thread per device (the rank), each calling
// with its own device current; the collectives run on that device's stream.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace rb::kernels::nccl {

// Whether this build has NCCL.
bool Available();

struct Buffer {
  float* data;  // device memory of the rank's device
  int64_t count;
};

class Communicator {
 public:
  // Ranks 0..n-1 on `devices` (ncclCommInitAll).
  explicit Communicator(const std::vector<int>& devices);
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int size() const;
  // In place: every rank's buffers become the sums over ranks (one NCCL group per call).
  void AllReduceSum(int rank, const std::vector<Buffer>& buffers);
  // In place: every rank's buffers become rank `root`'s.
  void Broadcast(int rank, const std::vector<Buffer>& buffers, int root);
  // Aborts the pending collectives of every rank, so that ranks waiting for a failed one return
  // (with an error) instead of hanging. The communicator is unusable afterwards.
  void Abort() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rb::kernels::nccl
