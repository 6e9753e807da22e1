// safetensors files: an 8-byte little-endian header length, a JSON header naming each tensor's
// dtype, shape and byte range, then the raw little-endian data (https://github.com/huggingface/
// safetensors, format description). Used for weights, solver state and snapshots.
//
// Reading memory-maps the file and hands out views; every offset is checked against the file
// size and the tensors must cover the data without holes or overlaps, as the format requires.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/core/error.hpp"
#include "common/io/dtype.hpp"

namespace rb::io {

struct TensorView {
  std::string name;
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;
  std::span<const std::byte> data;

  int64_t size() const;  // elements
  template <class T>
  std::span<const T> as() const;
};

class SafeTensorsReader {
 public:
  // Maps the file and validates the header; throws kIo naming the file and the problem.
  static SafeTensorsReader Open(const std::filesystem::path& path);
  SafeTensorsReader(SafeTensorsReader&&) noexcept;
  SafeTensorsReader& operator=(SafeTensorsReader&&) noexcept;
  ~SafeTensorsReader();

  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::vector<std::string> names() const;  // sorted
  bool Has(const std::string& name) const { return tensors_.count(name) != 0; }
  // Throws kIo "no tensor 'x' in 'file'".
  const TensorView& Get(const std::string& name) const;

 private:
  SafeTensorsReader() = default;
  struct Mapping;
  std::unique_ptr<Mapping> mapping_;
  std::string path_;
  std::map<std::string, std::string> metadata_;
  std::map<std::string, TensorView> tensors_;
};

class SafeTensorsWriter {
 public:
  // Copies `data`; its size must be the product of `shape` times the dtype size.
  void Add(std::string name, DType dtype, std::vector<int64_t> shape,
           std::span<const std::byte> data);
  template <class T>
  void Add(std::string name, std::vector<int64_t> shape, std::span<const T> values) {
    Add(std::move(name), DTypeOf<T>(), std::move(shape), std::as_bytes(values));
  }
  void SetMetadata(std::string key, std::string value);

  // The file's bytes; tensors ordered by decreasing element size, then name, so every tensor
  // stays aligned to its element size (the data starts 8-byte aligned).
  std::string Encode() const;
  // Writes atomically.
  void Write(const std::filesystem::path& path) const;

 private:
  struct Entry {
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<std::byte> data;
  };
  std::map<std::string, Entry> tensors_;
  std::map<std::string, std::string> metadata_;
};

template <class T>
std::span<const T> TensorView::as() const {
  if (DTypeOf<T>() != dtype) {
    Throw(ErrorCode::kIo, "tensor '{}' is {}, not {}", name, DTypeName(dtype),
          DTypeName(DTypeOf<T>()));
  }
  return {reinterpret_cast<const T*>(data.data()), data.size() / sizeof(T)};
}

}  // namespace rb::io
