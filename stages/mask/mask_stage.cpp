// rb-mask's Run function and parameters.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/geo/bands.hpp"
#include "common/geo/nodata.hpp"
#include "common/geo/raster_io.hpp"
#include "common/geo/stretch.hpp"
#include "stages/mask/mask.hpp"

namespace rb::mask {
namespace fs = std::filesystem;
namespace {

constexpr uint8_t kNodataLabel = 255;

cv::Mat AsMat(const geo::Raster& raster, int band) {
  RB_CHECK(raster.type() == geo::PixelType::kUInt8);
  return cv::Mat(raster.height(), raster.width(), CV_8U,
                 const_cast<uint8_t*>(raster.Band<uint8_t>(band).data()));
}

// One or three bands of a raster as an 8-bit image. "auto" picks Blue, Red and NIR1 of 8-band
// imagery: with blue-rich skylight in shadows and dark asphalt in the NIR, they keep fills out of
// shadowed ground that R,G,B alone confuse with asphalt. Otherwise the first three bands, or the
// single band. Non-8-bit bands are stretched 2-98 %.
cv::Mat EightBitImage(const fs::path& path, const std::string& bands_text,
                      std::optional<uint16_t> nodata) {
  geo::RasterInfo info = geo::ReadRasterInfo(path);
  std::string text = bands_text;
  if (text == "auto") text = info.bands == 8 ? "blue,red,nir1" : info.bands >= 3 ? "1,2,3" : "1";
  std::vector<int> bands = geo::ParseBandSelection(text, info.bands);
  RB_CHECK_ARG(bands.size() == 1 || bands.size() == 3,
               "flood fill uses 1 or 3 bands, --fill-bands '{}' names {}", bands_text,
               bands.size());
  geo::Raster raster = geo::ReadRaster(path, {.bands = bands, .as_type = geo::PixelType::kUInt16});
  std::vector<cv::Mat> channels;
  for (int b = 0; b < raster.bands(); ++b) {
    cv::Mat channel(raster.height(), raster.width(), CV_8U);
    auto samples = raster.Band<uint16_t>(b);
    geo::StretchRange range = info.type == geo::PixelType::kUInt8
                                  ? geo::StretchRange{0, 255}
                                  : geo::PercentileRange(samples, 2, 98, nodata);
    geo::StretchToByte(samples, range, {channel.data, samples.size()}, nodata);
    channels.push_back(channel);
  }
  std::reverse(channels.begin(), channels.end());  // OpenCV's channel order is B, G, R
  cv::Mat image;
  cv::merge(channels, image);
  return image;
}

void WriteOverlay(const fs::path& path, const cv::Mat& image, const cv::Mat& labels) {
  cv::Mat bgr;
  if (image.channels() == 1) {
    cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
  } else {
    bgr = image.clone();
  }
  cv::Mat red(bgr.size(), bgr.type(), cv::Scalar(0, 0, 255)), blended;
  cv::addWeighted(bgr, 0.5, red, 0.5, 0, blended);
  blended.copyTo(bgr, labels == 1);
  bgr.setTo(cv::Scalar(0, 0, 0), labels == kNodataLabel);
  RB_CHECK_IO(cv::imwrite(path.string(), bgr), "cannot write overlay '{}'", path.string());
}

nlohmann::json RunMask(const Params& params, cli::StageOutputs& outputs, RunContext&) {
  fs::path reference_path = params.GetPath("reference");
  geo::RasterReader reference = geo::RasterReader::Open(reference_path);
  geo::RequireGeoreferenced(reference.info(), reference_path);
  Grid grid{reference.info().width, reference.info().height, reference.info().georef};
  std::optional<uint16_t> nodata = geo::ResolveNodata(params.GetString("nodata"), reference.info());
  geo::Raster nodata_raster = geo::NodataMask(reference, nodata);
  cv::Mat nodata_mask = AsMat(nodata_raster, 0);

  std::vector<geo::RoadFeature> features = geo::ReadRoadGeoJson(params.GetPath("labels"));
  const std::string method = params.GetString("method");
  nlohmann::json figures = {{"method", method}, {"features", features.size()}};
  cv::Mat labels;
  std::optional<Instances> instances;
  cv::Mat flood_image;
  if (method == "buffer") {
    BufferSpec spec{.half_width_m = params.GetFloat("width"),
                    .from_attributes = params.GetBool("width_from_attributes"),
                    .lane_width_m = params.GetFloat("lane_width")};
    labels = BufferMask(features, grid, spec);
  } else if (method == "floodfill") {
    fs::path image_path = params.Has("image") ? params.GetPath("image") : reference_path;
    flood_image = EightBitImage(image_path, params.GetString("fill_bands"), nodata);
    FloodSpec spec{.low_diff = static_cast<int>(params.GetInt("low_diff")),
                   .high_diff = static_cast<int>(params.GetInt("high_diff")),
                   .fixed_range = params.GetBool("fixed_range"),
                   .connectivity = std::stoi(params.GetString("connectivity")),
                   .max_distance_m = params.GetFloat("max_distance"),
                   .core_half_width_m = params.GetFloat("core_width"),
                   .seed_step_m = params.GetFloat("seed_step"),
                   .close_m = params.GetFloat("close")};
    FloodResult result = FloodFillMask(features, grid, flood_image, nodata_mask, spec);
    labels = result.mask;
    figures["core_pixels"] = result.core_pixels;
    figures["fill_added_pixels"] = result.fill_added_pixels;
    figures["seeds"] = result.seeds;
    LogInfo("core buffer {} px, flood fills added {} px from {} seeds", result.core_pixels,
            result.fill_added_pixels, result.seeds);
  } else {
    instances = BresenhamInstances(features, grid, static_cast<int>(params.GetInt("thickness")));
    labels = instances->mask;
    figures["instances"] = instances->stack.shape[0];
  }
  labels.setTo(kNodataLabel, nodata_mask);
  int64_t road = cv::countNonZero(labels == 1);
  figures["road_pixels"] = road;
  figures["nodata_pixels"] = cv::countNonZero(nodata_mask);
  if (!features.empty() && road == 0) {
    LogWarning("no label of '{}' falls on the image", params.GetString("labels"));
  }

  geo::Raster out(geo::PixelType::kUInt8, 1, grid.height, grid.width);
  std::copy(labels.datastart, labels.dataend, out.Band<uint8_t>(0).begin());
  out.georef = grid.georef;
  out.nodata = kNodataLabel;
  out.band_names = {"road"};
  geo::WriteGeoTiff(outputs.Path("out"), out);
  if (outputs.Has("npy")) {
    io::WriteNpy(
        outputs.Path("npy"),
        instances ? instances->stack
                  : io::NpyArray::From<uint8_t>(out.Band<uint8_t>(0), {grid.height, grid.width}));
  }
  if (outputs.Has("instances")) {
    RB_CHECK_ARG(instances.has_value(), "--instances needs --method bresenham");
    geo::Raster ids(geo::PixelType::kUInt16, 1, grid.height, grid.width);
    std::copy_n(instances->ids.ptr<uint16_t>(), ids.band_pixels(), ids.Band<uint16_t>(0).begin());
    ids.georef = grid.georef;
    ids.band_names = {"instance"};
    geo::WriteGeoTiff(outputs.Path("instances"), ids);
  }
  if (outputs.Has("overlay")) {
    if (flood_image.empty()) {
      bool multispectral = reference.info().bands == 8;
      flood_image = EightBitImage(reference_path, multispectral ? "rgb" : "auto", nodata);
    }
    WriteOverlay(outputs.Path("overlay"), flood_image, labels);
  }
  return figures;
}

}  // namespace

cli::StageDescriptor MaskStage() {
  cli::StageDescriptor stage;
  stage.name = "rb-mask";
  stage.summary =
      "Road label masks from centerlines on an image's grid: buffer, flood fill or "
      "per-line instances.";
  stage.description =
      "Writes a Byte GeoTIFF with the reference image's georeference: 0 background, 1 road, 255 "
      "where the image has no data. --method buffer reproduces CosmiQ/solaris road_mask "
      "(buffer in the local UTM zone); floodfill grows the labels over the road's own colour "
      "within --max-distance of the centerline; bresenham draws one mask per line for Mask R-CNN "
      "(--npy: uint8 [N,H,W], --instances: instance ids).";
  ParamSpecs& p = stage.params;
  p.Input("labels", "road centerlines (GeoJSON, lon/lat; SpaceNet schema)").Required();
  p.Input("reference", "raster whose grid the mask takes (and whose nodata becomes 255)")
      .Required();
  p.Output("out", "mask GeoTIFF").Required();
  p.Choice("method", "how labels become pixels", {"buffer", "floodfill", "bresenham"}, "buffer");
  p.Float("width", "buffer: metres each side of the centerline", 2.0).Range(0.01, 100);
  p.Bool("width_from_attributes", "buffer: half width = lanes x lane width / 2 where known");
  p.Float("lane_width", "buffer: metres per lane with --width-from-attributes", 3.5).Range(0.5, 10);
  p.Input("image", "floodfill: the image to fill on (default: the reference)");
  p.String("fill_bands", "floodfill: 1 or 3 bands; auto = Blue,Red,NIR1 of 8-band imagery", "auto");
  p.Int("low_diff", "floodfill: tolerance below, 8-bit levels", 10).Range(0, 255);
  p.Int("high_diff", "floodfill: tolerance above, 8-bit levels", 10).Range(0, 255);
  p.Bool("fixed_range", "floodfill: compare with the seed pixel (else with the neighbour)", true);
  p.Choice("connectivity", "floodfill: pixel connectivity", {"4", "8"}, "4");
  p.Float("max_distance", "floodfill: no label farther than this from a centerline, metres", 6)
      .Range(0.1, 100);
  p.Float("core_width", "floodfill: metres each side always labelled", 1.0).Range(0, 100);
  p.Float("seed_step", "floodfill: metres between seeds along the centerlines", 3.0)
      .Range(0.1, 1000);
  p.Float("close", "floodfill: closing radius in metres that fills holes (cars, marks)", 0.8)
      .Range(0, 10);
  p.Int("thickness", "bresenham: line thickness in pixels", 1).Range(1, 255);
  p.Output("npy", "also write the mask as NPY (bresenham: the [N,H,W] instance stack)");
  p.Output("instances", "bresenham: instance-id GeoTIFF (UInt16, 0 background)");
  p.Output("overlay", "PNG of the labels over the image, for people");
  p.String("nodata", "reference nodata: auto (its own, else 0 as in SpaceNet), none, or a value",
           "auto");
  stage.run = RunMask;
  return stage;
}

}  // namespace rb::mask
