// Training data: the tiles of an rb-prep manifest, checked up front, read with a band selection,
// kept in memory while a budget allows, and turned into augmented samples.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/core/rng.hpp"

namespace rb::train {

struct TileRecord {
  std::filesystem::path image;
  std::filesystem::path mask;
  std::string image_id;
  double road_fraction = 0;
};

struct TileSet {
  std::filesystem::path manifest;
  std::vector<TileRecord> tiles;
  std::vector<std::string> band_names;  // of the tile images, in order
  int tile_size = 0;
};

// Reads an rb-prep tiles manifest (kind "tiles"); paths resolve relative to it. Throws
// kInvalidArgument / kIo naming the manifest and the first missing file or bad entry, before
// anything is trained.
TileSet LoadTileManifest(const std::filesystem::path& manifest);

// One tile or crop: `bands` x size x size image samples, interleaved per pixel (HWC, the net's
// NHWC order), and the mask (0 background, 1 road, 255 ignore).
struct Sample {
  int size = 0;
  int bands = 0;
  std::vector<uint8_t> image;  // size * size * bands
  std::vector<uint8_t> mask;   // size * size
};

// Reads tiles with a band selection (1-based numbers into the tiles' bands), checking each
// tile's size, band count and sample type, and keeps up to `budget_bytes` of them in memory.
// Thread-safe.
class TileReader {
 public:
  TileReader(const TileSet& set, std::vector<int> bands, int64_t budget_bytes);
  std::shared_ptr<const Sample> Get(size_t tile);
  int bands() const { return static_cast<int>(bands_.size()); }

 private:
  Sample Read(size_t tile) const;

  const TileSet& set_;
  std::vector<int> bands_;
  int64_t budget_bytes_;
  int64_t cached_bytes_ = 0;
  std::vector<std::shared_ptr<const Sample>> cache_;
  std::mutex mutex_;
};

struct AugmentSpec {
  int crop = 0;           // output size; a random window of the tile when smaller than it
  bool flips = true;      // horizontal and vertical
  bool rotations = true;  // multiples of 90 degrees
};

// A crop of `tile` under a random rigid transform, drawn from `random` (so deterministic given
// its stream).
Sample Augment(const Sample& tile, const AugmentSpec& spec, RandomStream& random);

}  // namespace rb::train
