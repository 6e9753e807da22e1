// cuDNN convolutions on NHWC activations with OHWI filters (the channels-last pair every cuDNN
// algorithm supports): the net's OIHW weights are permuted on the device per call (weights are
// small next to activations) and weight gradients permuted back. Algorithms come from cuDNN's
// heuristics under the workspace limit, deterministic ones first, chosen once per shape,
// direction and precision for the whole process.
#include <array>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "kernels/cuda/cudnn_descriptors.hpp"
#include "kernels/cuda/stream.hpp"
#include "roadbrew/kernels/cudnn.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::kernels::cudnn {
namespace {

using cuda::Scratch;
using cuda::TensorDescriptor;

enum Direction { kForward = 0, kData = 1, kFilter = 2 };
constexpr std::array<const char*, 3> kDirectionNames = {"fwd", "data", "filter"};

struct Choice {
  int algo = -1;
  size_t workspace = 0;
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
};

std::mutex cache_mutex;
std::map<std::string, Choice> choice_cache;

// The first usable result: fits the workspace, strict float math when asked, deterministic if
// any such one exists (cuDNN lists results fastest first).
template <class Perf>
Choice Pick(const Perf* perf, int count, bool strict_float, const std::string& what) {
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < count; ++i) {
      const Perf& p = perf[i];
      bool tensor_ops =
          p.mathType == CUDNN_TENSOR_OP_MATH || p.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
      if (p.status != CUDNN_STATUS_SUCCESS || p.memory > WorkspaceLimit()) continue;
      if (strict_float && tensor_ops) continue;
      if (pass == 0 && p.determinism != CUDNN_DETERMINISTIC) continue;
      return {static_cast<int>(p.algo), p.memory, p.mathType};
    }
  }
  Throw(ErrorCode::kUnsupported, "cuDNN offers no algorithm for {} within the {} workspace limit",
        what, cuda::FormatBytes(WorkspaceLimit()));
}

cudnnDataType_t DataType(Precision precision) {
  if (precision == Precision::kFloat16) return CUDNN_DATA_HALF;
  if (precision == Precision::kBFloat16) return CUDNN_DATA_BFLOAT16;
  return CUDNN_DATA_FLOAT;
}

// The symmetric-padding extent of one axis: input extended by the extra bottom/right padding,
// output of cuDNN's floor rule (at least the wanted one; extra rows are cropped).
void Extents(int in, int kernel, int stride, int pad, int pad_end, int dilation, int& in_ext,
             int& out_ext) {
  in_ext = in + std::max(0, pad_end - pad);
  out_ext = (in_ext + 2 * pad - ((kernel - 1) * dilation + 1)) / stride + 1;
}

}  // namespace

struct Convolution::Impl {
  ConvGeometry g;
  Precision precision;
  bool half = false, bf16 = false;
  int in_h = 0, in_w = 0, out_h = 0, out_w = 0;  // extended extents
  TensorDescriptor x_desc, y_desc;
  cudnnFilterDescriptor_t w_desc = nullptr;
  std::array<cudnnConvolutionDescriptor_t, 3> conv{};
  std::array<Choice, 3> choice{};

  ~Impl() {
    if (w_desc) cudnnDestroyFilterDescriptor(w_desc);
    for (auto c : conv) {
      if (c) cudnnDestroyConvolutionDescriptor(c);
    }
  }

  size_t Element() const { return half ? 2 : 4; }
  int64_t InCount() const { return int64_t{g.n} * g.in_c * in_h * in_w; }
  int64_t OutCount() const { return int64_t{g.n} * g.out_c * out_h * out_w; }

  std::string Key(Direction d) const {
    return fmt::format("{} {} {} ext {}x{}->{}x{} on {}", kDirectionNames[d], g.ToString(),
                       PrecisionName(precision), in_h, in_w, out_h, out_w, cuda::CurrentDevice());
  }

  const Choice& Choose(Direction d);
  // The workspace of the chosen algorithm as cuDNN computes it for these descriptors.
  size_t ExactWorkspace(Direction d) const;

  // A dense array of the compute type holding `view` zero-extended to h x w (may be the view
  // itself when nothing needs doing).
  const void* Stage(ConstTensor view, int h, int w, Scratch& extended, Scratch& converted) const {
    const float* data = view.data;
    int64_t count = int64_t{view.n} * view.c * h * w;
    if (view.h != h || view.w != w) {
      extended = Scratch(sizeof(float) * count);
      cuda::PlaceWindow(view, DenseTensor(extended.get<float>(), view.n, view.c, h, w), 0, 0,
                        false);
      data = extended.get<float>();
    }
    if (!half) return data;
    converted = Scratch(2 * count);
    cuda::ToHalf(data, converted.get<uint16_t>(), count, bf16);
    return converted.get();
  }

  const void* StageFilter(const float* oihw, Scratch& permuted, Scratch& converted) const {
    int64_t count = g.WeightCount();
    permuted = Scratch(sizeof(float) * count);
    cuda::PermuteFilter(oihw, permuted.get<float>(), g.out_c, g.in_c / g.groups, g.kernel_h,
                        g.kernel_w);
    if (!half) return permuted.get();
    converted = Scratch(2 * count);
    cuda::ToHalf(permuted.get<float>(), converted.get<uint16_t>(), count, bf16);
    return converted.get();
  }

  // Moves a dense compute-type result of extent h x w into `target` (cropped, converted).
  void Unstage(const void* result, int h, int w, Tensor target, bool accumulate) const {
    int64_t count = int64_t{target.n} * target.c * h * w;
    bool cropped = h != target.h || w != target.w;
    if (half && !cropped) {
      cuda::FromHalf(static_cast<const uint16_t*>(result), target.data, count, bf16, accumulate);
      return;
    }
    Scratch wide;
    const float* data = static_cast<const float*>(result);
    if (half) {
      wide = Scratch(sizeof(float) * count);
      cuda::FromHalf(static_cast<const uint16_t*>(result), wide.get<float>(), count, bf16, false);
      data = wide.get<float>();
    }
    ConstTensor full = DenseTensor(const_cast<float*>(data), target.n, target.c, h, w);
    cuda::CropWindow(full, target, 0, 0, accumulate);
  }
};

Convolution::Convolution(const ConvGeometry& g, Precision precision)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.g = g;
  m.precision = precision;
  m.half = precision == Precision::kFloat16 || precision == Precision::kBFloat16;
  m.bf16 = precision == Precision::kBFloat16;
  Extents(g.in_h, g.kernel_h, g.stride_h, g.pad_top, g.pad_bottom, g.dilation_h, m.in_h, m.out_h);
  Extents(g.in_w, g.kernel_w, g.stride_w, g.pad_left, g.pad_right, g.dilation_w, m.in_w, m.out_w);
  RB_CHECK(m.out_h >= g.out_h && m.out_w >= g.out_w);
  cudnnDataType_t type = DataType(precision);
  m.x_desc.Set(g.n, g.in_c, m.in_h, m.in_w, g.in_c, type);
  m.y_desc.Set(g.n, g.out_c, m.out_h, m.out_w, g.out_c, type);
  RB_CUDNN_CHECK(cudnnCreateFilterDescriptor(&m.w_desc));
  RB_CUDNN_CHECK(cudnnSetFilter4dDescriptor(m.w_desc, type, CUDNN_TENSOR_NHWC, g.out_c,
                                            g.in_c / g.groups, g.kernel_h, g.kernel_w));
  cudnnMathType_t math = precision == Precision::kFloat32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
  for (auto& c : m.conv) {
    RB_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&c));
    RB_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(c, g.pad_top, g.pad_left, g.stride_h, g.stride_w,
                                                   g.dilation_h, g.dilation_w,
                                                   CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    RB_CUDNN_CHECK(cudnnSetConvolutionGroupCount(c, g.groups));
    RB_CUDNN_CHECK(cudnnSetConvolutionMathType(c, math));
  }
}

Convolution::~Convolution() = default;

const Choice& Convolution::Impl::Choose(Direction d) {
  if (choice[d].algo >= 0) return choice[d];
  std::string key = Key(d);
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = choice_cache.find(key);
    if (it != choice_cache.end()) choice[d] = it->second;
  }
  if (choice[d].algo < 0) {
    cudnnHandle_t h = cuda::CudnnHandle();
    bool strict = precision == Precision::kFloat32;
    int count = 0;
    if (d == kForward) {
      std::array<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT> perf{};
      RB_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(
          h, x_desc.get(), w_desc, conv[d], y_desc.get(), perf.size(), &count, perf.data()));
      choice[d] = Pick(perf.data(), count, strict, key);
    } else if (d == kData) {
      std::array<cudnnConvolutionBwdDataAlgoPerf_t, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT> perf{};
      RB_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(
          h, w_desc, y_desc.get(), conv[d], x_desc.get(), perf.size(), &count, perf.data()));
      choice[d] = Pick(perf.data(), count, strict, key);
    } else {
      std::array<cudnnConvolutionBwdFilterAlgoPerf_t, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT>
          perf{};
      RB_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
          h, x_desc.get(), y_desc.get(), conv[d], w_desc, perf.size(), &count, perf.data()));
      choice[d] = Pick(perf.data(), count, strict, key);
    }
    // Exact float keeps to FMA math (a result listed with the default math type could run on
    // TF32 Tensor Cores on Ampere and later).
    if (strict) choice[d].math = CUDNN_FMA_MATH;
    RB_CUDNN_CHECK(cudnnSetConvolutionMathType(conv[d], choice[d].math));
    choice[d].workspace = ExactWorkspace(d);
    std::lock_guard<std::mutex> lock(cache_mutex);
    choice_cache[key] = choice[d];
  }
  RB_CUDNN_CHECK(cudnnSetConvolutionMathType(conv[d], choice[d].math));
  return choice[d];
}

size_t Convolution::Impl::ExactWorkspace(Direction d) const {
  cudnnHandle_t h = cuda::CudnnHandle();
  size_t bytes = 0;
  if (d == kForward) {
    RB_CUDNN_CHECK(cudnnGetConvolutionForwardWorkspaceSize(
        h, x_desc.get(), w_desc, conv[d], y_desc.get(),
        static_cast<cudnnConvolutionFwdAlgo_t>(choice[d].algo), &bytes));
  } else if (d == kData) {
    RB_CUDNN_CHECK(cudnnGetConvolutionBackwardDataWorkspaceSize(
        h, w_desc, y_desc.get(), conv[d], x_desc.get(),
        static_cast<cudnnConvolutionBwdDataAlgo_t>(choice[d].algo), &bytes));
  } else {
    RB_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterWorkspaceSize(
        h, x_desc.get(), y_desc.get(), conv[d], w_desc,
        static_cast<cudnnConvolutionBwdFilterAlgo_t>(choice[d].algo), &bytes));
  }
  return bytes;
}

void Convolution::Forward(ConstTensor x, const float* weights, const float* bias, Tensor y) {
  Impl& m = *impl_;
  Scratch x_ext, x_half, w_perm, w_half, out;
  const void* in = m.Stage(x, m.in_h, m.in_w, x_ext, x_half);
  const void* w = m.StageFilter(weights, w_perm, w_half);
  bool direct = !m.half && m.out_h == y.h && m.out_w == y.w && y.dense();
  void* result =
      direct ? static_cast<void*>(y.data) : (out = Scratch(m.Element() * m.OutCount())).get();
  const Choice& c = m.Choose(kForward);
  Scratch workspace(c.workspace);
  const float one = 1.0f, zero = 0.0f;
  RB_CUDNN_CHECK(
      cudnnConvolutionForward(cuda::CudnnHandle(), &one, m.x_desc.get(), in, m.w_desc, w,
                              m.conv[kForward], static_cast<cudnnConvolutionFwdAlgo_t>(c.algo),
                              workspace.get(), c.workspace, &zero, m.y_desc.get(), result));
  if (!direct) m.Unstage(result, m.out_h, m.out_w, y, false);
  if (bias) cuda::ScaleBiasForward(y, y, nullptr, bias);
}

void Convolution::BackwardData(ConstTensor dy, const float* weights, Tensor dx, bool accumulate) {
  Impl& m = *impl_;
  Scratch dy_ext, dy_half, w_perm, w_half, out;
  const void* grad = m.Stage(dy, m.out_h, m.out_w, dy_ext, dy_half);
  const void* w = m.StageFilter(weights, w_perm, w_half);
  bool direct = !m.half && m.in_h == dx.h && m.in_w == dx.w && dx.dense();
  void* result =
      direct ? static_cast<void*>(dx.data) : (out = Scratch(m.Element() * m.InCount())).get();
  const Choice& c = m.Choose(kData);
  Scratch workspace(c.workspace);
  const float one = 1.0f, zero = 0.0f;
  RB_CUDNN_CHECK(cudnnConvolutionBackwardData(
      cuda::CudnnHandle(), &one, m.w_desc, w, m.y_desc.get(), grad, m.conv[kData],
      static_cast<cudnnConvolutionBwdDataAlgo_t>(c.algo), workspace.get(), c.workspace,
      direct && accumulate ? &one : &zero, m.x_desc.get(), result));
  if (!direct) m.Unstage(result, m.in_h, m.in_w, dx, accumulate);
}

void Convolution::BackwardWeights(ConstTensor x, ConstTensor dy, float* dweights, float* dbias) {
  Impl& m = *impl_;
  const ConvGeometry& g = m.g;
  Scratch x_ext, x_half, dy_ext, dy_half;
  const void* in = m.Stage(x, m.in_h, m.in_w, x_ext, x_half);
  const void* grad = m.Stage(dy, m.out_h, m.out_w, dy_ext, dy_half);
  int64_t count = g.WeightCount();
  Scratch dw(m.Element() * count);
  const Choice& c = m.Choose(kFilter);
  Scratch workspace(c.workspace);
  const float one = 1.0f, zero = 0.0f;
  RB_CUDNN_CHECK(cudnnConvolutionBackwardFilter(
      cuda::CudnnHandle(), &one, m.x_desc.get(), in, m.y_desc.get(), grad, m.conv[kFilter],
      static_cast<cudnnConvolutionBwdFilterAlgo_t>(c.algo), workspace.get(), c.workspace, &zero,
      m.w_desc, dw.get()));
  Scratch wide;
  const float* ohwi = dw.get<float>();
  if (m.half) {
    wide = Scratch(sizeof(float) * count);
    cuda::FromHalf(dw.get<uint16_t>(), wide.get<float>(), count, m.bf16, false);
    ohwi = wide.get<float>();
  }
  cuda::UnpermuteFilter(ohwi, dweights, g.out_c, g.in_c / g.groups, g.kernel_h, g.kernel_w, true);
  if (dbias) cuda::ScaleBiasBackward(dy, dy, nullptr, Tensor{}, false, nullptr, dbias);
}

std::string Convolution::Algorithms() const {
  std::string out;
  for (int d = 0; d < 3; ++d) {
    if (impl_->choice[d].algo < 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} algo {} ({} workspace)", kDirectionNames[d], impl_->choice[d].algo,
                       cuda::FormatBytes(impl_->choice[d].workspace));
  }
  return out;
}

}  // namespace rb::kernels::cudnn
