// The CosmiQ/solaris buffer mask (solaris.vector.mask.road_mask with meters=True): buffers in
// the local UTM zone, so a 2 m buffer is 2 m on the ground although SpaceNet's EPSG:4326 pixels
// are 0.24 m wide and 0.30 m tall in Vegas.
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <memory>

#include "common/core/check.hpp"
#include "common/geo/crs.hpp"
#include "common/geo/gdal_env.hpp"
#include "common/geo/spacenet_labels.hpp"
#include "stages/mask/mask.hpp"

namespace rb::mask {
namespace {

double HalfWidth(const geo::RoadFeature& feature, const BufferSpec& spec) {
  if (!spec.from_attributes) return spec.half_width_m;
  geo::SpaceNetRoadAttributes attributes = geo::ParseSpaceNetAttributes(feature.properties);
  return attributes.lanes > 0 ? attributes.lanes * spec.lane_width_m / 2 : spec.half_width_m;
}

}  // namespace

cv::Mat BufferMask(const std::vector<geo::RoadFeature>& features, const Grid& grid,
                   const BufferSpec& spec) {
  RB_CHECK_ARG(grid.georef.complete(), "the reference raster has no georeference");
  RB_CHECK_ARG(spec.half_width_m > 0, "buffer half width must be positive");
  cv::Mat mask(grid.height, grid.width, CV_8U, cv::Scalar(0));
  if (features.empty()) return mask;

  // The UTM zone of the grid's centre, as osmnx/solaris pick the zone of the data's centroid.
  const geo::GeoTransform& gt = *grid.georef.transform;
  geo::Point2 centre = gt.PixelToGeo({grid.width / 2.0, grid.height / 2.0});
  if (!geo::IsGeographic(grid.georef.crs_wkt)) {
    centre = geo::CrsTransform(grid.georef.crs_wkt, "OGC:CRS84").Forward(centre);
  }
  geo::MetricFrame frame = geo::MetricFrame::LocalUtm(centre.x, centre.y);

  geo::GdalErrorTrap trap;
  OGRSpatialReference utm, target;
  utm.importFromEPSG(frame.epsg());
  utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  RB_CHECK(target.importFromWkt(grid.georef.crs_wkt.c_str()) == OGRERR_NONE);
  target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> to_grid(
      OGRCreateCoordinateTransformation(&utm, &target));
  RB_CHECK(to_grid != nullptr);

  std::vector<std::unique_ptr<OGRGeometry>> polygons;
  for (const geo::RoadFeature& feature : features) {
    double half_width = HalfWidth(feature, spec);
    for (const geo::LineString& part : feature.parts) {
      if (part.empty()) continue;
      OGRLineString line;
      for (const geo::Point2& p : part) {
        geo::Point2 m = frame.ToMetres(p);
        line.addPoint(m.x, m.y);
      }
      std::unique_ptr<OGRGeometry> polygon(line.Buffer(half_width, spec.quadrant_segments));
      if (!polygon || polygon->IsEmpty()) continue;
      if (polygon->transform(to_grid.get()) != OGRERR_NONE) {
        Throw(ErrorCode::kIo, "a buffered road cannot be transformed to the raster's CRS");
      }
      polygons.push_back(std::move(polygon));
    }
  }
  if (polygons.empty()) return mask;

  // Rasterise into an in-memory band sharing the mask's pixels.
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDatasetUniquePtr dataset(driver->Create("", grid.width, grid.height, 1, GDT_Byte, nullptr));
  RB_CHECK(dataset != nullptr);
  std::array<double, 6> coefficients = gt.coefficients();
  dataset->SetGeoTransform(coefficients.data());
  std::vector<OGRGeometryH> handles;
  std::vector<double> burn(polygons.size(), 1.0);
  for (auto& polygon : polygons) handles.push_back(OGRGeometry::ToHandle(polygon.get()));
  int band = 1;
  CPLErr status = GDALRasterizeGeometries(GDALDataset::ToHandle(dataset.get()), 1, &band,
                                          static_cast<int>(handles.size()), handles.data(), nullptr,
                                          nullptr, burn.data(), nullptr, nullptr, nullptr);
  if (status != CE_None)
    Throw(ErrorCode::kInternal, "GDAL could not rasterise the buffers: {}", trap.last_error());
  status = dataset->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, grid.width, grid.height, mask.data,
                                               grid.width, grid.height, GDT_Byte, 0, 0, nullptr);
  RB_CHECK(status == CE_None);
  return mask;
}

}  // namespace rb::mask
