// The oneDNN path against the reference kernels (the oracle) on random shapes: odd sizes,
// batches, strides, pads, dilation, groups; forward, backward data and backward weights.
#include <catch2/catch.hpp>

#include <vector>

#include "common/core/error.hpp"
#include "common/core/rng.hpp"
#include "roadbrew/kernels/onednn.hpp"

namespace rb::kernels {
namespace {

std::vector<float> Random(size_t count, uint64_t stream) {
  RandomStream random(17, stream);
  std::vector<float> out(count);
  for (float& v : out) v = static_cast<float>(random.Uniform(-1, 1));
  return out;
}

void CheckClose(const std::vector<float>& a, const std::vector<float>& b, float tolerance) {
  REQUIRE(a.size() == b.size());
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(1.0f, std::fabs(b[i])));
  }
  CHECK(worst <= tolerance);
}

ConvGeometry Geometry(int n, int c, int h, int w, int oc, int k, int stride, int pad, int pad_end,
                      int dilation, int groups) {
  ConvGeometry g;
  g.n = n;
  g.in_c = c;
  g.in_h = h;
  g.in_w = w;
  g.out_c = oc;
  g.kernel_h = g.kernel_w = k;
  g.stride_h = g.stride_w = stride;
  g.pad_top = g.pad_left = pad;
  g.pad_bottom = g.pad_right = pad_end;
  g.dilation_h = g.dilation_w = dilation;
  g.groups = groups;
  g.out_h = ConvGeometry::ConvOutput(h, k, stride, pad, pad_end, dilation);
  g.out_w = ConvGeometry::ConvOutput(w, k, stride, pad, pad_end, dilation);
  return g;
}

TEST_CASE("oneDNN convolutions match the reference kernels", "[kernels][onednn]") {
  if (!onednn::Available()) {
    CHECK_THROWS_AS(onednn::Convolution(Geometry(1, 1, 4, 4, 1, 3, 1, 1, 1, 1, 1), true), Error);
    return;
  }
  const ConvGeometry cases[] = {
      Geometry(2, 7, 13, 11, 5, 3, 1, 1, 1, 1, 1),    // odd sizes, batch 2
      Geometry(3, 16, 9, 10, 12, 3, 2, 1, 0, 1, 1),   // stride 2, asymmetric pad
      Geometry(1, 8, 12, 12, 8, 3, 1, 2, 2, 2, 1),    // dilation 2
      Geometry(2, 12, 7, 7, 6, 1, 1, 0, 0, 1, 3),     // 1x1, groups 3
      Geometry(2, 48, 16, 16, 12, 3, 1, 1, 1, 1, 1),  // a dense-block layer
  };
  uint64_t stream = 0;
  for (const ConvGeometry& g : cases) {
    INFO(g.ToString());
    size_t in = static_cast<size_t>(g.n) * g.in_c * g.in_h * g.in_w;
    size_t out = static_cast<size_t>(g.n) * g.out_c * g.out_h * g.out_w;
    auto x = Random(in, ++stream), w = Random(static_cast<size_t>(g.WeightCount()), ++stream);
    auto b = Random(static_cast<size_t>(g.out_c), ++stream), dy = Random(out, ++stream);
    ConstTensor xt = DenseTensor(x.data(), g.n, g.in_c, g.in_h, g.in_w);
    ConstTensor dyt = DenseTensor(dy.data(), g.n, g.out_c, g.out_h, g.out_w);
    onednn::Convolution conv(g, true);

    std::vector<float> y_ref(out), y_dnn(out);
    cpu::ConvolutionForward(g, xt, w.data(), b.data(),
                            DenseTensor(y_ref.data(), g.n, g.out_c, g.out_h, g.out_w));
    conv.Forward(xt, w.data(), b.data(), DenseTensor(y_dnn.data(), g.n, g.out_c, g.out_h, g.out_w));
    CheckClose(y_dnn, y_ref, 1e-4f);

    std::vector<float> dx_ref(in, 0.5f), dx_dnn(in, 0.5f);  // accumulate onto 0.5
    cpu::ConvolutionBackwardData(g, dyt, w.data(),
                                 DenseTensor(dx_ref.data(), g.n, g.in_c, g.in_h, g.in_w), true);
    conv.BackwardData(dyt, w.data(), DenseTensor(dx_dnn.data(), g.n, g.in_c, g.in_h, g.in_w), true);
    CheckClose(dx_dnn, dx_ref, 1e-4f);

    std::vector<float> dw_ref(w.size(), 0.25f), dw_dnn(w.size(), 0.25f), db_ref(b.size()),
        db_dnn(b.size());
    cpu::ConvolutionBackwardWeights(g, xt, dyt, dw_ref.data(), db_ref.data());
    conv.BackwardWeights(xt, dyt, dw_dnn.data(), db_dnn.data());
    CheckClose(dw_dnn, dw_ref, 1e-4f);
    CheckClose(db_dnn, db_ref, 1e-4f);
  }
}

TEST_CASE("oneDNN pooling matches the reference kernels", "[kernels][onednn]") {
  if (!onednn::Available()) return;
  PoolGeometry g;
  g.n = 2;
  g.c = 5;
  g.in_h = 9;
  g.in_w = 7;
  g.kernel_h = g.kernel_w = 3;
  g.stride_h = g.stride_w = 2;
  g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
  g.out_h = PoolGeometry::Output(9, 3, 2, 1, 1, false);
  g.out_w = PoolGeometry::Output(7, 3, 2, 1, 1, false);
  size_t in = 2 * 5 * 9 * 7, out = static_cast<size_t>(2 * 5 * g.out_h * g.out_w);
  auto x = Random(in, 50), dy = Random(out, 51);
  ConstTensor xt = DenseTensor(x.data(), 2, 5, 9, 7);
  ConstTensor dyt = DenseTensor(dy.data(), 2, 5, g.out_h, g.out_w);
  for (auto kind : {onednn::Pooling::Kind::kMax, onednn::Pooling::Kind::kAverage}) {
    onednn::Pooling pool(g, kind);
    std::vector<float> y_ref(out), y_dnn(out), dx_ref(in), dx_dnn(in);
    std::vector<int32_t> argmax(out);
    Tensor yr = DenseTensor(y_ref.data(), 2, 5, g.out_h, g.out_w);
    Tensor dxr = DenseTensor(dx_ref.data(), 2, 5, 9, 7);
    if (kind == onednn::Pooling::Kind::kMax) {
      cpu::MaxPoolForward(g, xt, yr, argmax.data());
      cpu::MaxPoolBackward(g, dyt, argmax.data(), dxr, false);
    } else {
      cpu::AvgPoolForward(g, xt, yr);
      cpu::AvgPoolBackward(g, dyt, dxr, false);
    }
    pool.Forward(xt, DenseTensor(y_dnn.data(), 2, 5, g.out_h, g.out_w));
    pool.Backward(dyt, DenseTensor(dx_dnn.data(), 2, 5, 9, 7), false);
    CheckClose(y_dnn, y_ref, 1e-5f);
    CheckClose(dx_dnn, dx_ref, 1e-5f);
  }
}

}  // namespace
}  // namespace rb::kernels
