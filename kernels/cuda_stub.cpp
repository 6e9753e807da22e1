// Build without CUDA: every CUDA entry point reports kUnsupported (exit code 3 in a stage).
#include "common/core/check.hpp"
#include "roadbrew/kernels/batch_norm.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/cudnn.hpp"
#include "roadbrew/kernels/device.hpp"
#include "roadbrew/kernels/elementwise.hpp"
#include "roadbrew/kernels/pooling.hpp"
#include "roadbrew/kernels/softmax_loss.hpp"
#include "roadbrew/kernels/solver_update.hpp"

namespace rb::kernels {
namespace {
[[noreturn]] void NotBuilt() {
  Throw(ErrorCode::kUnsupported,
        "this build of roadbrew has no CUDA support (configure with -DROADBREW_CUDA=ON on a "
        "machine with nvcc and cuDNN)");
}
}  // namespace

namespace cuda {

bool BuiltWithCuda() { return false; }
std::vector<DeviceInfo> ListDevices() { NotBuilt(); }
void RequireDevice() { NotBuilt(); }
std::string LibraryVersions() { return "no CUDA in this build"; }

void SetDevice(int) { NotBuilt(); }
void* Allocate(size_t) { NotBuilt(); }
void Free(void*) noexcept {}
MemoryStats GetMemoryStats() { return {}; }
void ResetPeakMemory() {}
void ReleaseCachedMemory() {}
void CopyToDevice(void*, const void*, size_t) { NotBuilt(); }
void CopyToHost(void*, const void*, size_t) { NotBuilt(); }
void CopyDeviceToDevice(void*, const void*, size_t) { NotBuilt(); }
void Fill(float*, float, int64_t) { NotBuilt(); }
void Synchronize() { NotBuilt(); }

void ReluForward(ConstTensor, Tensor, float) { NotBuilt(); }
void ReluBackward(ConstTensor, ConstTensor, Tensor, float, bool) { NotBuilt(); }
void DropoutMask(int64_t, float, uint64_t, uint64_t, uint8_t*, int64_t) { NotBuilt(); }
void DropoutForward(ConstTensor, Tensor, const uint8_t*, float) { NotBuilt(); }
void DropoutBackward(ConstTensor, Tensor, const uint8_t*, float, bool) { NotBuilt(); }
void Copy(ConstTensor, Tensor, bool) { NotBuilt(); }
void Zero(Tensor) { NotBuilt(); }
void ScaleBiasForward(ConstTensor, Tensor, const float*, const float*) { NotBuilt(); }
void ScaleBiasBackward(ConstTensor, ConstTensor, const float*, Tensor, bool, float*, float*) {
  NotBuilt();
}
void EltwiseForward(cpu::EltwiseOp, const ConstTensor*, const float*, int, Tensor) { NotBuilt(); }
void EltwiseBackward(cpu::EltwiseOp, const ConstTensor*, const float*, int, int, ConstTensor,
                     ConstTensor, Tensor, bool) {
  NotBuilt();
}
void CropWindow(ConstTensor, Tensor, int, int, bool) { NotBuilt(); }
void PlaceWindow(ConstTensor, Tensor, int, int, bool) { NotBuilt(); }
void PermuteFilter(const float*, float*, int, int, int, int) { NotBuilt(); }
void UnpermuteFilter(const float*, float*, int, int, int, int, bool) { NotBuilt(); }
void ToHalf(const float*, uint16_t*, int64_t, bool) { NotBuilt(); }
void FromHalf(const uint16_t*, float*, int64_t, bool, bool) { NotBuilt(); }

cpu::LossSums SoftmaxCrossEntropy(ConstTensor, ConstTensor, const float*, int) { NotBuilt(); }
void SoftmaxCrossEntropyBackward(ConstTensor, ConstTensor, const float*, int, float, Tensor, bool) {
  NotBuilt();
}
cpu::LossSums SigmoidCrossEntropy(ConstTensor, ConstTensor, int) { NotBuilt(); }
void SigmoidCrossEntropyBackward(ConstTensor, ConstTensor, int, float, Tensor, bool) { NotBuilt(); }
cpu::JaccardSums SoftJaccard(ConstTensor, ConstTensor, int, int) { NotBuilt(); }
void SoftJaccardBackward(ConstTensor, ConstTensor, int, int, const cpu::JaccardSums&, double, float,
                         Tensor, bool) {
  NotBuilt();
}
void ConfusionCounts(ConstTensor, ConstTensor, int, int64_t*, int64_t*, int64_t*) { NotBuilt(); }

void BatchNormForwardBatchStats(ConstTensor, Tensor, const float*, const float*, float, float*,
                                float*, float*, float*, float, bool) {
  NotBuilt();
}
void BatchNormForwardGlobalStats(ConstTensor, Tensor, const float*, const float*, const float*,
                                 float*, const float*, float, bool) {
  NotBuilt();
}
void BatchNormBackward(ConstTensor, ConstTensor, ConstTensor, const float*, const float*,
                       const float*, bool, Tensor, bool, float*, float*) {
  NotBuilt();
}

void PoolForward(const PoolGeometry&, ConstTensor, Tensor, int32_t*, bool) { NotBuilt(); }
void PoolBackward(const PoolGeometry&, ConstTensor, const int32_t*, Tensor, bool) { NotBuilt(); }

void SgdUpdate(float*, const float*, float*, int64_t, float, float) { NotBuilt(); }
void NesterovUpdate(float*, const float*, float*, int64_t, float, float) { NotBuilt(); }
void AdaGradUpdate(float*, const float*, float*, int64_t, float, float) { NotBuilt(); }
void RmsPropUpdate(float*, const float*, float*, int64_t, float, float, float, bool) { NotBuilt(); }
void AdamUpdate(float*, const float*, float*, float*, int64_t, float, float, float, float) {
  NotBuilt();
}
void Scale(float*, int64_t, float) { NotBuilt(); }
void AddDecay(const float*, float*, int64_t, float, bool) { NotBuilt(); }
void SquaredNorm(const Array*, int, double&, int64_t&) { NotBuilt(); }

}  // namespace cuda

namespace cudnn {

struct Convolution::Impl {};
Convolution::Convolution(const ConvGeometry&, Precision) { NotBuilt(); }
Convolution::~Convolution() = default;
void Convolution::Forward(ConstTensor, const float*, const float*, Tensor) { NotBuilt(); }
void Convolution::BackwardData(ConstTensor, const float*, Tensor, bool) { NotBuilt(); }
void Convolution::BackwardWeights(ConstTensor, ConstTensor, float*, float*) { NotBuilt(); }
std::string Convolution::Algorithms() const { return {}; }

void SoftmaxForward(ConstTensor, Tensor) { NotBuilt(); }
void SoftmaxBackward(ConstTensor, ConstTensor, Tensor, bool) { NotBuilt(); }
void ReluForward(ConstTensor, Tensor) { NotBuilt(); }
void ReluBackward(ConstTensor, ConstTensor, Tensor, bool) { NotBuilt(); }

struct AveragePooling::Impl {};
bool AveragePooling::Supports(const PoolGeometry&) { return false; }
AveragePooling::AveragePooling(const PoolGeometry&) { NotBuilt(); }
AveragePooling::~AveragePooling() = default;
void AveragePooling::Forward(ConstTensor, Tensor) { NotBuilt(); }
void AveragePooling::Backward(ConstTensor, ConstTensor, ConstTensor, Tensor, bool) { NotBuilt(); }

bool BatchNorm::Supports(ConstTensor, ConstTensor, double) { return false; }
bool BatchNorm::ForwardTraining(ConstTensor, Tensor, const float*, const float*, double, float*,
                                float*, double, float*, float*) {
  NotBuilt();
}
bool BatchNorm::ForwardInference(ConstTensor, Tensor, const float*, const float*, const float*,
                                 const float*, double) {
  NotBuilt();
}
bool BatchNorm::Backward(ConstTensor, ConstTensor, const float*, const float*, const float*, double,
                         Tensor, bool, float*, float*) {
  NotBuilt();
}

}  // namespace cudnn
}  // namespace rb::kernels
