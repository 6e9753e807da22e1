// RAII cuDNN descriptors for NHWC views (strides describe channel slices), and the scratch
// buffers the wrappers stage data in.
#pragma once

#include <cudnn.h>

#include <cstdint>
#include <utility>

#include "kernels/cuda/library_check.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/tensor.hpp"

namespace rb::kernels::cuda {

class TensorDescriptor {
 public:
  TensorDescriptor() { RB_CUDNN_CHECK(cudnnCreateTensorDescriptor(&desc_)); }
  ~TensorDescriptor() { cudnnDestroyTensorDescriptor(desc_); }
  TensorDescriptor(const TensorDescriptor&) = delete;
  TensorDescriptor& operator=(const TensorDescriptor&) = delete;

  // (n, c, h, w) with pixels `stride` elements apart (NHWC; stride == c when dense).
  void Set(int n, int c, int h, int w, int64_t stride, cudnnDataType_t type = CUDNN_DATA_FLOAT) {
    RB_CUDNN_CHECK(
        cudnnSetTensor4dDescriptorEx(desc_, type, n, c, h, w, static_cast<int>(stride * h * w), 1,
                                     static_cast<int>(stride * w), static_cast<int>(stride)));
  }
  template <class T>
  void Set(const TensorT<T>& view) {
    Set(view.n, view.c, view.h, view.w, view.stride);
  }
  // Per-channel parameters (1, c, 1, 1).
  void SetChannels(int c) {
    RB_CUDNN_CHECK(
        cudnnSetTensor4dDescriptor(desc_, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, c, 1, 1));
  }
  cudnnTensorDescriptor_t get() const { return desc_; }

 private:
  cudnnTensorDescriptor_t desc_ = nullptr;
};

// Device scratch from the caching allocator, returned on destruction.
class Scratch {
 public:
  Scratch() = default;
  explicit Scratch(size_t bytes) : data_(bytes > 0 ? Allocate(bytes) : nullptr) {}
  ~Scratch() { Free(data_); }
  Scratch(Scratch&& other) noexcept : data_(other.data_) { other.data_ = nullptr; }
  Scratch& operator=(Scratch&& other) noexcept {
    std::swap(data_, other.data_);
    return *this;
  }
  template <class T = void>
  T* get() const {
    return static_cast<T*>(data_);
  }

 private:
  void* data_ = nullptr;
};

}  // namespace rb::kernels::cuda
