#include "common/geo/wkt_pix.hpp"

#include <cpl_vsi.h>
#include <ogr_geometry.h>

#include <fstream>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "common/geo/gdal_env.hpp"

namespace rb::geo {
namespace {

std::string ReadThroughVsi(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    Throw(ErrorCode::kIo, "cannot open CSV '{}': no such file", path.string());
  }
  GdalErrorTrap trap;
  std::string vsi_path = path.extension() == ".gz" ? "/vsigzip/" + path.string() : path.string();
  GByte* buffer = nullptr;
  vsi_l_offset size = 0;
  if (!VSIIngestFile(nullptr, vsi_path.c_str(), &buffer, &size, -1)) {
    ThrowGdalError(trap, "cannot read CSV", path);
  }
  std::string text(reinterpret_cast<const char*>(buffer), static_cast<size_t>(size));
  VSIFree(buffer);
  return text;
}

// Splits one CSV record (RFC 4180 quoting; no newlines inside fields).
std::vector<std::string> SplitCsvRecord(std::string_view line, bool* ok) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  *ok = true;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) *ok = false;
  return fields;
}

}  // namespace

std::vector<LineString> ParseWktLines(std::string_view wkt) {
  InitGdal();
  std::string text(wkt);
  OGRGeometry* raw = nullptr;
  const char* cursor = text.c_str();
  if (OGRGeometryFactory::createFromWkt(&cursor, nullptr, &raw) != OGRERR_NONE || raw == nullptr) {
    Throw(ErrorCode::kIo, "invalid WKT '{}'", text.substr(0, 60));
  }
  std::unique_ptr<OGRGeometry> geometry(raw);
  std::vector<LineString> lines;
  auto add = [&](const OGRLineString& line) {
    if (line.IsEmpty()) return;
    LineString out;
    out.reserve(line.getNumPoints());
    for (int i = 0; i < line.getNumPoints(); ++i) out.push_back({line.getX(i), line.getY(i)});
    lines.push_back(std::move(out));
  };
  switch (wkbFlatten(geometry->getGeometryType())) {
    case wkbLineString:
      add(*geometry->toLineString());
      break;
    case wkbMultiLineString:
      for (const OGRLineString* part : *geometry->toMultiLineString()) add(*part);
      break;
    default:
      Throw(ErrorCode::kIo, "WKT '{}' is a {}, not a LINESTRING", text.substr(0, 60),
            geometry->getGeometryName());
  }
  return lines;
}

std::vector<WktPixRow> ReadWktPixCsv(const std::filesystem::path& path) {
  std::string text = ReadThroughVsi(path);
  std::vector<WktPixRow> rows;
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    bool ok = true;
    std::vector<std::string> fields = SplitCsvRecord(line, &ok);
    auto where = [&] { return fmt::format("at line {} of '{}'", line_number, path.string()); };
    if (!ok || fields.size() < 2) {
      Throw(ErrorCode::kIo, "expected ImageId,WKT_Pix {}", where());
    }
    if (line_number == 1 && fields[0] == "ImageId") continue;  // header
    if (fields[0].empty()) Throw(ErrorCode::kIo, "empty ImageId {}", where());
    std::vector<LineString> lines = WithContext(where(), [&] { return ParseWktLines(fields[1]); });
    if (lines.empty()) {
      rows.push_back({fields[0], {}});
    }
    for (LineString& part : lines) rows.push_back({fields[0], std::move(part)});
  }
  return rows;
}

std::string FormatWktLineString(const LineString& line, int decimals) {
  if (line.empty()) return "LINESTRING EMPTY";
  std::string out = "LINESTRING (";
  for (size_t i = 0; i < line.size(); ++i) {
    if (i > 0) out += ", ";
    fmt::format_to(std::back_inserter(out), "{:.{}f} {:.{}f}", line[i].x, decimals, line[i].y,
                   decimals);
  }
  out += ')';
  return out;
}

void WriteWktPixCsv(const std::filesystem::path& path, const std::vector<WktPixRow>& rows,
                    const WktPixWriteOptions& options) {
  std::string text;
  if (options.header) text += "ImageId,WKT_Pix\n";
  for (const WktPixRow& row : rows) {
    RB_CHECK_ARG(row.image_id.find_first_of(",\"\n") == std::string::npos,
                 "ImageId '{}' cannot be written to CSV", row.image_id);
    if (row.line.empty()) {
      fmt::format_to(std::back_inserter(text), "{},LINESTRING EMPTY\n", row.image_id);
    } else {
      fmt::format_to(std::back_inserter(text), "{},\"{}\"\n", row.image_id,
                     FormatWktLineString(row.line, options.decimals));
    }
  }
  std::ofstream out(path, std::ios::binary);
  if (!out) Throw(ErrorCode::kIo, "cannot create CSV '{}'", path.string());
  out << text;
  out.close();
  if (!out) Throw(ErrorCode::kIo, "cannot write CSV '{}'", path.string());
}

std::map<std::string, std::vector<LineString>, ImageIdLess> GroupByImage(
    const std::vector<WktPixRow>& rows) {
  std::map<std::string, std::vector<LineString>, ImageIdLess> images;
  for (const WktPixRow& row : rows) {
    auto& lines = images[row.image_id];
    if (!row.line.empty()) lines.push_back(row.line);
  }
  return images;
}

}  // namespace rb::geo
