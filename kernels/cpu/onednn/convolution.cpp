// oneDNN 2.x convolution primitives (desc -> primitive_desc API) on dense NHWC activations.
#include <dnnl.hpp>

#include <vector>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"
#include "roadbrew/kernels/onednn.hpp"

namespace rb::kernels::onednn {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

void CheckDense(ConstTensor t, const char* what) {
  RB_CHECK_ARG(t.dense(), "oneDNN {} must be a dense tensor, got a channel slice", what);
}

// dst (+)= src over `count` floats.
void AddOrCopy(const float* src, float* dst, int64_t count, bool accumulate) {
  cpu::ParallelRanges(count, 1 << 14, [&](int64_t begin, int64_t end) {
    if (accumulate) {
      for (int64_t i = begin; i < end; ++i) dst[i] += src[i];
    } else {
      std::copy(src + begin, src + end, dst + begin);
    }
  });
}

}  // namespace

bool Available() { return true; }

struct Convolution::Impl {
  ConvGeometry g;
  bool bias;
  dnnl::memory::desc src_md, dst_md, weights_plain_md, bias_md;
  dnnl::convolution_forward::primitive_desc forward_pd;
  dnnl::convolution_backward_data::primitive_desc data_pd;
  dnnl::convolution_backward_weights::primitive_desc weights_pd;
  dnnl::convolution_forward forward;
  dnnl::convolution_backward_data backward_data;
  dnnl::convolution_backward_weights backward_weights;
  dnnl::memory forward_weights, data_weights, diff_weights, diff_bias;
  std::vector<float> scratch;  // backward results that must be added, not written
  dnnl::stream stream{Engine()};

  // Reorders our OIHW weights into `target` (oneDNN's preferred layout for one primitive).
  void LoadWeights(const float* weights, dnnl::memory& target) {
    dnnl::memory plain(weights_plain_md, Engine(), const_cast<float*>(weights));
    dnnl::reorder(plain, target).execute(stream, plain, target);
  }
};

Convolution::Convolution(const ConvGeometry& g, bool bias) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.g = g;
  s.bias = bias;
  RB_CHECK_ARG(g.in_c % g.groups == 0 && g.out_c % g.groups == 0,
               "channels must divide into groups: {}", g.ToString());
  dnnl::memory::dims src{g.n, g.in_c, g.in_h, g.in_w}, dst{g.n, g.out_c, g.out_h, g.out_w};
  dnnl::memory::dims weights = g.groups == 1
                                   ? dnnl::memory::dims{g.out_c, g.in_c, g.kernel_h, g.kernel_w}
                                   : dnnl::memory::dims{g.groups, g.out_c / g.groups,
                                                        g.in_c / g.groups, g.kernel_h, g.kernel_w};
  dnnl::memory::dims strides{g.stride_h, g.stride_w};
  dnnl::memory::dims dilation{g.dilation_h - 1, g.dilation_w - 1};  // oneDNN: 0 = dense
  dnnl::memory::dims pad_l{g.pad_top, g.pad_left}, pad_r{g.pad_bottom, g.pad_right};
  s.src_md = dnnl::memory::desc(src, dt::f32, tag::nhwc);
  s.dst_md = dnnl::memory::desc(dst, dt::f32, tag::nhwc);
  s.weights_plain_md = dnnl::memory::desc(weights, dt::f32, g.groups == 1 ? tag::oihw : tag::goihw);
  dnnl::memory::desc weights_any(weights, dt::f32, tag::any);
  s.bias_md = dnnl::memory::desc({g.out_c}, dt::f32, tag::x);
  dnnl::memory::desc no_bias;

  auto forward_desc = dnnl::convolution_forward::desc(
      dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, s.src_md, weights_any,
      bias ? s.bias_md : no_bias, s.dst_md, strides, dilation, pad_l, pad_r);
  s.forward_pd = dnnl::convolution_forward::primitive_desc(forward_desc, Engine());
  auto data_desc =
      dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, s.src_md,
                                            weights_any, s.dst_md, strides, dilation, pad_l, pad_r);
  s.data_pd = dnnl::convolution_backward_data::primitive_desc(data_desc, Engine(), s.forward_pd);
  auto weights_desc = dnnl::convolution_backward_weights::desc(
      dnnl::algorithm::convolution_direct, s.src_md, weights_any, bias ? s.bias_md : no_bias,
      s.dst_md, strides, dilation, pad_l, pad_r);
  s.weights_pd =
      dnnl::convolution_backward_weights::primitive_desc(weights_desc, Engine(), s.forward_pd);
  s.forward = dnnl::convolution_forward(s.forward_pd);
  s.backward_data = dnnl::convolution_backward_data(s.data_pd);
  s.backward_weights = dnnl::convolution_backward_weights(s.weights_pd);
  s.forward_weights = dnnl::memory(s.forward_pd.weights_desc(), Engine());
  s.data_weights = dnnl::memory(s.data_pd.weights_desc(), Engine());
  s.diff_weights = dnnl::memory(s.weights_pd.diff_weights_desc(), Engine());
  if (bias) s.diff_bias = dnnl::memory(s.bias_md, Engine());
}

Convolution::~Convolution() = default;

std::string Convolution::Implementation() const { return impl_->forward_pd.impl_info_str(); }

void Convolution::Forward(ConstTensor x, const float* weights, const float* bias, Tensor y) {
  Impl& s = *impl_;
  CheckDense(x, "convolution input");
  CheckDense(y, "convolution output");
  s.LoadWeights(weights, s.forward_weights);
  dnnl::memory src(s.src_md, Engine(), const_cast<float*>(x.data));
  dnnl::memory dst(s.dst_md, Engine(), y.data);
  std::unordered_map<int, dnnl::memory> args = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, s.forward_weights}, {DNNL_ARG_DST, dst}};
  if (s.bias) args[DNNL_ARG_BIAS] = dnnl::memory(s.bias_md, Engine(), const_cast<float*>(bias));
  s.forward.execute(s.stream, args);
  s.stream.wait();
}

void Convolution::BackwardData(ConstTensor dy, const float* weights, Tensor dx, bool accumulate) {
  Impl& s = *impl_;
  CheckDense(dy, "output gradient");
  CheckDense(dx, "input gradient");
  s.LoadWeights(weights, s.data_weights);
  float* target = dx.data;
  if (accumulate) {
    s.scratch.resize(static_cast<size_t>(dx.count()));
    target = s.scratch.data();
  }
  dnnl::memory diff_dst(s.dst_md, Engine(), const_cast<float*>(dy.data));
  dnnl::memory diff_src(s.src_md, Engine(), target);
  s.backward_data.execute(s.stream, {{DNNL_ARG_DIFF_DST, diff_dst},
                                     {DNNL_ARG_WEIGHTS, s.data_weights},
                                     {DNNL_ARG_DIFF_SRC, diff_src}});
  s.stream.wait();
  if (accumulate) AddOrCopy(target, dx.data, dx.count(), true);
}

void Convolution::BackwardWeights(ConstTensor x, ConstTensor dy, float* dweights, float* dbias) {
  Impl& s = *impl_;
  CheckDense(x, "convolution input");
  CheckDense(dy, "output gradient");
  dnnl::memory src(s.src_md, Engine(), const_cast<float*>(x.data));
  dnnl::memory diff_dst(s.dst_md, Engine(), const_cast<float*>(dy.data));
  std::unordered_map<int, dnnl::memory> args = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_DIFF_WEIGHTS, s.diff_weights}};
  if (s.bias) args[DNNL_ARG_DIFF_BIAS] = s.diff_bias;
  s.backward_weights.execute(s.stream, args);
  // Back to OIHW, then added: parameter gradients accumulate over iter_size.
  int64_t count = s.g.WeightCount();
  s.scratch.resize(static_cast<size_t>(count));
  dnnl::memory plain(s.weights_plain_md, Engine(), s.scratch.data());
  dnnl::reorder(s.diff_weights, plain).execute(s.stream, s.diff_weights, plain);
  s.stream.wait();
  AddOrCopy(s.scratch.data(), dweights, count, true);
  if (s.bias && dbias) {
    const float* db = static_cast<const float*>(s.diff_bias.get_data_handle());
    for (int o = 0; o < s.g.out_c; ++o) dbias[o] += db[o];
  }
}

}  // namespace rb::kernels::onednn
