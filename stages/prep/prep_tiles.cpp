// rb-prep tiles: prepared images + masks -> tiles, manifests, splits.
#include "stages/prep/prep_tiles.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/core/rng.hpp"
#include "common/geo/image_id.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/files.hpp"
#include "stages/prep/prep.hpp"

namespace rb::prep {
namespace fs = std::filesystem;

EdgeMode ParseEdgeMode(const std::string& name) {
  if (name == "shift") return EdgeMode::kShift;
  if (name == "zero") return EdgeMode::kZero;
  if (name == "reflect") return EdgeMode::kReflect;
  Throw(ErrorCode::kInvalidArgument, "unknown edge mode '{}' (shift, zero, reflect)", name);
}

std::vector<int> TileOrigins(int length, int tile, int overlap, EdgeMode mode) {
  RB_CHECK_ARG(tile > 0 && overlap >= 0 && overlap < tile,
               "tile size {} and overlap {} need 0 <= overlap < size", tile, overlap);
  std::vector<int> origins = {0};
  int stride = tile - overlap;
  while (origins.back() + tile < length) {
    int next = origins.back() + stride;
    if (mode == EdgeMode::kShift && next + tile > length) next = length - tile;
    origins.push_back(next);
  }
  return origins;
}

std::vector<std::string> SplitImages(const std::vector<std::string>& image_ids,
                                     const std::vector<double>& ratios, uint64_t seed) {
  RB_CHECK_ARG(ratios.size() == 3, "--split needs three ratios (train, val, test)");
  double total = ratios[0] + ratios[1] + ratios[2];
  RB_CHECK_ARG(total > 0 && ratios[0] >= 0 && ratios[1] >= 0 && ratios[2] >= 0,
               "split ratios must be non-negative with a positive sum");
  size_t n = image_ids.size();
  std::vector<size_t> counts(3);
  counts[1] = static_cast<size_t>(std::lround(n * ratios[1] / total));
  counts[2] = static_cast<size_t>(std::lround(n * ratios[2] / total));
  for (int s : {1, 2}) {
    if (ratios[s] > 0 && counts[s] == 0 && n >= 3) counts[s] = 1;
  }
  counts[1] = std::min(counts[1], n);
  counts[2] = std::min(counts[2], n - counts[1]);
  counts[0] = n - counts[1] - counts[2];

  // A seeded Fisher-Yates shuffle of the ids in their natural order decides the membership.
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return geo::ImageIdLess()(image_ids[a], image_ids[b]); });
  RandomStream random(seed, 0x5b117);
  for (size_t i = n; i > 1; --i) {
    std::swap(order[i - 1],
              order[static_cast<size_t>(random.UniformInt(0, static_cast<int64_t>(i) - 1))]);
  }
  const char* names[3] = {"train", "val", "test"};
  std::vector<std::string> split(n);
  size_t position = 0;
  for (int s = 0; s < 3; ++s) {
    for (size_t k = 0; k < counts[s]; ++k) split[order[position++]] = names[s];
  }
  return split;
}

}  // namespace rb::prep
