// The CPU side of the shared-kernel contract (kernels/shared/launch.hpp): runs the functors the
// CUDA kernels run, on the OpenMP pool, so CPU tests check their arithmetic against the reference
// kernels. Sums use fixed row chunks combined in order: the same bytes for any thread count.
#pragma once

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "kernels/cpu/parallel.hpp"

namespace rb::kernels::cpu {

class HostLauncher {
 public:
  struct Buffer {
    std::unique_ptr<double[]> storage;  // double-aligned
    void* data = nullptr;
    size_t bytes = 0;
  };

  template <class F>
  void ForEach(int64_t count, const F& f) const {
    ParallelRanges(count, 4096, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) f(i);
    });
  }

  template <int K, class F>
  void Sum(int64_t rows, int cols, const F& f, double* out) const {
    Chunks chunks = Chunks::For(rows, 256);
    size_t width = static_cast<size_t>(cols) * K;
    std::vector<double> partial(static_cast<size_t>(chunks.count) * width, 0.0);
    ParallelChunks(rows, chunks, [&](int64_t k, int64_t begin, int64_t end) {
      double* sums = partial.data() + k * width;
      for (int64_t row = begin; row < end; ++row) {
        for (int col = 0; col < cols; ++col) f(row, col, sums + static_cast<size_t>(col) * K);
      }
    });
    std::fill(out, out + width, 0.0);
    for (int64_t k = 0; k < chunks.count; ++k) {
      for (size_t i = 0; i < width; ++i) out[i] += partial[k * width + i];
    }
  }

  Buffer Temp(size_t bytes) const {
    Buffer buffer;
    size_t words = (bytes + sizeof(double) - 1) / sizeof(double);
    buffer.storage = std::make_unique<double[]>(words == 0 ? 1 : words);  // value-initialised
    buffer.data = buffer.storage.get();
    buffer.bytes = bytes;
    return buffer;
  }
  void ToHost(void* host, const void* from, size_t bytes) const { std::memcpy(host, from, bytes); }
  void FromHost(void* to, const void* host, size_t bytes) const { std::memcpy(to, host, bytes); }
};

}  // namespace rb::kernels::cpu
