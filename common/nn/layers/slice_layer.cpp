#include "common/nn/layers/slice_layer.hpp"

#include "common/nn/layer_options.hpp"

namespace rb::nn {

void SliceLayer::SetUp(const Blobs& bottom, const Blobs& top, const BuildContext&) {
  ExpectBlobs(bottom, top, 1, 1, 1, 1024);
  io::ConfigReader options = OptionsReader(spec_);
  points_ = options.Get<std::vector<int>>("slice_point", {});
  resolved_ = points_;
  int axis = options.Get<int>("axis", 1);
  options.Finish();
  if (axis != 1) Fail("Slice supports the channel axis (1) only");
  if (points_.size() + 1 != top.size()) {
    Fail(fmt::format("{} slice points make {} tops, not {}", points_.size(), points_.size() + 1,
                     top.size()));
  }
}

void SliceLayer::Reshape(const Blobs& bottom, const Blobs& top) {
  const Shape& in = bottom[0]->shape();
  int previous = 0;
  for (size_t i = 0; i < top.size(); ++i) {
    // A negative point counts from the end: a dense block's new features are its last L k.
    int end = i < points_.size() ? (points_[i] < 0 ? in.c + points_[i] : points_[i]) : in.c;
    if (i < points_.size()) resolved_[i] = end;
    if (end <= previous || end > in.c) {
      Fail(fmt::format("slice points must increase within 1..{}", in.c - 1));
    }
    top[i]->SetShape({in.n, end - previous, in.h, in.w});
    previous = end;
  }
}

}  // namespace rb::nn
