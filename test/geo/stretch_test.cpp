#include <catch2/catch.hpp>

#include <vector>

#include "common/geo/stretch.hpp"

namespace rb::geo {
namespace {

TEST_CASE("Percentiles follow numpy's linear interpolation and skip nodata", "[geo][stretch]") {
  // numpy.percentile([1..10], [2, 50, 98]) = [1.18, 5.5, 9.82]
  std::vector<uint16_t> values = {10, 0, 3, 1, 0, 7, 5, 2, 9, 4, 8, 6};
  StretchRange range = PercentileRange(values, 2, 98, uint16_t{0});
  CHECK(range.lo == Approx(1.18));
  CHECK(range.hi == Approx(9.82));
  CHECK(PercentileRange(values, 50, 50, uint16_t{0}).lo == Approx(5.5));
  // Without a nodata value the zeros count: numpy.percentile([0,0,1..10], 2) = 0.0
  CHECK(PercentileRange(values, 2, 98, std::nullopt).lo == Approx(0.0));
  CHECK(PercentileRange(values, 0, 100, uint16_t{0}).hi == 10);
  std::vector<uint16_t> blank(5, 0);
  CHECK_THROWS_WITH(PercentileRange(blank, 2, 98, uint16_t{0}),
                    Catch::Contains("no valid samples"));
  CHECK_THROWS(PercentileRange(values, 90, 10, std::nullopt));
}

TEST_CASE("Stretching maps the range linearly to 0..255 and keeps nodata apart", "[geo][stretch]") {
  std::vector<uint16_t> values = {0, 100, 150, 200, 300, 50};
  std::vector<uint8_t> out(values.size());
  StretchToByte(values, {100, 200}, out, uint16_t{0}, 255);
  CHECK(out == std::vector<uint8_t>{255, 0, 128, 255, 255, 0});  // 127.5 rounds to 128
  StretchToByte(values, {100, 100}, out, std::nullopt);
  CHECK(out == std::vector<uint8_t>{0, 255, 255, 255, 255, 0});
}

}  // namespace
}  // namespace rb::geo
