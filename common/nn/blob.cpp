#include "common/nn/blob.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"

namespace rb::nn {

std::string Shape::ToString() const { return fmt::format("({}, {}, {}, {})", n, c, h, w); }

namespace {

// Buffers at least this large come straight from mmap (zero pages, page aligned); smaller ones
// from the heap, 64-byte aligned and cleared.
constexpr size_t kMapThreshold = size_t{1} << 20;

float* AllocateHost(size_t bytes) {
  void* memory = nullptr;
  if (bytes >= kMapThreshold) {
    memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) memory = nullptr;
  } else {
    memory = std::aligned_alloc(64, bytes);
    if (memory != nullptr) std::memset(memory, 0, bytes);
  }
  if (memory == nullptr) Throw(ErrorCode::kNumerical, "cannot allocate {} bytes", bytes);
  return static_cast<float*>(memory);
}

void FreeHost(float* host, size_t bytes) {
  if (host == nullptr) return;
  if (bytes >= kMapThreshold) {
    munmap(host, bytes);
  } else {
    std::free(host);
  }
}

}  // namespace

SyncedMemory::SyncedMemory(int64_t count) : count_(count) { RB_CHECK(count >= 0); }

SyncedMemory::~SyncedMemory() {
  FreeHost(host_, host_bytes_);
  kernels::cuda::Free(device_);
}

void SyncedMemory::ToHost() {
  if (host_ == nullptr) {
    host_bytes_ = std::max<size_t>((bytes() + 63) / 64 * 64, 64);
    host_ = AllocateHost(host_bytes_);
  }
  if (head_ == Head::kDevice) {
    kernels::cuda::CopyToHost(host_, device_, bytes());
    head_ = Head::kSynced;
  } else if (head_ == Head::kUninitialized) {
    head_ = Head::kHost;
  }
}

void SyncedMemory::ToDevice() {
  if (device_ == nullptr) device_ = static_cast<float*>(kernels::cuda::Allocate(bytes()));
  if (head_ == Head::kUninitialized) {
    kernels::cuda::Fill(device_, 0.0f, count_);
    head_ = Head::kDevice;
  } else if (head_ == Head::kHost) {
    kernels::cuda::CopyToDevice(device_, host_, bytes());
    head_ = Head::kSynced;
  }
}

const float* SyncedMemory::host() {
  ToHost();
  return host_;
}
float* SyncedMemory::mutable_host() {
  ToHost();
  head_ = Head::kHost;
  return host_;
}
const float* SyncedMemory::device() {
  ToDevice();
  return device_;
}
float* SyncedMemory::mutable_device() {
  ToDevice();
  head_ = Head::kDevice;
  return device_;
}

void Blob::Allocate() {
  int64_t count = shape_.count();
  // Memory is taken on first use, so replacing an oversized buffer costs nothing.
  if (!data_ || view_ || data_->count() < count || data_->count() > 2 * count ||
      data_.use_count() > 1) {
    data_ = std::make_shared<SyncedMemory>(count);
    diff_ = std::make_shared<SyncedMemory>(count);
  }
  offset_ = 0;
  stride_ = shape_.c;
  view_ = false;
}

void Blob::ViewChannels(const Blob& root, int offset) {
  RB_CHECK(root.allocated());
  RB_CHECK(root.shape_.n == shape_.n && root.shape_.h == shape_.h && root.shape_.w == shape_.w);
  RB_CHECK(offset >= 0 && offset + shape_.c <= root.shape_.c);
  data_ = root.data_;
  diff_ = root.diff_;
  offset_ = root.offset_ + offset;
  stride_ = root.stride_;
  view_ = true;
}

void Blob::ShareMemory(std::shared_ptr<SyncedMemory> data, std::shared_ptr<SyncedMemory> diff) {
  RB_CHECK(data->count() >= shape_.count() && diff->count() >= shape_.count());
  data_ = std::move(data);
  diff_ = std::move(diff);
  offset_ = 0;
  stride_ = shape_.c;
  view_ = false;
}

kernels::Tensor Blob::View(float* base) const {
  return {base + offset_, shape_.n, shape_.c, shape_.h, shape_.w, stride_};
}

kernels::ConstTensor Blob::data() const {
  RB_CHECK(allocated());
  return View(const_cast<float*>(data_->host()));
}
kernels::Tensor Blob::mutable_data() {
  RB_CHECK(allocated());
  return View(data_->mutable_host());
}
kernels::ConstTensor Blob::diff() const {
  RB_CHECK(allocated());
  return View(const_cast<float*>(diff_->host()));
}
kernels::Tensor Blob::mutable_diff() {
  RB_CHECK(allocated());
  return View(diff_->mutable_host());
}

const float* Blob::flat_data() const {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return data_->host();
}
float* Blob::mutable_flat_data() {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return data_->mutable_host();
}
const float* Blob::flat_diff() const {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return diff_->host();
}
float* Blob::mutable_flat_diff() {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return diff_->mutable_host();
}

kernels::ConstTensor Blob::gpu_data() const {
  RB_CHECK(allocated());
  return View(const_cast<float*>(data_->device()));
}
kernels::Tensor Blob::gpu_mutable_data() {
  RB_CHECK(allocated());
  return View(data_->mutable_device());
}
kernels::ConstTensor Blob::gpu_diff() const {
  RB_CHECK(allocated());
  return View(const_cast<float*>(diff_->device()));
}
kernels::Tensor Blob::gpu_mutable_diff() {
  RB_CHECK(allocated());
  return View(diff_->mutable_device());
}

const float* Blob::device_data() const {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return data_->device();
}
float* Blob::mutable_device_data() {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return data_->mutable_device();
}
const float* Blob::device_diff() const {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return diff_->device();
}
float* Blob::mutable_device_diff() {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return diff_->mutable_device();
}

}  // namespace rb::nn
