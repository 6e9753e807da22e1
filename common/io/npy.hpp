// NPY arrays (numpy's .npy format, versions 1.0, 2.0 and 3.0 read; 1.0 or 2.0 written).
//
// Little-endian, C order, dtypes bool, uint8, uint16, int32, int64, float32, float64. Reading
// checks the header against the data length: a truncated file or a header that lies about the
// shape is an Error(kIo) naming the file, never an out-of-bounds read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/check.hpp"
#include "common/io/dtype.hpp"

namespace rb::io {

struct NpyArray {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;  // C order; empty = a scalar
  std::vector<std::byte> data;

  int64_t size() const;  // number of elements

  template <class T>
  std::span<T> as() {
    RB_CHECK(DTypeOf<T>() == dtype);
    return {reinterpret_cast<T*>(data.data()), data.size() / sizeof(T)};
  }
  template <class T>
  std::span<const T> as() const {
    RB_CHECK(DTypeOf<T>() == dtype);
    return {reinterpret_cast<const T*>(data.data()), data.size() / sizeof(T)};
  }

  template <class T>
  static NpyArray From(std::span<const T> values, std::vector<int64_t> shape) {
    NpyArray array{DTypeOf<T>(), std::move(shape), {}};
    RB_CHECK_EQ(array.size(), static_cast<int64_t>(values.size()));
    auto bytes = std::as_bytes(values);
    array.data.assign(bytes.begin(), bytes.end());
    return array;
  }
};

// `name` is used in error messages (usually the file name).
NpyArray DecodeNpy(std::span<const std::byte> bytes, std::string_view name);
std::string EncodeNpy(const NpyArray& array);
// The header alone (magic, version, dict, padding) of a C-order array: the data (shape's product
// samples, little-endian) follows it, so large arrays can be streamed to a file row by row.
std::string EncodeNpyHeader(DType dtype, const std::vector<int64_t>& shape);

NpyArray ReadNpy(const std::filesystem::path& path);
// Writes atomically.
void WriteNpy(const std::filesystem::path& path, const NpyArray& array);

}  // namespace rb::io
