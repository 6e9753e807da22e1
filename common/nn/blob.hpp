// Blobs: the engine's tensors. An activation blob has a logical shape (N, C, H, W) stored NHWC
// (channels last, see kernels/tensor.hpp), data and diff (gradient) alike. A blob may own its
// memory, or view a channel range of another blob's memory (a dense block's shared stack, where
// each layer writes its new channels in place), or share a scratch buffer with other blobs.
// Parameter blobs use the same class as flat arrays in their own order (weights OIHW).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "roadbrew/kernels/tensor.hpp"

namespace rb::nn {

struct Shape {
  int n = 1, c = 1, h = 1, w = 1;
  int64_t count() const { return static_cast<int64_t>(n) * c * h * w; }
  std::string ToString() const;  // "(2, 48, 224, 224)"
  friend bool operator==(const Shape&, const Shape&) = default;
};

// Floats on the host and/or a CUDA device, copied to where they are needed on first use
// (Caffe's SyncedMemory). Memory is zero-initialised and taken only on first use, so a blob
// whose gradient is never computed (inputs, inference) costs nothing. Large host buffers are
// fresh anonymous mappings: the kernel's zero pages, resident only once written.
class SyncedMemory {
 public:
  explicit SyncedMemory(int64_t count);
  ~SyncedMemory();
  SyncedMemory(const SyncedMemory&) = delete;
  SyncedMemory& operator=(const SyncedMemory&) = delete;

  int64_t count() const { return count_; }
  const float* host();
  float* mutable_host();
  const float* device();
  float* mutable_device();

 private:
  enum class Head { kUninitialized, kHost, kDevice, kSynced };
  void ToHost();
  void ToDevice();
  size_t bytes() const { return static_cast<size_t>(count_) * sizeof(float); }

  int64_t count_;
  float* host_ = nullptr;
  size_t host_bytes_ = 0;  // the size of host_'s mapping or allocation
  float* device_ = nullptr;
  Head head_ = Head::kUninitialized;
};

class Blob {
 public:
  Blob() = default;
  explicit Blob(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  const Shape& shape() const { return shape_; }
  int64_t count() const { return shape_.count(); }

  // Sets the shape; memory is assigned later (Allocate, ViewChannels or ShareScratch).
  void SetShape(const Shape& shape) { shape_ = shape; }
  // Own dense memory for the current shape (reused when large enough).
  void Allocate();
  // Channels [offset, offset + shape().c) of `root`'s memory; root has the same N, H, W.
  void ViewChannels(const Blob& root, int offset);
  // Dense data and diff in memory shared with other blobs (the caller sizes it).
  void ShareMemory(std::shared_ptr<SyncedMemory> data, std::shared_ptr<SyncedMemory> diff);
  bool allocated() const { return data_ != nullptr; }
  bool is_view() const { return view_; }
  int channel_offset() const { return offset_; }
  int64_t stride() const { return stride_; }
  bool dense() const { return stride_ == shape_.c; }
  const SyncedMemory* storage() const { return data_.get(); }

  // Kernel views on the host. Dense blobs can also be read as flat arrays.
  kernels::ConstTensor data() const;
  kernels::Tensor mutable_data();
  kernels::ConstTensor diff() const;
  kernels::Tensor mutable_diff();
  const float* flat_data() const;
  float* mutable_flat_data();
  const float* flat_diff() const;
  float* mutable_flat_diff();

  // Kernel views on the CUDA device (the same shapes and strides as the host views). Reading
  // copies from the host if the host holds the newer values; writing marks the device's newer.
  kernels::ConstTensor gpu_data() const;
  kernels::Tensor gpu_mutable_data();
  kernels::ConstTensor gpu_diff() const;
  kernels::Tensor gpu_mutable_diff();
  // Flat device pointers (dense blobs only).
  const float* device_data() const;
  float* mutable_device_data();
  const float* device_diff() const;
  float* mutable_device_diff();

 private:
  kernels::Tensor View(float* base) const;

  std::string name_;
  Shape shape_;
  std::shared_ptr<SyncedMemory> data_, diff_;
  int offset_ = 0;      // channel offset within the memory's pixels
  int64_t stride_ = 0;  // floats between pixels
  bool view_ = false;
};

}  // namespace rb::nn
