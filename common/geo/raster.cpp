#include "common/geo/raster.hpp"

namespace rb::geo {

size_t PixelTypeSize(PixelType type) {
  switch (type) {
    case PixelType::kUInt8:
      return 1;
    case PixelType::kUInt16:
    case PixelType::kInt16:
      return 2;
    case PixelType::kUInt32:
    case PixelType::kInt32:
    case PixelType::kFloat32:
      return 4;
    case PixelType::kFloat64:
      return 8;
  }
  return 0;
}

std::string_view PixelTypeName(PixelType type) {
  switch (type) {
    case PixelType::kUInt8:
      return "Byte";
    case PixelType::kUInt16:
      return "UInt16";
    case PixelType::kInt16:
      return "Int16";
    case PixelType::kUInt32:
      return "UInt32";
    case PixelType::kInt32:
      return "Int32";
    case PixelType::kFloat32:
      return "Float32";
    case PixelType::kFloat64:
      return "Float64";
  }
  return "?";
}

Raster::Raster(PixelType type, int bands, int height, int width)
    : type_(type), bands_(bands), height_(height), width_(width) {
  RB_CHECK_ARG(bands >= 0 && height >= 0 && width >= 0,
               "raster dimensions must be non-negative, got {} x {} x {}", bands, height, width);
  storage_.resize(static_cast<size_t>(bands) * band_pixels() * PixelTypeSize(type));
}

}  // namespace rb::geo
