// The PNG that shows what the CRF did: the image (or the probabilities), the thresholded labels
// and the CRF's labels side by side, filled window by window and decimated so that scenes of any
// size give a picture of at most ~2048 pixels a side.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "common/geo/raster.hpp"

namespace rb::crf {

class ComparePicture {
 public:
  // Decimates a width x height raster by the smallest integer step that keeps both sides
  // <= max_side.
  ComparePicture(int width, int height, int max_side = 2048);

  // Adds the window whose upper-left pixel is (column, row): `background` float32 (1 to 3 bands
  // used: grey or R, G, B; NaN = no data), labels before and after (Byte, 255 = no data).
  void Add(int column, int row, const geo::Raster& background, const geo::Raster& before,
           const geo::Raster& after);

  // Writes the three panels: background stretched between its 2nd and 98th percentiles, then
  // the thresholded labels and the CRF's labels over the darkened background. Two labels: road
  // white; in the CRF panel, road it added green and road it removed red. More labels: a palette.
  void Write(const std::filesystem::path& path, int labels) const;

 private:
  int step_;
  int width_;   // decimated
  int height_;  // decimated
  int background_bands_ = 1;
  std::vector<float> background_;  // (3, height_, width_)
  std::vector<uint8_t> before_;    // (height_, width_)
  std::vector<uint8_t> after_;
};

}  // namespace rb::crf
