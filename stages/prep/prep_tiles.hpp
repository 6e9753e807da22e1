// Tiling of prepared images and their masks, with splits by image (never by tile, so no image
// contributes to two splits).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rb::prep {

enum class EdgeMode {
  kShift,    // the last tile along an axis is moved back to end at the edge (no padding)
  kZero,     // tiles continue past the edge, padded with 0 (masks with 255: ignore)
  kReflect,  // padded by mirroring the image (and mask)
};
EdgeMode ParseEdgeMode(const std::string& name);

// Tile origins along an axis of `length` pixels, for `tile` pixels and `overlap`.
std::vector<int> TileOrigins(int length, int tile, int overlap, EdgeMode mode);

// Splits image ids into train/val/test by `ratios` (relative weights) with a seeded shuffle.
// Counts are rounded to whole images, every split with a positive ratio getting at least one
// image when there are enough. Returns the split name per id, in the order given.
std::vector<std::string> SplitImages(const std::vector<std::string>& image_ids,
                                     const std::vector<double>& ratios, uint64_t seed);

}  // namespace rb::prep
