#include "common/geo/road_vectors.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "common/geo/crs.hpp"
#include "common/geo/gdal_env.hpp"

namespace rb::geo {
namespace {

LineString ToLine(const OGRLineString& line, OGRCoordinateTransformation* to_lon_lat) {
  LineString out;
  out.reserve(line.getNumPoints());
  for (int i = 0; i < line.getNumPoints(); ++i) {
    double x = line.getX(i), y = line.getY(i);
    if (to_lon_lat != nullptr && !to_lon_lat->Transform(1, &x, &y)) {
      Throw(ErrorCode::kIo, "coordinate ({}, {}) cannot be transformed to lon/lat", x, y);
    }
    out.push_back({x, y});
  }
  return out;
}

nlohmann::ordered_json FieldValue(OGRFeature& feature, int index) {
  OGRFieldDefn* field = feature.GetFieldDefnRef(index);
  switch (field->GetType()) {
    case OFTInteger:
      if (field->GetSubType() == OFSTBoolean) return feature.GetFieldAsInteger(index) != 0;
      return feature.GetFieldAsInteger(index);
    case OFTInteger64:
      return static_cast<int64_t>(feature.GetFieldAsInteger64(index));
    case OFTReal:
      return feature.GetFieldAsDouble(index);
    case OFTIntegerList:
    case OFTInteger64List:
    case OFTRealList:
    case OFTStringList: {
      // OGR renders lists as JSON-compatible text for GeoJSON sources.
      nlohmann::ordered_json parsed =
          nlohmann::ordered_json::parse(feature.GetFieldAsSerializedJSon(index), nullptr, false);
      return parsed.is_discarded() ? nlohmann::ordered_json(feature.GetFieldAsString(index))
                                   : parsed;
    }
    default:
      return feature.GetFieldAsString(index);
  }
}

}  // namespace

std::vector<RoadFeature> ReadRoadGeoJson(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    Throw(ErrorCode::kIo, "cannot open GeoJSON '{}': no such file", path.string());
  }
  if (std::filesystem::file_size(path, ec) == 0 && !ec) return {};  // SpaceNet's empty labels

  GdalErrorTrap trap;
  const char* drivers[] = {"GeoJSON", nullptr};
  GDALDatasetUniquePtr dataset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                                 drivers, nullptr, nullptr));
  if (!dataset) {
    if (trap.last_error().empty()) {
      Throw(ErrorCode::kIo, "'{}' is not a GeoJSON file", path.string());
    }
    ThrowGdalError(trap, "cannot read GeoJSON", path);
  }
  std::vector<RoadFeature> features;
  if (dataset->GetLayerCount() == 0) return features;
  OGRLayer* layer = dataset->GetLayer(0);

  // Reproject only when the file declares a CRS that is not lon/lat WGS 84.
  std::unique_ptr<OGRCoordinateTransformation> to_lon_lat;
  if (const OGRSpatialReference* srs = layer->GetSpatialRef()) {
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (!srs->IsSame(&wgs84)) {
      OGRSpatialReference source(*srs);
      source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
      to_lon_lat.reset(OGRCreateCoordinateTransformation(&source, &wgs84));
      if (!to_lon_lat) ThrowGdalError(trap, "cannot reproject the CRS of", path);
    }
  }

  layer->ResetReading();
  int index = 0;
  for (auto& feature : *layer) {
    RoadFeature road;
    for (int f = 0; f < feature->GetFieldCount(); ++f) {
      if (!feature->IsFieldSet(f)) continue;
      road.properties[feature->GetFieldDefnRef(f)->GetNameRef()] =
          feature->IsFieldNull(f) ? nlohmann::ordered_json(nullptr) : FieldValue(*feature, f);
    }
    const OGRGeometry* geometry = feature->GetGeometryRef();
    if (geometry == nullptr || geometry->IsEmpty()) {
      ++index;
      continue;
    }
    switch (wkbFlatten(geometry->getGeometryType())) {
      case wkbLineString:
        road.parts.push_back(ToLine(*geometry->toLineString(), to_lon_lat.get()));
        break;
      case wkbMultiLineString:
        for (const OGRLineString* part : *geometry->toMultiLineString()) {
          road.parts.push_back(ToLine(*part, to_lon_lat.get()));
        }
        break;
      default:
        Throw(ErrorCode::kIo, "feature {} of '{}' is a {}, not a road line", index, path.string(),
              geometry->getGeometryName());
    }
    features.push_back(std::move(road));
    ++index;
  }
  if (!trap.last_error().empty()) ThrowGdalError(trap, "cannot read GeoJSON", path);
  return features;
}

namespace {

// OGR field type for a JSON property: the type of its first non-null value, or string when
// the features disagree.
OGRFieldType FieldTypeFor(const std::vector<RoadFeature>& features, const std::string& key,
                          OGRFieldSubType* subtype) {
  *subtype = OFSTNone;
  std::optional<OGRFieldType> type;
  for (const RoadFeature& feature : features) {
    auto it = feature.properties.find(key);
    if (it == feature.properties.end() || it->is_null()) continue;
    OGRFieldType this_type = OFTString;
    if (it->is_boolean()) {
      this_type = OFTInteger;
      *subtype = OFSTBoolean;
    } else if (it->is_number_integer()) {
      this_type = OFTInteger64;
    } else if (it->is_number()) {
      this_type = OFTReal;
    }
    if (!type) {
      type = this_type;
    } else if (*type != this_type) {
      bool numeric = (*type == OFTInteger64 || *type == OFTReal) &&
                     (this_type == OFTInteger64 || this_type == OFTReal);
      type = numeric ? OFTReal : OFTString;
    }
  }
  if (type != OFTInteger) *subtype = OFSTNone;
  return type.value_or(OFTString);
}

}  // namespace

void WriteRoadGeoJson(const std::filesystem::path& path, const std::vector<RoadFeature>& features) {
  GdalErrorTrap trap;
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GeoJSON");
  RB_CHECK(driver != nullptr);
  GDALDatasetUniquePtr dataset(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!dataset) ThrowGdalError(trap, "cannot create GeoJSON", path);

  OGRSpatialReference wgs84;
  wgs84.SetWellKnownGeogCS("WGS84");
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  const char* layer_options[] = {"RFC7946=NO", "WRITE_NAME=NO", nullptr};
  std::string layer_name = path.stem().string();
  OGRLayer* layer = dataset->CreateLayer(layer_name.c_str(), &wgs84, wkbUnknown,
                                         const_cast<char**>(layer_options));
  if (layer == nullptr) ThrowGdalError(trap, "cannot create a layer in", path);

  // Fields in order of first appearance.
  std::vector<std::string> keys;
  for (const RoadFeature& feature : features) {
    for (auto it = feature.properties.begin(); it != feature.properties.end(); ++it) {
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
    }
  }
  for (const std::string& key : keys) {
    OGRFieldSubType subtype;
    OGRFieldDefn field(key.c_str(), FieldTypeFor(features, key, &subtype));
    field.SetSubType(subtype);
    if (layer->CreateField(&field) != OGRERR_NONE) {
      ThrowGdalError(trap, fmt::format("cannot create field '{}' in", key), path);
    }
  }

  for (const RoadFeature& road : features) {
    OGRFeature feature(layer->GetLayerDefn());
    for (auto it = road.properties.begin(); it != road.properties.end(); ++it) {
      int index = feature.GetFieldIndex(it.key().c_str());
      const nlohmann::ordered_json& value = *it;
      OGRFieldType type = feature.GetFieldDefnRef(index)->GetType();
      if (value.is_null()) {
        feature.SetFieldNull(index);
      } else if (type == OFTString) {
        feature.SetField(
            index, value.is_string() ? value.get<std::string>().c_str() : value.dump().c_str());
      } else if (type == OFTReal) {
        feature.SetField(index, value.get<double>());
      } else if (value.is_boolean()) {
        feature.SetField(index, value.get<bool>() ? 1 : 0);
      } else {
        feature.SetField(index, static_cast<GIntBig>(value.get<int64_t>()));
      }
    }
    if (road.parts.size() == 1) {
      OGRLineString line;
      for (const Point2& p : road.parts[0]) line.addPoint(p.x, p.y);
      feature.SetGeometry(&line);
    } else if (road.parts.size() > 1) {
      OGRMultiLineString multi;
      for (const LineString& part : road.parts) {
        OGRLineString line;
        for (const Point2& p : part) line.addPoint(p.x, p.y);
        multi.addGeometry(&line);
      }
      feature.SetGeometry(&multi);
    }
    if (layer->CreateFeature(&feature) != OGRERR_NONE) {
      ThrowGdalError(trap, "cannot write a feature to", path);
    }
  }
  dataset.reset();
  if (!trap.last_error().empty()) ThrowGdalError(trap, "cannot finish writing", path);
}

std::vector<LineString> PixelLines(const std::vector<RoadFeature>& features,
                                   const GeoReference& grid) {
  if (!grid.complete()) {
    Throw(ErrorCode::kIo, "the raster grid has no {}: labels cannot be placed on it",
          grid.crs_wkt.empty() ? "CRS" : "geotransform");
  }
  std::optional<CrsTransform> to_grid;
  if (!IsGeographic(grid.crs_wkt)) to_grid.emplace("OGC:CRS84", grid.crs_wkt);
  std::vector<LineString> lines;
  for (const RoadFeature& feature : features) {
    for (const LineString& part : feature.parts) {
      LineString pixels;
      pixels.reserve(part.size());
      for (const Point2& p : part) {
        pixels.push_back(grid.transform->GeoToPixel(to_grid ? to_grid->Forward(p) : p));
      }
      lines.push_back(std::move(pixels));
    }
  }
  return lines;
}

}  // namespace rb::geo
