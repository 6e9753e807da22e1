// In-process speed of rb-mask's methods (no process start, no file writing): milliseconds per
// 1300x1300 mask, median of repeats. Usage: mask_core <prepared image> <labels.geojson> [repeats]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "common/geo/raster_io.hpp"
#include "common/geo/road_vectors.hpp"
#include "common/geo/stretch.hpp"
#include "stages/mask/mask.hpp"

namespace {

template <class Work>
double MedianMs(int repeats, Work&& work) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    work();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <prepared image> <labels.geojson> [repeats]\n", argv[0]);
    return 2;
  }
  using namespace rb;
  int repeats = argc > 3 ? std::stoi(argv[3]) : 9;
  geo::Raster image = geo::ReadRaster(argv[1], {.bands = {2, 5, 7}});
  mask::Grid grid{image.width(), image.height(), image.georef};
  auto labels = geo::ReadRoadGeoJson(argv[2]);
  std::vector<cv::Mat> channels;
  for (int b = 2; b >= 0; --b) {
    channels.emplace_back(image.height(), image.width(), CV_8U, image.Band<uint8_t>(b).data());
  }
  cv::Mat fill_image;
  cv::merge(channels, fill_image);
  double buffer = MedianMs(repeats, [&] { mask::BufferMask(labels, grid, {}); });
  double flood =
      MedianMs(repeats, [&] { mask::FloodFillMask(labels, grid, fill_image, cv::Mat(), {}); });
  double lines = MedianMs(repeats, [&] { mask::BresenhamInstances(labels, grid, 1); });
  std::printf("%zu labels: buffer %.1f ms, floodfill %.1f ms, bresenham %.1f ms per mask\n",
              labels.size(), buffer, flood, lines);
  return 0;
}
