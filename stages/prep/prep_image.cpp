// rb-prep image: one raster in, one prepared raster out.
#include <tbb/parallel_for.h>

#include <cmath>
#include <limits>

#include "common/core/check.hpp"
#include "common/geo/bands.hpp"
#include "common/geo/crs.hpp"
#include "common/geo/nodata.hpp"
#include "stages/prep/prep.hpp"

namespace rb::prep {
namespace {

constexpr int kWindowRows = 256;  // rows read, stretched and written at a time

geo::PixelType PixelTypeOf(OutputType type) {
  switch (type) {
    case OutputType::kByte:
      return geo::PixelType::kUInt8;
    case OutputType::kUInt16:
      return geo::PixelType::kUInt16;
    case OutputType::kFloat32:
      return geo::PixelType::kFloat32;
  }
  return geo::PixelType::kUInt8;
}

template <class Out>
void StretchBand(std::span<const uint16_t> in, geo::StretchRange range, std::span<Out> out,
                 std::optional<uint16_t> nodata) {
  if constexpr (std::is_same_v<Out, float>) {
    double width = range.hi - range.lo;
    for (size_t i = 0; i < in.size(); ++i) {
      if (nodata && in[i] == *nodata) {
        out[i] = std::numeric_limits<float>::quiet_NaN();
      } else {
        double v = width > 0 ? (in[i] - range.lo) / width : (in[i] >= range.lo ? 1.0 : 0.0);
        out[i] = static_cast<float>(std::clamp(v, 0.0, 1.0));
      }
    }
  } else {
    // Valid samples start at 1 when 0 marks nodata, so a dark pixel never reads as missing.
    double top = static_cast<double>(std::numeric_limits<Out>::max());
    double bottom = nodata ? 1.0 : 0.0;
    double width = range.hi - range.lo;
    std::vector<Out> table(65536);
    for (size_t v = 0; v < table.size(); ++v) {
      double t = width > 0 ? (static_cast<double>(v) - range.lo) / width
                           : (static_cast<double>(v) >= range.lo ? 1.0 : 0.0);
      table[v] = static_cast<Out>(std::lround(bottom + (top - bottom) * std::clamp(t, 0.0, 1.0)));
    }
    if (nodata) table[*nodata] = 0;
    for (size_t i = 0; i < in.size(); ++i) out[i] = table[in[i]];
  }
}

}  // namespace

std::vector<geo::Histogram16> BandHistograms(const geo::RasterReader& reader,
                                             const std::vector<int>& bands,
                                             std::optional<uint16_t> nodata) {
  const geo::RasterInfo& info = reader.info();
  std::vector<geo::Histogram16> histograms(bands.size());
  for (int row = 0; row < info.height; row += kWindowRows) {
    int rows = std::min(kWindowRows, info.height - row);
    geo::Raster window = reader.Read({.window = geo::PixelWindow{0, row, info.width, rows},
                                      .bands = bands,
                                      .as_type = geo::PixelType::kUInt16});
    tbb::parallel_for(0, window.bands(), [&](int b) {
      histograms[static_cast<size_t>(b)].Add(window.Band<uint16_t>(b), nodata);
    });
  }
  return histograms;
}

geo::Raster StretchWindow(const geo::Raster& window, const std::vector<geo::StretchRange>& ranges,
                          OutputType type, std::optional<uint16_t> nodata) {
  RB_CHECK_EQ(static_cast<size_t>(window.bands()), ranges.size());
  RB_CHECK(window.type() == geo::PixelType::kUInt16);
  geo::Raster out(PixelTypeOf(type), window.bands(), window.height(), window.width());
  tbb::parallel_for(0, window.bands(), [&](int b) {
    auto in = window.Band<uint16_t>(b);
    switch (type) {
      case OutputType::kByte:
        StretchBand(in, ranges[b], out.Band<uint8_t>(b), nodata);
        break;
      case OutputType::kUInt16:
        StretchBand(in, ranges[b], out.Band<uint16_t>(b), nodata);
        break;
      case OutputType::kFloat32:
        StretchBand(in, ranges[b], out.Band<float>(b), nodata);
        break;
    }
  });
  out.georef = window.georef;
  out.band_names = window.band_names;
  return out;
}

ImageReport PrepareImage(const std::filesystem::path& input, const std::filesystem::path& output,
                         const ImageSpec& spec) {
  geo::WarpSpec warp = spec.warp;
  geo::RasterInfo source_info = geo::ReadRasterInfo(input);
  if (spec.utm) {
    // Square metre pixels: the local UTM zone at the image centre, at the mean ground pixel
    // size unless a resolution was given.
    geo::RequireGeoreferenced(source_info, input);
    geo::Point2 centre = source_info.georef.transform->PixelToGeo(
        {source_info.width / 2.0, source_info.height / 2.0});
    if (!geo::IsGeographic(source_info.georef.crs_wkt)) {
      centre = geo::CrsTransform(source_info.georef.crs_wkt, "OGC:CRS84").Forward(centre);
    }
    warp.target_crs = "EPSG:" + std::to_string(geo::UtmEpsgFor(centre.x, centre.y));
    if (warp.resolution == 0 && warp.width == 0) {
      geo::GroundSize ground = geo::GroundPixelSize(
          source_info.georef, {source_info.width / 2.0, source_info.height / 2.0});
      warp.resolution = (ground.x_metres + ground.y_metres) / 2;
    }
  }
  geo::RasterReader reader = geo::RasterReader::OpenWarped(input, warp);
  const geo::RasterInfo& info = reader.info();
  ImageReport report;
  report.bands = geo::ParseBandSelection(spec.bands, info.bands);
  report.width = info.width;
  report.height = info.height;
  report.crs_wkt = info.georef.crs_wkt;
  std::optional<uint16_t> nodata = geo::ResolveNodata(spec.nodata, source_info);
  bool integer_input = info.type == geo::PixelType::kUInt16 || info.type == geo::PixelType::kUInt8;
  if (spec.stretch) {
    RB_CHECK_ARG(integer_input, "percentile stretch needs 8- or 16-bit unsigned input, '{}' is {}",
                 input.string(), geo::PixelTypeName(info.type));
    std::vector<geo::Histogram16> histograms =
        spec.aoi_histograms ? *spec.aoi_histograms : BandHistograms(reader, report.bands, nodata);
    RB_CHECK_EQ(histograms.size(), report.bands.size());
    for (const geo::Histogram16& histogram : histograms) {
      report.ranges.push_back(
          {histogram.Percentile(spec.low_percent), histogram.Percentile(spec.high_percent)});
    }
  }

  geo::GeoTiffWriter::Layout layout{info.width,
                                    info.height,
                                    static_cast<int>(report.bands.size()),
                                    spec.stretch ? PixelTypeOf(spec.type) : info.type,
                                    info.georef,
                                    std::nullopt,
                                    {}};
  if (nodata) {
    layout.nodata = spec.stretch && spec.type == OutputType::kFloat32
                        ? std::numeric_limits<double>::quiet_NaN()
                        : (spec.stretch ? 0.0 : static_cast<double>(*nodata));
  }
  for (int band : report.bands) {
    layout.band_names.push_back(info.band_names.empty() ? geo::WorldView3BandName(band)
                                                        : info.band_names[band - 1]);
  }
  geo::GeoTiffWriter writer(output, layout);
  for (int row = 0; row < info.height; row += kWindowRows) {
    int rows = std::min(kWindowRows, info.height - row);
    geo::RasterReadOptions read{.window = geo::PixelWindow{0, row, info.width, rows},
                                .bands = report.bands};
    if (spec.stretch) read.as_type = geo::PixelType::kUInt16;
    geo::Raster window = reader.Read(read);
    window.band_names = layout.band_names;
    writer.Write(spec.stretch ? StretchWindow(window, report.ranges, spec.type, nodata) : window, 0,
                 row);
  }
  writer.Close();
  return report;
}

}  // namespace rb::prep
