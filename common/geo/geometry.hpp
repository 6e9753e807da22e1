// Plain 2-D geometry shared by the geo code: points and polylines in whatever frame the caller
// states (lon/lat degrees, pixel column/row, or metres).
#pragma once

#include <vector>

namespace rb::geo {

struct Point2 {
  double x = 0;  // lon, column or easting
  double y = 0;  // lat, row or northing
  friend bool operator==(const Point2&, const Point2&) = default;
};

using LineString = std::vector<Point2>;

}  // namespace rb::geo
