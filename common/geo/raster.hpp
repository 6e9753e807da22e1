// Raster: a typed image of (bands, height, width) samples, band-sequential and row-major, with
// its georeference and nodata value. The in-memory form every stage exchanges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/check.hpp"
#include "common/geo/georef.hpp"

namespace rb::geo {

enum class PixelType { kUInt8, kUInt16, kInt16, kUInt32, kInt32, kFloat32, kFloat64 };

size_t PixelTypeSize(PixelType type);
std::string_view PixelTypeName(PixelType type);  // GDAL's names: "Byte", "UInt16", ...

template <class T>
constexpr PixelType PixelTypeOf();
template <>
constexpr PixelType PixelTypeOf<uint8_t>() {
  return PixelType::kUInt8;
}
template <>
constexpr PixelType PixelTypeOf<uint16_t>() {
  return PixelType::kUInt16;
}
template <>
constexpr PixelType PixelTypeOf<int16_t>() {
  return PixelType::kInt16;
}
template <>
constexpr PixelType PixelTypeOf<uint32_t>() {
  return PixelType::kUInt32;
}
template <>
constexpr PixelType PixelTypeOf<int32_t>() {
  return PixelType::kInt32;
}
template <>
constexpr PixelType PixelTypeOf<float>() {
  return PixelType::kFloat32;
}
template <>
constexpr PixelType PixelTypeOf<double>() {
  return PixelType::kFloat64;
}

class Raster {
 public:
  Raster() = default;
  // Zero-filled.
  Raster(PixelType type, int bands, int height, int width);

  PixelType type() const { return type_; }
  int bands() const { return bands_; }
  int height() const { return height_; }
  int width() const { return width_; }
  size_t band_pixels() const { return static_cast<size_t>(height_) * width_; }
  bool empty() const { return bands_ == 0 || band_pixels() == 0; }

  // Samples of band `band` (0-based), row-major.
  template <class T>
  std::span<T> Band(int band) {
    CheckAccess<T>(band);
    return {reinterpret_cast<T*>(storage_.data()) + band_pixels() * band, band_pixels()};
  }
  template <class T>
  std::span<const T> Band(int band) const {
    CheckAccess<T>(band);
    return {reinterpret_cast<const T*>(storage_.data()) + band_pixels() * band, band_pixels()};
  }
  template <class T>
  T& At(int band, int row, int column) {
    return Band<T>(band)[static_cast<size_t>(row) * width_ + column];
  }
  template <class T>
  const T& At(int band, int row, int column) const {
    return Band<T>(band)[static_cast<size_t>(row) * width_ + column];
  }

  std::span<std::byte> bytes() { return storage_; }
  std::span<const std::byte> bytes() const { return storage_; }

  GeoReference georef;
  std::optional<double> nodata;
  std::vector<std::string> band_names;  // empty or one per band

 private:
  template <class T>
  void CheckAccess(int band) const {
    RB_CHECK(PixelTypeOf<T>() == type_);
    RB_CHECK(band >= 0 && band < bands_);
  }

  PixelType type_ = PixelType::kUInt8;
  int bands_ = 0;
  int height_ = 0;
  int width_ = 0;
  std::vector<std::byte> storage_;
};

}  // namespace rb::geo
