// oneDNN pooling on dense NHWC activations; max pooling keeps oneDNN's workspace (the positions
// of the maxima) between forward and backward.
#include <dnnl.hpp>

#include <vector>

#include "common/core/check.hpp"
#include "kernels/cpu/parallel.hpp"
#include "roadbrew/kernels/onednn.hpp"

namespace rb::kernels::onednn {
namespace {
dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}
}  // namespace

struct Pooling::Impl {
  PoolGeometry g;
  Kind kind;
  dnnl::memory::desc src_md, dst_md;
  dnnl::pooling_forward::primitive_desc forward_pd;
  dnnl::pooling_backward::primitive_desc backward_pd;
  dnnl::pooling_forward forward;
  dnnl::pooling_backward backward;
  dnnl::memory workspace;
  std::vector<float> scratch;
  dnnl::stream stream{Engine()};
};

Pooling::Pooling(const PoolGeometry& g, Kind kind) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.g = g;
  s.kind = kind;
  using tag = dnnl::memory::format_tag;
  s.src_md =
      dnnl::memory::desc({g.n, g.c, g.in_h, g.in_w}, dnnl::memory::data_type::f32, tag::nhwc);
  s.dst_md =
      dnnl::memory::desc({g.n, g.c, g.out_h, g.out_w}, dnnl::memory::data_type::f32, tag::nhwc);
  auto algorithm = kind == Kind::kMax ? dnnl::algorithm::pooling_max
                                      : dnnl::algorithm::pooling_avg_exclude_padding;
  dnnl::memory::dims strides{g.stride_h, g.stride_w}, kernel{g.kernel_h, g.kernel_w};
  dnnl::memory::dims pad_l{g.pad_top, g.pad_left}, pad_r{g.pad_bottom, g.pad_right};
  auto forward_desc =
      dnnl::pooling_forward::desc(dnnl::prop_kind::forward_training, algorithm, s.src_md, s.dst_md,
                                  strides, kernel, pad_l, pad_r);
  s.forward_pd = dnnl::pooling_forward::primitive_desc(forward_desc, Engine());
  auto backward_desc =
      dnnl::pooling_backward::desc(algorithm, s.src_md, s.dst_md, strides, kernel, pad_l, pad_r);
  s.backward_pd = dnnl::pooling_backward::primitive_desc(backward_desc, Engine(), s.forward_pd);
  s.forward = dnnl::pooling_forward(s.forward_pd);
  s.backward = dnnl::pooling_backward(s.backward_pd);
  if (kind == Kind::kMax) s.workspace = dnnl::memory(s.forward_pd.workspace_desc(), Engine());
}

Pooling::~Pooling() = default;

void Pooling::Forward(ConstTensor x, Tensor y) {
  Impl& s = *impl_;
  RB_CHECK_ARG(x.dense() && y.dense(), "oneDNN pooling needs dense tensors");
  dnnl::memory src(s.src_md, Engine(), const_cast<float*>(x.data));
  dnnl::memory dst(s.dst_md, Engine(), y.data);
  std::unordered_map<int, dnnl::memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
  if (s.kind == Kind::kMax) args[DNNL_ARG_WORKSPACE] = s.workspace;
  s.forward.execute(s.stream, args);
  s.stream.wait();
}

void Pooling::Backward(ConstTensor dy, Tensor dx, bool accumulate) {
  Impl& s = *impl_;
  RB_CHECK_ARG(dy.dense() && dx.dense(), "oneDNN pooling needs dense tensors");
  float* target = dx.data;
  if (accumulate) {
    s.scratch.resize(static_cast<size_t>(dx.count()));
    target = s.scratch.data();
  }
  dnnl::memory diff_dst(s.dst_md, Engine(), const_cast<float*>(dy.data));
  dnnl::memory diff_src(s.src_md, Engine(), target);
  std::unordered_map<int, dnnl::memory> args = {{DNNL_ARG_DIFF_DST, diff_dst},
                                                {DNNL_ARG_DIFF_SRC, diff_src}};
  if (s.kind == Kind::kMax) args[DNNL_ARG_WORKSPACE] = s.workspace;
  s.backward.execute(s.stream, args);
  s.stream.wait();
  if (accumulate) {
    cpu::ParallelRanges(dx.count(), 1 << 14, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) dx.data[i] += target[i];
    });
  }
}

}  // namespace rb::kernels::onednn
