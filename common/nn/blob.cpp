#include "common/nn/blob.hpp"

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"

namespace rb::nn {

std::string Shape::ToString() const { return fmt::format("({}, {}, {}, {})", n, c, h, w); }

SyncedMemory::SyncedMemory(int64_t count) : count_(count) {
  RB_CHECK(count >= 0);
  size_t bytes = (static_cast<size_t>(count) * sizeof(float) + 63) / 64 * 64;
  if (bytes == 0) bytes = 64;
  host_ = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (host_ == nullptr) Throw(ErrorCode::kNumerical, "cannot allocate {} bytes", bytes);
  std::memset(host_, 0, bytes);
}

SyncedMemory::~SyncedMemory() {
  std::free(host_);
  kernels::cuda::Free(device_);
}

void SyncedMemory::ToHost() {
  if (head_ == Head::kDevice) {
    kernels::cuda::CopyToHost(host_, device_, static_cast<size_t>(count_) * sizeof(float));
    head_ = Head::kSynced;
  }
}

void SyncedMemory::ToDevice() {
  if (device_ == nullptr) {
    device_ =
        static_cast<float*>(kernels::cuda::Allocate(static_cast<size_t>(count_) * sizeof(float)));
    head_ = Head::kHost;  // the host copy is the truth
  }
  if (head_ == Head::kHost) {
    kernels::cuda::CopyToDevice(device_, host_, static_cast<size_t>(count_) * sizeof(float));
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
  if (!data_ || view_ || data_->count() < count || data_.use_count() > 1) {
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

const float* Blob::device_data() {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return data_->device();
}
float* Blob::mutable_device_data() {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return data_->mutable_device();
}
float* Blob::mutable_device_diff() {
  RB_CHECK(allocated() && dense() && offset_ == 0);
  return diff_->mutable_device();
}

}  // namespace rb::nn
