// Build without oneDNN: the fast CPU path is absent; layers use the reference kernels.
#include "common/core/check.hpp"
#include "roadbrew/kernels/onednn.hpp"

namespace rb::kernels::onednn {
namespace {
[[noreturn]] void NotBuilt() {
  Throw(ErrorCode::kUnsupported,
        "this build of roadbrew has no oneDNN (configure with "
        "-DROADBREW_ONEDNN=ON where libdnnl-dev is installed)");
}
}  // namespace

bool Available() { return false; }

struct Convolution::Impl {};
Convolution::Convolution(const ConvGeometry&, bool) { NotBuilt(); }
Convolution::~Convolution() = default;
void Convolution::Forward(ConstTensor, const float*, const float*, Tensor) { NotBuilt(); }
void Convolution::BackwardData(ConstTensor, const float*, Tensor, bool) { NotBuilt(); }
void Convolution::BackwardWeights(ConstTensor, ConstTensor, float*, float*) { NotBuilt(); }
std::string Convolution::Implementation() const { return "none"; }

struct Pooling::Impl {};
Pooling::Pooling(const PoolGeometry&, Kind) { NotBuilt(); }
Pooling::~Pooling() = default;
void Pooling::Forward(ConstTensor, Tensor) { NotBuilt(); }
void Pooling::Backward(ConstTensor, Tensor, bool) { NotBuilt(); }

}  // namespace rb::kernels::onednn
