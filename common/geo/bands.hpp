// Band selection in WorldView-3 products (1 Coastal, 2 Blue, 3 Green, 4 Yellow, 5 Red,
// 6 RedEdge, 7 NIR1, 8 NIR2; shared notes spacenet-format.md 1.4).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rb::geo {

// 1-based band numbers from a preset ("ms8" = all 8, "rgb" = 5,3,2, "rnir" = RedEdge, NIR1,
// NIR2 as in the seed's R/NIR model, "all" = every band of the raster) or a comma list of
// numbers and names ("5,3,2", "red,nir1"). Names and presets refer to the 8-band order. Throws
// kInvalidArgument naming the offending item, or a band beyond `band_count`.
std::vector<int> ParseBandSelection(std::string_view text, int band_count);

// Band selection in a raster whose bands are named (a prepared image or tile, whose bands may be
// a subset such as R/NIR): "all", presets and names resolve to WorldView-3 names looked up among
// `names` (case and separators ignored); numbers are 1-based positions in `names`. Throws
// kInvalidArgument naming the band that is missing and the bands that exist.
std::vector<int> SelectNamedBands(std::string_view text, const std::vector<std::string>& names);

// "Red" for band 5; "band <n>" beyond the eight WorldView-3 bands.
std::string WorldView3BandName(int band);

}  // namespace rb::geo
