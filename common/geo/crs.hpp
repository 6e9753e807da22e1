// Coordinate reference systems through PROJ: transforms between any two CRSs, the local UTM
// frame used to measure in metres, and the ground size of a raster's pixels.
//
// Geographic coordinates are always (lon, lat) in degrees here, whatever axis order the CRS
// declares (PROJ's "normalized for visualization" order, GDAL's traditional GIS order).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/geo/geometry.hpp"
#include "common/geo/georef.hpp"

namespace rb::geo {

// A PROJ transformation. Not thread-safe: use one instance per thread (each owns its context).
class CrsTransform {
 public:
  // `from`/`to`: anything PROJ accepts ("EPSG:4326", "OGC:CRS84", WKT, PROJJSON).
  // Throws kInvalidArgument naming the definition PROJ rejected.
  CrsTransform(std::string_view from, std::string_view to);
  CrsTransform(CrsTransform&&) noexcept;
  CrsTransform& operator=(CrsTransform&&) noexcept;
  ~CrsTransform();

  Point2 Forward(Point2 p) const;
  Point2 Inverse(Point2 p) const;
  void ForwardInPlace(std::span<Point2> points) const;
  void InverseInPlace(std::span<Point2> points) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// EPSG code of the WGS 84 UTM zone containing (lon, lat): 326zz north, 327zz south.
int UtmEpsgFor(double lon, double lat);

// Lon/lat degrees <-> metres in the local UTM zone.
class MetricFrame {
 public:
  static MetricFrame LocalUtm(double lon, double lat);
  int epsg() const { return epsg_; }
  Point2 ToMetres(Point2 lon_lat) const { return transform_.Forward(lon_lat); }
  Point2 ToLonLat(Point2 metres) const { return transform_.Inverse(metres); }
  void ToMetresInPlace(std::span<Point2> points) const { transform_.ForwardInPlace(points); }
  void ToLonLatInPlace(std::span<Point2> points) const { transform_.InverseInPlace(points); }

 private:
  MetricFrame(int epsg, CrsTransform transform) : epsg_(epsg), transform_(std::move(transform)) {}
  int epsg_;
  CrsTransform transform_;
};

// Geodesic distance in metres between two (lon, lat) points on the WGS 84 ellipsoid.
double GeodesicDistance(Point2 a, Point2 b);
// Length in metres of a (lon, lat) polyline: the sum of its segments' geodesic distances.
double GeodesicLength(const LineString& line);

// The CRS as WKT2 (2019), e.g. CrsWkt("EPSG:4326"). Throws kInvalidArgument if PROJ rejects it.
std::string CrsWkt(std::string_view definition);

// Is the CRS geographic (lon/lat degrees)? Throws kInvalidArgument on an unreadable definition.
bool IsGeographic(std::string_view crs);

struct GroundSize {
  double x_metres = 0;  // one pixel step along a row (east-west when north-up)
  double y_metres = 0;  // one pixel step down a column (north-south when north-up)
};

// Ground size of the pixel at `pixel` (column, row). On SpaceNet's EPSG:4326 tiles pixels are
// 2.7e-6 deg square but not square on the ground: ~0.30 m north-south, 0.30 m x cos(lat) east-west.
GroundSize GroundPixelSize(const GeoReference& georef, Point2 pixel);

}  // namespace rb::geo
