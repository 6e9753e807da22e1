// Element types shared by the array file formats (NPY, safetensors).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rb::io {

enum class DType { kBool, kUInt8, kUInt16, kInt32, kInt64, kFloat32, kFloat64 };

size_t DTypeSize(DType dtype);
std::string_view DTypeName(DType dtype);  // numpy's names: "bool", "uint8", ..., "float64"

template <class T>
constexpr DType DTypeOf();
template <>
constexpr DType DTypeOf<bool>() {
  return DType::kBool;
}
template <>
constexpr DType DTypeOf<uint8_t>() {
  return DType::kUInt8;
}
template <>
constexpr DType DTypeOf<uint16_t>() {
  return DType::kUInt16;
}
template <>
constexpr DType DTypeOf<int32_t>() {
  return DType::kInt32;
}
template <>
constexpr DType DTypeOf<int64_t>() {
  return DType::kInt64;
}
template <>
constexpr DType DTypeOf<float>() {
  return DType::kFloat32;
}
template <>
constexpr DType DTypeOf<double>() {
  return DType::kFloat64;
}

}  // namespace rb::io
