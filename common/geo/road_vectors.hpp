// Road centerlines as GeoJSON through OGR: LineString and MultiLineString features in lon/lat
// (CRS84) with their properties, as SpaceNet ships them and as roadbrew writes proposals.
#pragma once

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/geo/geometry.hpp"
#include "common/geo/georef.hpp"

namespace rb::geo {

struct RoadFeature {
  // One part for a LineString, several for a MultiLineString; (lon, lat) degrees.
  std::vector<LineString> parts;
  // As stored in the file, in file order: SpaceNet keeps codes as strings ("road_type": "5").
  nlohmann::ordered_json properties = nlohmann::ordered_json::object();
};

// Reads a GeoJSON FeatureCollection. A 0-byte file and "features": [] give no features (SpaceNet
// ships both for images without roads); features without geometry are skipped. Coordinates are
// reprojected to lon/lat if the file declares another CRS; Z values are dropped.
// Throws kIo naming the file when it is missing, not GeoJSON, or holds non-line geometries.
std::vector<RoadFeature> ReadRoadGeoJson(const std::filesystem::path& path);

// Writes a FeatureCollection in lon/lat with a CRS84 "crs" member, properties typed as given
// (strings stay strings). Writes `path` directly; callers provide atomicity.
void WriteRoadGeoJson(const std::filesystem::path& path, const std::vector<RoadFeature>& features);

// The parts of `features` (lon/lat) in pixel coordinates of a raster grid, reprojected first when
// the grid's CRS is not geographic. One LineString per part; throws kIo when the grid has no
// georeference.
std::vector<LineString> PixelLines(const std::vector<RoadFeature>& features,
                                   const GeoReference& grid);

}  // namespace rb::geo
