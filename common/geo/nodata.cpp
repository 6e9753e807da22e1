#include "common/geo/nodata.hpp"

#include <cmath>
#include <cstdlib>
#include <string>

#include "common/core/check.hpp"

namespace rb::geo {

std::optional<uint16_t> ResolveNodata(std::string_view setting, const RasterInfo& info) {
  if (setting == "none") return std::nullopt;
  if (setting == "auto") {
    if (!info.nodata) return uint16_t{0};
    RB_CHECK_ARG(
        *info.nodata >= 0 && *info.nodata <= 65535 && std::floor(*info.nodata) == *info.nodata,
        "the raster's nodata value {} is not a 16-bit sample; pass --nodata", *info.nodata);
    return static_cast<uint16_t>(*info.nodata);
  }
  std::string text(setting);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  RB_CHECK_ARG(end != text.c_str() && *end == '\0' && value >= 0 && value <= 65535 &&
                   std::floor(value) == value,
               "--nodata must be auto, none or an integer 0..65535, got '{}'", setting);
  return static_cast<uint16_t>(value);
}

Raster NodataMask(const RasterReader& reader, std::optional<uint16_t> nodata) {
  const RasterInfo& info = reader.info();
  Raster mask(PixelType::kUInt8, 1, info.height, info.width);
  mask.georef = info.georef;
  if (!nodata) return mask;
  constexpr int kRows = 256;
  auto out = mask.Band<uint8_t>(0);
  for (int row = 0; row < info.height; row += kRows) {
    int rows = std::min(kRows, info.height - row);
    Raster window = reader.Read(
        {.window = PixelWindow{0, row, info.width, rows}, .as_type = PixelType::kUInt16});
    size_t offset = static_cast<size_t>(row) * info.width;
    for (size_t i = 0; i < window.band_pixels(); ++i) out[offset + i] = 1;
    for (int b = 0; b < window.bands(); ++b) {
      auto band = window.Band<uint16_t>(b);
      for (size_t i = 0; i < band.size(); ++i) {
        if (band[i] != *nodata) out[offset + i] = 0;
      }
    }
  }
  return mask;
}

}  // namespace rb::geo
