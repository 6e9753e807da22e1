// The CUDA side of the shared-kernel contract (kernels/shared/launch.hpp): grid-stride kernels
// for ForEach, and for Sum a two-pass reduction whose grid depends only on the problem size, so
// sums repeat bit for bit on any GPU (no atomics). Everything runs on the thread's stream.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/cuda/check.hpp"
#include "kernels/cuda/stream.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"

namespace rb::kernels::cuda {

template <class F>
__global__ void ForEachKernel(int64_t count, F f) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count;
       i += int64_t{blockDim.x} * gridDim.x) {
    f(i);
  }
}

// Pass 1: block (x: columns, y: a fixed share of the rows) reduces its threads' sums in shared
// memory in a fixed tree order and writes one partial per column.
template <int K, class F>
__global__ void SumPartialKernel(int64_t rows, int cols, F f, double* partial) {
  extern __shared__ double shared[];
  const int col = blockIdx.x * blockDim.x + threadIdx.x;
  double acc[K];
  for (int k = 0; k < K; ++k) acc[k] = 0.0;
  if (col < cols) {
    for (int64_t row = blockIdx.y * int64_t{blockDim.y} + threadIdx.y; row < rows;
         row += int64_t{blockDim.y} * gridDim.y) {
      f(row, col, acc);
    }
  }
  double* mine = shared + (threadIdx.y * blockDim.x + threadIdx.x) * K;
  for (int k = 0; k < K; ++k) mine[k] = acc[k];
  __syncthreads();
  for (unsigned stride = blockDim.y / 2; stride > 0; stride /= 2) {
    if (threadIdx.y < stride) {
      const double* other = shared + ((threadIdx.y + stride) * blockDim.x + threadIdx.x) * K;
      for (int k = 0; k < K; ++k) mine[k] += other[k];
    }
    __syncthreads();
  }
  if (threadIdx.y == 0 && col < cols) {
    for (int k = 0; k < K; ++k) partial[(int64_t{blockIdx.y} * cols + col) * K + k] = mine[k];
  }
}

// Pass 2: each output adds its partials in block order.
__global__ inline void SumFinalKernel(int parts, int width, const double* partial, double* out) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= width) return;
  double sum = 0.0;
  for (int p = 0; p < parts; ++p) sum += partial[int64_t{p} * width + i];
  out[i] = sum;
}

void CheckLaunch(const char* kernel);

class CudaLauncher {
 public:
  // Device scratch from the caching allocator, returned when the Buffer goes out of scope
  // (safe at once: later users are queued on the same stream).
  struct Buffer {
    Buffer() = default;
    Buffer(Buffer&& other) noexcept : data(other.data), bytes(other.bytes) { other.data = nullptr; }
    Buffer& operator=(Buffer&&) = delete;
    ~Buffer() { Free(data); }
    void* data = nullptr;
    size_t bytes = 0;
  };

  static constexpr int kThreads = 256;

  template <class F>
  void ForEach(int64_t count, const F& f) const {
    if (count <= 0) return;
    int blocks = static_cast<int>(std::min<int64_t>((count + kThreads - 1) / kThreads, 65535));
    ForEachKernel<<<blocks, kThreads, 0, Stream()>>>(count, f);
    CheckLaunch("ForEachKernel");
  }

  template <int K, class F>
  void Sum(int64_t rows, int cols, const F& f, double* out) const {
    int bx = 1;
    while (bx < cols && bx < 32) bx *= 2;
    int by = kThreads / bx;
    int parts = static_cast<int>(std::clamp<int64_t>((rows + by * 32 - 1) / (by * 32), 1, 256));
    dim3 grid((cols + bx - 1) / bx, parts);
    Buffer partial = Temp(sizeof(double) * K * static_cast<size_t>(cols) * parts);
    size_t shared = sizeof(double) * K * kThreads;
    SumPartialKernel<K><<<grid, dim3(bx, by), shared, Stream()>>>(
        rows, cols, f, static_cast<double*>(partial.data));
    CheckLaunch("SumPartialKernel");
    int width = cols * K;
    SumFinalKernel<<<(width + kThreads - 1) / kThreads, kThreads, 0, Stream()>>>(
        parts, width, static_cast<const double*>(partial.data), out);
    CheckLaunch("SumFinalKernel");
  }

  Buffer Temp(size_t bytes) const {
    Buffer buffer;
    buffer.data = Allocate(bytes == 0 ? 1 : bytes);
    buffer.bytes = bytes;
    RB_CUDA_CHECK(cudaMemsetAsync(buffer.data, 0, bytes, Stream()));
    return buffer;
  }
  void ToHost(void* host, const void* from, size_t bytes) const { CopyToHost(host, from, bytes); }
  void FromHost(void* to, const void* host, size_t bytes) const { CopyToDevice(to, host, bytes); }
};

}  // namespace rb::kernels::cuda
