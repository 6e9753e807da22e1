// NCCL communicators of one process over several devices (kernels/nccl.hpp).
#include <nccl.h>

#include <atomic>

#include "common/core/check.hpp"
#include "kernels/cuda/stream.hpp"
#include "roadbrew/kernels/nccl.hpp"

#define RB_NCCL_CHECK(call)                                                                \
  do {                                                                                     \
    ncclResult_t rb_nccl_status_ = (call);                                                 \
    if (rb_nccl_status_ != ncclSuccess) {                                                  \
      ::rb::Throw(::rb::ErrorCode::kUnsupported, "{} failed: {} (NCCL result {})", #call,  \
                  ncclGetErrorString(rb_nccl_status_), static_cast<int>(rb_nccl_status_)); \
    }                                                                                      \
  } while (false)

namespace rb::kernels::nccl {

bool Available() { return true; }

struct Communicator::Impl {
  std::vector<int> devices;
  std::vector<ncclComm_t> comms;
  std::atomic<bool> aborted{false};
};

Communicator::Communicator(const std::vector<int>& devices) : impl_(std::make_unique<Impl>()) {
  RB_CHECK_ARG(!devices.empty(), "a communicator needs at least one device");
  impl_->devices = devices;
  impl_->comms.resize(devices.size());
  RB_NCCL_CHECK(
      ncclCommInitAll(impl_->comms.data(), static_cast<int>(devices.size()), devices.data()));
}

Communicator::~Communicator() {
  if (impl_->aborted) return;  // ncclCommAbort freed them
  for (ncclComm_t comm : impl_->comms) ncclCommDestroy(comm);
}

int Communicator::size() const { return static_cast<int>(impl_->devices.size()); }

void Communicator::AllReduceSum(int rank, const std::vector<Buffer>& buffers) {
  RB_CHECK(rank >= 0 && rank < size() && cuda::CurrentDevice() == impl_->devices[rank]);
  RB_NCCL_CHECK(ncclGroupStart());
  for (const Buffer& b : buffers) {
    RB_NCCL_CHECK(ncclAllReduce(b.data, b.data, static_cast<size_t>(b.count), ncclFloat, ncclSum,
                                impl_->comms[rank], cuda::Stream()));
  }
  RB_NCCL_CHECK(ncclGroupEnd());
}

void Communicator::Broadcast(int rank, const std::vector<Buffer>& buffers, int root) {
  RB_CHECK(rank >= 0 && rank < size() && cuda::CurrentDevice() == impl_->devices[rank]);
  RB_NCCL_CHECK(ncclGroupStart());
  for (const Buffer& b : buffers) {
    RB_NCCL_CHECK(ncclBroadcast(b.data, b.data, static_cast<size_t>(b.count), ncclFloat, root,
                                impl_->comms[rank], cuda::Stream()));
  }
  RB_NCCL_CHECK(ncclGroupEnd());
}

void Communicator::Abort() noexcept {
  if (impl_->aborted.exchange(true)) return;
  for (ncclComm_t comm : impl_->comms) ncclCommAbort(comm);
}

}  // namespace rb::kernels::nccl
