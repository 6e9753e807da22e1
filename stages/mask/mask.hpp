// rb-mask: training labels from road centerlines, on the grid of a reference image.
//   buffer     CosmiQ/solaris: each centerline buffered by a width in metres in the local UTM
//              frame, back to the image CRS, rasterised (pixel centres inside).
//   floodfill  the seed's improvement: flood fills on the prepared image, seeded on the thinned
//              centerlines, bounded by a distance from them, united with a narrow buffer.
//   bresenham  one mask per LineString instance, for Mask R-CNN.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "common/cli/stage.hpp"
#include "common/geo/georef.hpp"
#include "common/geo/road_vectors.hpp"
#include "common/io/npy.hpp"

namespace rb::mask {

// The raster grid masks are drawn on.
struct Grid {
  int width = 0;
  int height = 0;
  geo::GeoReference georef;  // must be complete
};

struct BufferSpec {
  double half_width_m = 2.0;     // each side of the centerline (solaris' width=4 is 2 m here)
  bool from_attributes = false;  // half width = lanes * lane_width_m / 2 where lanes are known
  double lane_width_m = 3.5;
  int quadrant_segments = 16;  // arc resolution of round caps and joins (shapely's default)
};

// CV_8U, 1 inside the buffered roads. Features outside the grid draw nothing.
cv::Mat BufferMask(const std::vector<geo::RoadFeature>& features, const Grid& grid,
                   const BufferSpec& spec);

struct FloodSpec {
  int low_diff = 10;        // colour tolerance below the compared pixel, per channel (0..255)
  int high_diff = 10;       // and above
  bool fixed_range = true;  // compare with the seed (true) or with the neighbour (false)
  int connectivity = 4;
  double max_distance_m = 6.0;     // no fill farther than this from a centerline
  double core_half_width_m = 1.0;  // the narrow buffer always labelled
  double seed_step_m = 3.0;        // seeds along the thinned centerlines
  double close_m = 0.8;            // closing radius that fills holes left by cars and markings
};

struct FloodResult {
  cv::Mat mask;  // CV_8U 0/1
  int64_t core_pixels = 0;
  int64_t fill_added_pixels = 0;  // labelled by the fills beyond the core buffer
  int64_t seeds = 0;
};

// `image` is CV_8UC1 or CV_8UC3 on the grid (e.g. the prepared 8-bit image's chosen bands);
// `blocked` (CV_8U, optional) marks pixels no fill may enter, such as nodata.
FloodResult FloodFillMask(const std::vector<geo::RoadFeature>& features, const Grid& grid,
                          const cv::Mat& image, const cv::Mat& blocked, const FloodSpec& spec);

struct Instances {
  io::NpyArray stack;  // uint8 [N, H, W], one 0/1 mask per line
  cv::Mat ids;         // CV_16U, 0 background, i + 1 where line i was drawn last
  cv::Mat mask;        // CV_8U union
};

// Each LineString (MultiLineString parts separately) drawn with OpenCV's Bresenham lines of
// `thickness` pixels between its vertices, clipped to the grid; lines wholly outside are dropped.
Instances BresenhamInstances(const std::vector<geo::RoadFeature>& features, const Grid& grid,
                             int thickness);

cli::StageDescriptor MaskStage();

}  // namespace rb::mask
