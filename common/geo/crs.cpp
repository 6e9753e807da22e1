#include "common/geo/crs.hpp"

#include <geodesic.h>
#include <proj.h>

#include <cmath>
#include <string>

#include "common/core/check.hpp"

namespace rb::geo {
namespace {

constexpr double kWgs84A = 6378137.0;
constexpr double kWgs84F = 1.0 / 298.257223563;

std::string Summarise(std::string_view definition) {
  std::string text(definition.substr(0, 60));
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return definition.size() > 60 ? text + "..." : text;
}

}  // namespace

struct CrsTransform::Impl {
  PJ_CONTEXT* context = nullptr;
  PJ* transform = nullptr;
  ~Impl() {
    if (transform) proj_destroy(transform);
    if (context) proj_context_destroy(context);
  }
};

CrsTransform::CrsTransform(std::string_view from, std::string_view to)
    : impl_(std::make_unique<Impl>()) {
  impl_->context = proj_context_create();
  RB_CHECK(impl_->context != nullptr);
  proj_log_level(impl_->context, PJ_LOG_NONE);
  std::string from_text(from), to_text(to);
  PJ* raw = proj_create_crs_to_crs(impl_->context, from_text.c_str(), to_text.c_str(), nullptr);
  if (raw == nullptr) {
    Throw(ErrorCode::kInvalidArgument, "PROJ cannot transform from '{}' to '{}': {}",
          Summarise(from), Summarise(to),
          proj_context_errno_string(impl_->context, proj_context_errno(impl_->context)));
  }
  impl_->transform = proj_normalize_for_visualization(impl_->context, raw);
  proj_destroy(raw);
  RB_CHECK(impl_->transform != nullptr);
}

CrsTransform::CrsTransform(CrsTransform&&) noexcept = default;
CrsTransform& CrsTransform::operator=(CrsTransform&&) noexcept = default;
CrsTransform::~CrsTransform() = default;

namespace {
Point2 Apply(PJ* transform, PJ_DIRECTION direction, Point2 p) {
  PJ_COORD out = proj_trans(transform, direction, proj_coord(p.x, p.y, 0, 0));
  RB_CHECK_NUMERIC(std::isfinite(out.xy.x) && std::isfinite(out.xy.y),
                   "coordinate ({}, {}) cannot be transformed", p.x, p.y);
  return {out.xy.x, out.xy.y};
}
}  // namespace

Point2 CrsTransform::Forward(Point2 p) const { return Apply(impl_->transform, PJ_FWD, p); }
Point2 CrsTransform::Inverse(Point2 p) const { return Apply(impl_->transform, PJ_INV, p); }
void CrsTransform::ForwardInPlace(std::span<Point2> points) const {
  for (Point2& p : points) p = Forward(p);
}
void CrsTransform::InverseInPlace(std::span<Point2> points) const {
  for (Point2& p : points) p = Inverse(p);
}

int UtmEpsgFor(double lon, double lat) {
  RB_CHECK_ARG(lon >= -180.0 && lon <= 180.0 && lat >= -90.0 && lat <= 90.0,
               "({}, {}) is not a lon/lat position", lon, lat);
  int zone = static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1;
  zone = std::min(zone, 60);
  return (lat >= 0 ? 32600 : 32700) + zone;
}

MetricFrame MetricFrame::LocalUtm(double lon, double lat) {
  int epsg = UtmEpsgFor(lon, lat);
  return MetricFrame(epsg, CrsTransform("OGC:CRS84", "EPSG:" + std::to_string(epsg)));
}

double GeodesicDistance(Point2 a, Point2 b) {
  geod_geodesic geodesic{};
  geod_init(&geodesic, kWgs84A, kWgs84F);
  double distance = 0;
  geod_inverse(&geodesic, a.y, a.x, b.y, b.x, &distance, nullptr, nullptr);
  return distance;
}

double GeodesicLength(const LineString& line) {
  double metres = 0;
  for (size_t i = 1; i < line.size(); ++i) metres += GeodesicDistance(line[i - 1], line[i]);
  return metres;
}

namespace {

// A PROJ object for a CRS definition with its own context, released on scope exit.
class CrsObject {
 public:
  explicit CrsObject(std::string_view definition) : context_(proj_context_create()) {
    proj_log_level(context_, PJ_LOG_NONE);
    std::string text(definition);
    object_ = proj_create(context_, text.c_str());
    if (object_ == nullptr) {
      proj_context_destroy(context_);
      Throw(ErrorCode::kInvalidArgument, "PROJ cannot read the CRS '{}'", Summarise(definition));
    }
  }
  ~CrsObject() {
    proj_destroy(object_);
    proj_context_destroy(context_);
  }
  CrsObject(const CrsObject&) = delete;
  CrsObject& operator=(const CrsObject&) = delete;
  PJ_CONTEXT* context() const { return context_; }
  PJ* get() const { return object_; }

 private:
  PJ_CONTEXT* context_;
  PJ* object_;
};

}  // namespace

std::string CrsWkt(std::string_view definition) {
  CrsObject crs(definition);
  const char* wkt = proj_as_wkt(crs.context(), crs.get(), PJ_WKT2_2019, nullptr);
  RB_CHECK_ARG(wkt != nullptr, "PROJ cannot express '{}' as WKT", Summarise(definition));
  return wkt;
}

bool IsGeographic(std::string_view definition) {
  CrsObject crs(definition);
  PJ_TYPE type = proj_get_type(crs.get());
  return type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
         type == PJ_TYPE_GEOGRAPHIC_CRS;
}

GroundSize GroundPixelSize(const GeoReference& georef, Point2 pixel) {
  RB_CHECK_ARG(georef.complete(), "ground pixel size needs a CRS and a geotransform");
  const GeoTransform& gt = *georef.transform;
  // Steps of one pixel around the pixel's centre, measured as geodesics on the ellipsoid.
  Point2 centre{pixel.x + 0.5, pixel.y + 0.5};
  Point2 corners[3] = {gt.PixelToGeo({centre.x - 0.5, centre.y - 0.5}),
                       gt.PixelToGeo({centre.x + 0.5, centre.y - 0.5}),
                       gt.PixelToGeo({centre.x - 0.5, centre.y + 0.5})};
  if (!IsGeographic(georef.crs_wkt)) {
    CrsTransform to_lon_lat(georef.crs_wkt, "OGC:CRS84");
    to_lon_lat.ForwardInPlace(corners);
  }
  return {GeodesicDistance(corners[0], corners[1]), GeodesicDistance(corners[0], corners[2])};
}

}  // namespace rb::geo
