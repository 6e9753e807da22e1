// SpaceNet's pixel-space WKT CSV ("ImageId,WKT_Pix"): the summaryData truth files and the
// challenge submission format. One row per LineString, "LINESTRING EMPTY" (unquoted) as the one
// row of an image without roads. Pixel coordinates: x = column, y = row, corner convention.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/geo/geometry.hpp"
#include "common/geo/image_id.hpp"

namespace rb::geo {

struct WktPixRow {
  std::string image_id;
  LineString line;  // empty for LINESTRING EMPTY
};

// Header optional; extra columns after WKT_Pix ignored; MULTILINESTRING rows split into parts;
// a ".gz" file is read through GDAL's /vsigzip/. Throws kIo naming the file and line.
std::vector<WktPixRow> ReadWktPixCsv(const std::filesystem::path& path);

// "LINESTRING (x y, x y)" with fixed decimals, or "LINESTRING EMPTY".
std::string FormatWktLineString(const LineString& line, int decimals = 2);
// Parses LINESTRING / LINESTRING EMPTY / MULTILINESTRING (parts appended) with OGR.
std::vector<LineString> ParseWktLines(std::string_view wkt);

struct WktPixWriteOptions {
  bool header = true;
  int decimals = 2;  // summaryData uses 2
};
// Writes `path` directly; callers provide atomicity.
void WriteWktPixCsv(const std::filesystem::path& path, const std::vector<WktPixRow>& rows,
                    const WktPixWriteOptions& options = {});

// Rows grouped by image; an image whose only row is LINESTRING EMPTY maps to no lines.
std::map<std::string, std::vector<LineString>, ImageIdLess> GroupByImage(
    const std::vector<WktPixRow>& rows);

}  // namespace rb::geo
