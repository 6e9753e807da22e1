// Build without NCCL (no CUDA, or a CUDA toolkit without it): multi-GPU training is unavailable.
#include "common/core/check.hpp"
#include "roadbrew/kernels/nccl.hpp"

namespace rb::kernels::nccl {

bool Available() { return false; }

struct Communicator::Impl {};

Communicator::Communicator(const std::vector<int>&) {
  Throw(ErrorCode::kUnsupported,
        "this build of roadbrew has no NCCL (multi-GPU training needs the CUDA build with NCCL)");
}
Communicator::~Communicator() = default;
int Communicator::size() const { return 0; }
void Communicator::AllReduceSum(int, const std::vector<Buffer>&) {}
void Communicator::Broadcast(int, const std::vector<Buffer>&, int) {}
void Communicator::Abort() noexcept {}

}  // namespace rb::kernels::nccl
