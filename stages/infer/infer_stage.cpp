// rb-infer's parameters and Run function: image lists, bands, streaming GeoTIFF/NPY outputs.
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/ranges.h>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/geo/bands.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/file_list.hpp"
#include "common/io/json_config.hpp"
#include "common/io/npy.hpp"
#include "roadbrew/kernels/threads.hpp"
#include "stages/infer/infer.hpp"

namespace rb::infer {
namespace fs = std::filesystem;
namespace {

// A raster, a folder of rasters, a glob pattern, or an rb-prep tiles manifest (its images, or
// those of one split).
std::vector<fs::path> ListImages(const std::string& spec, const std::string& split) {
  fs::path path(spec);
  if (path.extension() != ".json") return io::ListFiles(spec, {".tif", ".tiff", ".vrt"});
  nlohmann::json manifest = io::LoadJsonFile(path);
  RB_CHECK_ARG(manifest.value("kind", "") == "tiles", "'{}' is not an rb-prep tiles manifest",
               spec);
  std::vector<fs::path> images;
  for (const nlohmann::json& image : manifest.at("images")) {
    if (!split.empty() && image.value("split", "") != split) continue;
    fs::path file(image.at("image").get<std::string>());
    images.push_back(file.is_absolute() ? file : path.parent_path() / file);
  }
  RB_CHECK_IO(!images.empty(), "manifest '{}' lists no images{}", spec,
              split.empty() ? "" : " of split '" + split + "'");
  return images;
}

// 1-based bands of `info` that feed the model, by name when the image names its bands.
std::vector<int> ModelBands(const InferModel& model, const geo::RasterInfo& info,
                            const fs::path& image) {
  if (model.bands.empty()) return geo::ParseBandSelection("all", info.bands);
  bool named = std::any_of(info.band_names.begin(), info.band_names.end(),
                           [](const std::string& name) { return !name.empty(); });
  if (named)
    return geo::SelectNamedBands(fmt::format("{}", fmt::join(model.bands, ",")), info.band_names);
  RB_CHECK_IO(info.bands == static_cast<int>(model.bands.size()),
              "image '{}' has {} unnamed bands; the model takes {} ({})", image.string(),
              info.bands, model.bands.size(), fmt::join(model.bands, ","));
  return geo::ParseBandSelection("all", info.bands);
}

// Rows of the selected bands as HWC samples.
std::vector<uint8_t> ReadRowsHwc(const geo::RasterReader& reader, const std::vector<int>& bands,
                                 int row, int rows) {
  const int width = reader.info().width, count = static_cast<int>(bands.size());
  geo::Raster raster =
      reader.Read({.window = geo::PixelWindow{0, row, width, rows}, .bands = bands});
  std::vector<uint8_t> out(static_cast<size_t>(rows) * width * count);
  for (int b = 0; b < count; ++b) {
    auto band = raster.Band<uint8_t>(b);
    for (size_t p = 0; p < band.size(); ++p) out[p * count + b] = band[p];
  }
  return out;
}

struct ImageOutputs {
  std::unique_ptr<geo::GeoTiffWriter> probability, mask;
  std::ofstream npy;
};

nlohmann::json InferImage(const fs::path& image, const InferModel& model, const ScenePlan& base,
                          nn::Backend backend, const Params& params, cli::StageOutputs& outputs) {
  geo::RasterReader reader = geo::RasterReader::Open(image);
  const geo::RasterInfo& info = reader.info();
  geo::RequireGeoreferenced(info, image);
  RB_CHECK_IO(info.type == geo::PixelType::kUInt8,
              "image '{}' has {} samples; rb-infer reads the Byte images rb-prep writes",
              image.string(), geo::PixelTypeName(info.type));
  std::vector<int> bands = ModelBands(model, info, image);
  const uint8_t nodata = static_cast<uint8_t>(info.nodata.value_or(0));
  ScenePlan plan = base;
  plan.width = info.width;
  plan.height = info.height;
  plan.bands = static_cast<int>(bands.size());

  const fs::path out_dir = outputs.Path("out");
  const std::string stem = image.stem().string();
  ImageOutputs out;
  geo::GeoTiffWriter::Layout layout{info.width,
                                    info.height,
                                    1,
                                    geo::PixelType::kFloat32,
                                    info.georef,
                                    std::numeric_limits<double>::quiet_NaN(),
                                    {"road_probability"}};
  out.probability = std::make_unique<geo::GeoTiffWriter>(
      outputs.Add(out_dir / (stem + ".prob.tif"), true), layout);
  const float threshold = static_cast<float>(params.GetFloat("threshold"));
  if (params.GetBool("mask")) {
    geo::GeoTiffWriter::Layout mask_layout{
        info.width, info.height, 1, geo::PixelType::kUInt8, info.georef, 255.0, {"road"}};
    out.mask = std::make_unique<geo::GeoTiffWriter>(
        outputs.Add(out_dir / (stem + ".mask.tif"), false), mask_layout);
  }
  if (params.GetBool("npy")) {
    out.npy.open(outputs.Add(out_dir / (stem + ".prob.npy"), false), std::ios::binary);
    std::string header = io::EncodeNpyHeader(io::DType::kFloat32, {info.height, info.width});
    out.npy.write(header.data(), static_cast<std::streamsize>(header.size()));
  }

  auto read = [&](int row, int rows) { return ReadRowsHwc(reader, bands, row, rows); };
  int64_t road_pixels = 0;
  auto emit = [&](int row, int rows, const std::vector<float>& probability) {
    std::vector<uint8_t> samples = ReadRowsHwc(reader, bands, row, rows);
    geo::Raster prob(geo::PixelType::kFloat32, 1, rows, info.width);
    geo::Raster mask(geo::PixelType::kUInt8, 1, rows, info.width);
    auto p = prob.Band<float>(0);
    auto m = mask.Band<uint8_t>(0);
    for (size_t i = 0; i < p.size(); ++i) {
      const uint8_t* pixel = samples.data() + i * bands.size();
      bool empty = std::all_of(pixel, pixel + bands.size(), [&](uint8_t v) { return v == nodata; });
      p[i] = empty ? std::numeric_limits<float>::quiet_NaN() : probability[i];
      m[i] = empty ? 255 : (probability[i] > threshold ? 1 : 0);
      road_pixels += m[i] == 1;
    }
    out.probability->Write(prob, 0, row);
    if (out.mask) out.mask->Write(mask, 0, row);
    if (out.npy.is_open()) {
      out.npy.write(reinterpret_cast<const char*>(p.data()),
                    static_cast<std::streamsize>(p.size() * sizeof(float)));
    }
  };
  PredictScene(model, plan, backend, read, emit);
  out.probability->Close();
  if (out.mask) out.mask->Close();
  if (out.npy.is_open()) {
    out.npy.close();
    RB_CHECK_IO(!out.npy.fail(), "cannot write the NPY of '{}'", image.string());
  }
  return {{"image", image.string()},
          {"width", info.width},
          {"height", info.height},
          {"road_fraction", static_cast<double>(road_pixels) / (double(info.width) * info.height)}};
}

nlohmann::json RunInfer(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  InferModel model = LoadInferModel(params.GetPath("weights"),
                                    params.Has("model") ? params.GetPath("model") : fs::path());
  std::vector<fs::path> images = ListImages(params.GetString("images"), params.GetString("split"));
  kernels::SetThreads(context.threads());
  nn::Backend backend = nn::ChooseBackend(context.device(), params.GetString("backend"));
  ScenePlan plan;
  plan.window = static_cast<int>(params.GetInt("window"));
  plan.overlap = static_cast<int>(params.GetInt("overlap"));
  plan.flips = params.GetBool("flips");
  auto progress = context.StartProgress("inference", static_cast<int64_t>(images.size()));
  auto start = std::chrono::steady_clock::now();
  nlohmann::json per_image = nlohmann::json::array();
  double megapixels = 0;
  for (const fs::path& image : images) {
    per_image.push_back(InferImage(image, model, plan, backend, params, outputs));
    megapixels +=
        per_image.back()["width"].get<double>() * per_image.back()["height"].get<double>() / 1e6;
    progress->Advance();
  }
  progress->Finish();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  LogInfo("{} images, {:.1f} megapixels in {:.1f} s: {:.2f} images/s, {:.2f} megapixels/s",
          images.size(), megapixels, seconds, images.size() / seconds, megapixels / seconds);
  return {{"images", per_image},
          {"seconds", seconds},
          {"images_per_second", images.size() / seconds},
          {"megapixels_per_second", megapixels / seconds}};
}

}  // namespace

cli::StageDescriptor InferStage() {
  cli::StageDescriptor stage;
  stage.name = "rb-infer";
  stage.summary = "Road probability GeoTIFFs of whole scenes with a trained net.";
  stage.description =
      "For each image (a file, a folder, a glob or an rb-prep tiles manifest), writes "
      "<out>/<name>.prob.tif: float32 probability of road with the image's georeference (NaN "
      "where the image has no data), and on request the thresholded mask (.mask.tif: 0, 1, 255 "
      "nodata) and an NPY (.prob.npy). Images up to --window pixels run whole; larger ones in "
      "overlapping windows blended across the overlap, a strip at a time, so memory does not "
      "grow with the scene. The model, its bands and input scaling come from the weights file "
      "rb-train wrote.";
  ParamSpecs& p = stage.params;
  p.String("images", "a raster, a folder, a glob ('prep/*.tif') or a tiles manifest", {})
      .Required();
  p.String("split", "with a manifest: only the images of this split (train, val, test)", "");
  p.Input("weights", "weights from rb-train (best.safetensors or a snapshot)").Required();
  p.Input("model", "model JSON overriding the one stored with the weights");
  p.Output("out", "output folder").Required().Directory();
  p.Int("window", "largest size run whole; larger images run in windows of this size", 1024)
      .Range(32, 16384);
  p.Int("overlap", "pixels shared by neighbouring windows, blended", 128).Range(0, 4096);
  p.Bool("flips", "test-time augmentation: mean over the four flips (4x the work)");
  p.Bool("mask", "also write the thresholded mask");
  p.Float("threshold", "probability above which a pixel is road in the mask", 0.5).Range(0, 1);
  p.Bool("npy", "also write the probabilities as NPY (float32, H x W)");
  p.Choice("backend", "CPU kernels: auto (oneDNN when built), onednn or reference",
           {"auto", "onednn", "reference"}, "auto");
  stage.supports_cuda = true;
  stage.run = RunInfer;
  return stage;
}

}  // namespace rb::infer
