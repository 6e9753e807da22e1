// PNG renders of percolation results for people (not for analysis): a realization, its
// components in colours, and the connectivity field as a heatmap over the image. Each carries a
// caption stating what it shows, the connectivity included.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "common/geo/display_image.hpp"
#include "common/geo/probability_map.hpp"
#include "stages/percolate/bernoulli_field.hpp"
#include "stages/percolate/run_labels.hpp"

namespace rb::percolate {

// Road pixels white on black (8-bit BGR, height x width).
cv::Mat RenderRealization(const BitImage& image);
// Each component in its own colour (a hash of its label, so colours are stable from run to run),
// the largest in white; empty pixels black.
cv::Mat RenderComponents(const RunLabels& labels);
// `field` (row-major, values in [0, 1], NaN = nodata) in the inferno colour map over a dimmed
// `background`, blended more strongly where the field is higher; the marked points are drawn as
// rings (the source first).
cv::Mat RenderHeatmap(const std::vector<float>& field, const geo::RgbImage& background,
                      const std::vector<geo::PixelPoint>& marks);

// A line of text in a dark box at the top left, scaled to the image.
void Caption(cv::Mat& image, const std::string& text);
// Writes a PNG; throws kIo naming the file when OpenCV cannot.
void WritePng(const std::filesystem::path& path, const cv::Mat& image);

}  // namespace rb::percolate
