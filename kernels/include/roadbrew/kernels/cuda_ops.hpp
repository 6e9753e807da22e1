// CUDA device memory, device-neutral: the CUDA build implements these in cuda/, a build without
// CUDA links cuda_stub.cpp, where each throws Error(kUnsupported). Every CUDA status is checked
// and reported as an rb::Error naming the call and the status.
//
// Memory comes from a caching allocator (as PyTorch's and Caffe2's): freed blocks are kept per
// device and handed out again, so a training loop does not call cudaMalloc per iteration. Work
// is ordered on one stream per device (the calling thread's current device, 0 unless set), so
// a block returned to the cache may be reused at once by the next request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rb::kernels::cuda {

// Makes `device` the calling thread's device (multi-GPU training runs one thread per device).
void SetDevice(int device);

// `bytes` of device memory (uninitialised). When the device is full the allocator releases its
// cache and retries; if that fails too it throws kNumerical with the requested size, the bytes
// in use and cached by this process, and the device's free and total memory.
void* Allocate(size_t bytes);
void Free(void* device) noexcept;  // back to the cache; null is ignored

struct MemoryStats {
  size_t in_use = 0;       // bytes handed out and not freed
  size_t cached = 0;       // bytes held by the allocator, in use or free
  size_t peak_in_use = 0;  // since the last ResetPeakMemory
  size_t peak_cached = 0;
  int64_t device_mallocs = 0;  // cudaMalloc calls so far (a steady training loop adds none)
};
MemoryStats GetMemoryStats();  // of the current device
void ResetPeakMemory();
// Gives every free cached block back to the driver (cudaFree).
void ReleaseCachedMemory();
// "1.5 MiB", "2.00 GiB": sizes in messages.
std::string FormatBytes(size_t bytes);

// Ordered on the device's stream; CopyToHost waits for the copy (and all earlier work).
void CopyToDevice(void* device, const void* host, size_t bytes);
void CopyToHost(void* host, const void* device, size_t bytes);
void CopyDeviceToDevice(void* to, const void* from, size_t bytes);
void Fill(float* device, float value, int64_t count);
// Waits for the device's queued work; errors of asynchronous kernels surface here, named.
void Synchronize();

// Owned device bytes from the caching allocator (masks, argmax indices, per-layer state).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  ~DeviceBuffer() { Free(data_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  // At least `bytes`; the contents are lost when it grows.
  void Reserve(size_t bytes) {
    if (bytes <= bytes_ && data_ != nullptr) return;
    Free(data_);
    data_ = nullptr;
    data_ = Allocate(bytes);
    bytes_ = bytes;
  }
  template <class T>
  T* as() const {
    return static_cast<T*>(data_);
  }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace rb::kernels::cuda
