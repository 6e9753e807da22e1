#include "common/nn/layers/concat_layer.hpp"

#include "common/nn/layer_options.hpp"
#include "roadbrew/kernels/elementwise.hpp"

namespace rb::nn {

void ConcatLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 1, 1024, 1, 1);
  io::ConfigReader options = OptionsReader(spec_);
  int axis = options.Get<int>("axis", 1);
  options.Finish();
  if (axis != 1) Fail("Concat supports the channel axis (1) only");
}

void ConcatLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  Shape shape = bottom[0]->shape();
  shape.c = 0;
  for (const Blob* b : bottom) {
    const Shape& s = b->shape();
    if (s.n != shape.n || s.h != shape.h || s.w != shape.w) {
      Fail(fmt::format("cannot concatenate {} with {}: N, H and W must match",
                       bottom[0]->shape().ToString(), s.ToString()));
    }
    shape.c += s.c;
  }
  top[0]->SetShape(shape);
}

bool ConcatLayer::InPlace(const Blob& bottom, const Blob& top, int channel_offset) {
  return bottom.storage() == top.storage() && bottom.stride() == top.stride() &&
         bottom.channel_offset() == top.channel_offset() + channel_offset;
}

void ConcatLayer::Forward(const Blobs& bottom, const Blobs& top, const RunState&) {
  int offset = 0;
  for (Blob* b : bottom) {
    if (!InPlace(*b, *top[0], offset)) {
      kernels::Tensor slice = top[0]->mutable_data();
      slice.data += offset;
      slice.c = b->shape().c;
      kernels::cpu::Copy(b->data(), slice, false);
    }
    offset += b->shape().c;
  }
}

void ConcatLayer::Backward(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                           const RunState&) {
  int offset = 0;
  for (size_t i = 0; i < bottom.size(); ++i) {
    Blob* b = bottom[i];
    // In place, the bottom's gradient already is its range of the top's gradient.
    if (flags.propagate[i] && !InPlace(*b, *top[0], offset)) {
      kernels::ConstTensor slice = top[0]->diff();
      slice.data += offset;
      slice.c = b->shape().c;
      kernels::cpu::Copy(slice, b->mutable_diff(), flags.accumulate[i]);
    }
    offset += b->shape().c;
  }
}

void ConcatLayer::ForwardGpu(const Blobs& bottom, const Blobs& top, const RunState&) {
  int offset = 0;
  for (Blob* b : bottom) {
    if (!InPlace(*b, *top[0], offset)) {
      kernels::Tensor slice = top[0]->gpu_mutable_data();
      slice.data += offset;
      slice.c = b->shape().c;
      kernels::cuda::Copy(b->gpu_data(), slice, false);
    }
    offset += b->shape().c;
  }
}

void ConcatLayer::BackwardGpu(const Blobs& top, const Blobs& bottom, const BackwardFlags& flags,
                              const RunState&) {
  int offset = 0;
  for (size_t i = 0; i < bottom.size(); ++i) {
    Blob* b = bottom[i];
    if (flags.propagate[i] && !InPlace(*b, *top[0], offset)) {
      kernels::ConstTensor slice = top[0]->gpu_diff();
      slice.data += offset;
      slice.c = b->shape().c;
      kernels::cuda::Copy(slice, b->gpu_mutable_diff(), flags.accumulate[i]);
    }
    offset += b->shape().c;
  }
}

}  // namespace rb::nn
