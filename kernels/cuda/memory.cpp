// The caching device allocator. Requests are rounded up (512 bytes below 1 MiB, 2 MiB above) and
// served best-fit from the device's free blocks; a block is reused for a request when it is at
// most a quarter (or 2 MiB) larger, so a few big buffers are not eaten by small requests.
// Blocks are never split, so memory that a training loop frees each iteration comes back in the
// sizes it asks for the next time.
#include <cuda_runtime_api.h>

#include <map>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "kernels/cuda/check.hpp"
#include "kernels/cuda/stream.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"

namespace rb::kernels::cuda {
namespace {

constexpr size_t kSmall = size_t{1} << 20;
constexpr size_t kSmallRound = 512;
constexpr size_t kLargeRound = size_t{2} << 20;

size_t RoundUp(size_t bytes) {
  size_t unit = bytes < kSmall ? kSmallRound : kLargeRound;
  return (std::max<size_t>(bytes, 1) + unit - 1) / unit * unit;
}

struct Block {
  size_t size;
  int device;
};

class CachingAllocator {
 public:
  void* Allocate(size_t bytes) {
    int device = CurrentDevice();
    size_t size = RoundUp(bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    DeviceStats& stats = stats_[device];
    void* block = TakeCached(device, size);
    if (block == nullptr) block = Malloc(device, size, bytes, stats);
    used_[block] = {size_of_[block], device};
    stats.in_use += size_of_[block];
    stats.peak_in_use = std::max(stats.peak_in_use, stats.in_use);
    return block;
  }

  void Free(void* block) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = used_.find(block);
    if (it == used_.end()) return;  // not ours: ignore rather than corrupt the cache
    stats_[it->second.device].in_use -= it->second.size;
    free_[it->second.device].emplace(it->second.size, block);
    used_.erase(it);
  }

  void ReleaseCache(int device) {
    std::lock_guard<std::mutex> lock(mutex_);
    ReleaseLocked(device);
  }

  MemoryStats Stats(int device) {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_[device];
  }
  void ResetPeak(int device) {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_[device].peak_in_use = stats_[device].in_use;
    stats_[device].peak_cached = stats_[device].cached;
  }

 private:
  using DeviceStats = MemoryStats;

  void* TakeCached(int device, size_t size) {
    auto& blocks = free_[device];
    auto it = blocks.lower_bound(size);
    if (it == blocks.end() || it->first > size + std::max(size / 4, kLargeRound)) return nullptr;
    void* block = it->second;
    blocks.erase(it);
    return block;
  }

  void* Malloc(int device, size_t size, size_t requested, DeviceStats& stats) {
    void* block = nullptr;
    cudaError_t status = cudaMalloc(&block, size);
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      ReleaseLocked(device);  // free cached blocks to the driver, then try once more
      status = cudaMalloc(&block, size);
    }
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      size_t free = 0, total = 0;
      cudaMemGetInfo(&free, &total);
      Throw(ErrorCode::kNumerical,
            "CUDA out of memory on device {}: cannot allocate {}; this process holds {} in use "
            "({} cached), the device has {} free of {}",
            device, FormatBytes(requested), FormatBytes(stats.in_use), FormatBytes(stats.cached),
            FormatBytes(free), FormatBytes(total));
    }
    if (status != cudaSuccess) {
      cudaGetLastError();
      Throw(ErrorCode::kUnsupported, "cudaMalloc of {} on device {} failed: {} ({})",
            FormatBytes(requested), device, cudaGetErrorString(status), cudaGetErrorName(status));
    }
    size_of_[block] = size;
    stats.cached += size;
    stats.peak_cached = std::max(stats.peak_cached, stats.cached);
    ++stats.device_mallocs;
    return block;
  }

  void ReleaseLocked(int device) {
    auto& blocks = free_[device];
    if (!blocks.empty()) cudaStreamSynchronize(Stream());  // queued kernels may still use them
    for (auto& [size, block] : blocks) {
      cudaFree(block);
      size_of_.erase(block);
      stats_[device].cached -= size;
    }
    blocks.clear();
  }

  std::mutex mutex_;
  std::unordered_map<int, std::multimap<size_t, void*>> free_;
  std::unordered_map<void*, Block> used_;
  std::unordered_map<void*, size_t> size_of_;  // every block we hold, by its cudaMalloc size
  std::unordered_map<int, DeviceStats> stats_;
};

// Never destroyed: blobs in static objects may free memory during exit.
CachingAllocator& Allocator() {
  static auto* allocator = new CachingAllocator();
  return *allocator;
}

}  // namespace

void* Allocate(size_t bytes) { return Allocator().Allocate(bytes); }
void Free(void* device) noexcept {
  if (device != nullptr) Allocator().Free(device);
}
MemoryStats GetMemoryStats() { return Allocator().Stats(CurrentDevice()); }
void ResetPeakMemory() { Allocator().ResetPeak(CurrentDevice()); }
void ReleaseCachedMemory() { Allocator().ReleaseCache(CurrentDevice()); }

}  // namespace rb::kernels::cuda
