#include "common/nn/layers/crop_layer.hpp"

#include "common/nn/layer_options.hpp"
#include "kernels/cpu/parallel.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

void CropLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 2, 2, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  offset_ = ReadPair(options, "offset", {0, 0});
  options.Finish();
}

void CropLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  const Shape& in = bottom[0]->shape();
  const Shape& like = bottom[1]->shape();
  if (offset_.first < 0 || offset_.second < 0 || offset_.first + like.h > in.h ||
      offset_.second + like.w > in.w) {
    Fail(fmt::format("cannot crop {} to {} at offset ({}, {})", in.ToString(), like.ToString(),
                     offset_.first, offset_.second));
  }
  top[0]->SetShape({in.n, in.c, like.h, like.w});
}

namespace {
// Copies rows of channels between the cropped window of `big` and `small` (either direction).
template <class Copy>
void ForCroppedPixels(const Shape& small, int row0, int col0, Copy&& copy) {
  int64_t pixels = static_cast<int64_t>(small.n) * small.h * small.w;
  kernels::cpu::ParallelRanges(pixels, 256, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      int w = static_cast<int>(p % small.w), h = static_cast<int>(p / small.w % small.h);
      int n = static_cast<int>(p / (static_cast<int64_t>(small.w) * small.h));
      copy(n, h + row0, w + col0, p);
    }
  });
}
}  // namespace

void CropLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::ConstTensor in = bottom[0]->data();
  kernels::Tensor out = top[0]->mutable_data();
  ForCroppedPixels(top[0]->shape(), offset_.first, offset_.second,
                   [&](int n, int h, int w, int64_t p) {
                     const float* from = &in.at(n, 0, h, w);
                     std::copy(from, from + in.c, out.pixel(p));
                   });
}

void CropLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                         const RunState&) {
  if (!flags.propagate[0]) return;
  kernels::Tensor dx = bottom[0]->mutable_diff();
  if (!flags.accumulate[0]) {
    kernels::cpu::ParallelRanges(dx.pixels(), 1024, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) std::fill(dx.pixel(p), dx.pixel(p) + dx.c, 0.0f);
    });
  }
  kernels::ConstTensor dy = top[0]->diff();
  ForCroppedPixels(top[0]->shape(), offset_.first, offset_.second,
                   [&](int n, int h, int w, int64_t p) {
                     float* to = &dx.at(n, 0, h, w);
                     const float* from = dy.pixel(p);
                     for (int c = 0; c < dx.c; ++c) to[c] += from[c];
                   });
}

void CropLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  kernels::cuda::CropWindow(bottom[0]->gpu_data(), top[0]->gpu_mutable_data(), offset_.first,
                            offset_.second, false);
}

void CropLayer::BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                            const RunState&) {
  if (!flags.propagate[0]) return;
  kernels::cuda::PlaceWindow(top[0]->gpu_diff(), bottom[0]->gpu_mutable_diff(), offset_.first,
                             offset_.second, flags.accumulate[0]);
}

}  // namespace rb::nn
