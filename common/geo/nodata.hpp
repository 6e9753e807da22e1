// Missing data in imagery. SpaceNet marks pixels outside the image strip with 0 in every band
// and most tiles carry no nodata tag, so "auto" falls back to 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/geo/raster.hpp"
#include "common/geo/raster_io.hpp"

namespace rb::geo {

// "auto" (the raster's own nodata, else 0), "none", or an integer 0..65535. Throws
// kInvalidArgument on anything else or on a nodata tag that is not a 16-bit sample value.
std::optional<uint16_t> ResolveNodata(std::string_view setting, const RasterInfo& info);

// A one-band Byte raster on the reader's grid: 1 where every band equals `nodata`, else 0 (all 0
// without a nodata value). Read window by window.
Raster NodataMask(const RasterReader& reader, std::optional<uint16_t> nodata);

}  // namespace rb::geo
