// rb-synth's Run function: plan, render in parallel, write the SpaceNet layout atomically.
#include <tbb/parallel_for.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include <fmt/ranges.h>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/geo/raster_io.hpp"
#include "common/geo/wkt_pix.hpp"
#include "stages/synth/preview.hpp"
#include "stages/synth/synth.hpp"

namespace rb::synth {
namespace fs = std::filesystem;
namespace {

// The real road graphs shipped in data-samples/ (ROADBREW_DATA_DIR overrides where that is).
fs::path DefaultRoadCsv(const CityStyle& style) {
  const char* override_dir = std::getenv("ROADBREW_DATA_DIR");
  fs::path root =
      override_dir && *override_dir ? fs::path(override_dir) : fs::path(ROADBREW_DATA_SAMPLES_DIR);
  return root / "spacenet" / "summaryData" / fmt::format("{}_Roads_Train.csv.gz", style.aoi);
}

// Where one run writes: each folder is an atomic unit registered with the driver.
struct Destinations {
  geo::SpaceNetNaming naming;
  fs::path aoi;      // temporary AOI folder (imagery, and labels for the training split)
  fs::path labels;   // folder receiving geojson/ and summaryData/ (aoi, or truth for a test split)
  fs::path truth;    // temporary truth folder, empty when not written
  fs::path preview;  // temporary preview folder, empty when not written
  int preview_panel = 650;
};

fs::path Register(cli::StageOutputs& outputs, const fs::path& final_path, bool report) {
  fs::create_directories(final_path.parent_path());
  fs::path temp = outputs.Add(final_path, report);
  fs::create_directories(temp);
  return temp;
}

Destinations PrepareDestinations(const SynthOptions& options, bool emit_truth, bool preview,
                                 const fs::path& root, cli::StageOutputs& outputs) {
  Destinations d;
  d.naming = {options.layout, std::string(options.style->aoi), options.test_split};
  d.aoi = Register(outputs, root / d.naming.AoiDir(), /*report=*/true);
  if (emit_truth || options.test_split)
    d.truth = Register(outputs, root / "truth" / d.naming.AoiDir(), false);
  if (preview) d.preview = Register(outputs, root / "previews" / d.naming.AoiDir(), false);
  d.labels = options.test_split ? d.truth : d.aoi;
  return d;
}

void WriteRaster(const fs::path& path, const geo::Raster& raster) {
  fs::create_directories(path.parent_path());
  // Level 1 DEFLATE with horizontal differencing: most of the size gain at a fraction of the
  // default level's time on noisy 11-bit data.
  geo::WriteGeoTiff(path, raster, {.creation_options = {"ZLEVEL=1"}});
}

void WriteTruth(const fs::path& path, const SynthImage& image, const ImagePlan& plan) {
  const Canvas& canvas = image.scene.canvas;
  geo::Raster truth(geo::PixelType::kUInt8, 3, canvas.size, canvas.size);
  const cv::Mat* layers[3] = {&canvas.road, &canvas.paved, &canvas.occluder};
  for (int b = 0; b < 3; ++b) {
    auto band = truth.Band<uint8_t>(b);
    std::copy(layers[b]->ptr<uint8_t>(), layers[b]->ptr<uint8_t>() + band.size(), band.begin());
  }
  truth.georef = plan.georef;
  truth.band_names = {"labelled_road_surface", "paved_surface", "occluder"};
  WriteRaster(path, truth);
}

void WriteImage(const Destinations& d, const ImagePlan& plan, const SynthImage& image,
                bool emit_truth) {
  using geo::SpaceNetProduct;
  const Imagery& imagery = image.imagery;
  WriteRaster(d.aoi / d.naming.ProductPath(SpaceNetProduct::kMulPanSharpen, plan.image_id),
              imagery.mul_pansharpen);
  WriteRaster(d.aoi / d.naming.ProductPath(SpaceNetProduct::kRgbPanSharpen, plan.image_id),
              imagery.rgb_pansharpen);
  WriteRaster(d.aoi / d.naming.ProductPath(SpaceNetProduct::kPan, plan.image_id), imagery.pan);
  WriteRaster(d.aoi / d.naming.ProductPath(SpaceNetProduct::kMul, plan.image_id), imagery.mul);
  fs::path labels = d.labels / d.naming.LabelPath(plan.image_id);
  fs::create_directories(labels.parent_path());
  geo::WriteRoadGeoJson(labels, image.labels);
  if (emit_truth) WriteTruth(d.truth / fmt::format("truth_{}.tif", plan.image_id), image, plan);
  if (!d.preview.empty()) {
    cv::imwrite((d.preview / (plan.image_id + ".png")).string(),
                PreviewImage(imagery, d.preview_panel));
  }
}

void WriteSummary(const Destinations& d, const std::vector<ImagePlan>& plans) {
  std::vector<geo::WktPixRow> rows;
  for (const ImagePlan& plan : plans) {
    if (plan.lines.empty()) rows.push_back({plan.image_id, {}});
    for (const geo::LineString& line : plan.lines) rows.push_back({plan.image_id, line});
  }
  fs::path path = d.labels / d.naming.SummaryPath();
  fs::create_directories(path.parent_path());
  geo::WriteWktPixCsv(path, rows);
}

nlohmann::json RunSynth(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  SynthOptions options;
  options.style = &CityStyleFor(params.GetString("city"));
  options.images = static_cast<int>(params.GetInt("images"));
  options.seed = context.seed();
  options.layout = params.GetString("layout") == "sn3" ? geo::SpaceNetLayout::kOriginal
                                                       : geo::SpaceNetLayout::kRelease2019;
  options.test_split = params.GetString("split") == "test_public";
  options.procedural = params.GetString("roads") == "procedural";
  options.size = static_cast<int>(params.GetInt("size"));
  if (!options.procedural) {
    options.road_csv =
        params.Has("road_csv") ? params.GetPath("road_csv") : DefaultRoadCsv(*options.style);
    if (!fs::exists(options.road_csv)) {
      Throw(ErrorCode::kIo,
            "real road graphs '{}' not found; pass --road-csv, set "
            "ROADBREW_DATA_DIR, or use --roads procedural",
            options.road_csv.string());
    }
  }
  bool emit_truth = params.GetBool("emit_truth");
  std::vector<ImagePlan> plans = PlanImages(options);
  Destinations destinations = PrepareDestinations(options, emit_truth, params.GetBool("preview"),
                                                  outputs.Path("out"), outputs);
  destinations.preview_panel = static_cast<int>(params.GetInt("preview_size"));

  // One image per task, each single-threaded inside: the output depends only on (seed, image),
  // never on how many threads run.
  cv::setNumThreads(1);
  auto start = std::chrono::steady_clock::now();
  auto progress = context.StartProgress(
      fmt::format("rendering {} {} images", options.images, options.style->key),
      static_cast<int64_t>(plans.size()));
  tbb::parallel_for(size_t{0}, plans.size(), [&](size_t i) {
    context.CheckCancelled();
    SynthImage image = RenderImage(plans[i], options);
    WriteImage(destinations, plans[i], image, emit_truth);
    progress->Advance();
  });
  progress->Finish();
  WriteSummary(destinations, plans);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  size_t roads = 0, empty = 0;
  for (const ImagePlan& plan : plans) {
    roads += plan.lines.size();
    empty += plan.lines.empty();
  }
  LogInfo("{} images of {} in {:.1f} s ({:.2f} images/s) under '{}'", plans.size(),
          options.style->aoi, seconds, plans.size() / seconds,
          (outputs.Path("out") / destinations.naming.AoiDir()).string());
  return {{"aoi", options.style->aoi},
          {"images", plans.size()},
          {"empty_images", empty},
          {"road_lines", roads},
          {"road_source", options.procedural ? "procedural" : options.road_csv.string()},
          {"seconds", seconds},
          {"images_per_second", plans.size() / seconds}};
}

}  // namespace

cli::StageDescriptor SynthStage() {
  cli::StageDescriptor stage;
  stage.name = "rb-synth";
  stage.summary = "Render SpaceNet 3 look-alike AOIs around real road networks.";
  stage.description =
      "Writes <out>/AOI_<n>_<City>_Roads_Train/ (or the 2019 layout) with MUL-PanSharpen (8-band), "
      "RGB-PanSharpen, PAN and MUL GeoTIFFs (UInt16, 11-bit, EPSG:4326, 2.7e-6 deg pixels on the "
      "city's tile grid), label GeoJSONs in the SpaceNet schema and the summaryData CSV. Scenes "
      "are drawn around real SpaceNet road graphs of the city (data-samples/, CC BY-SA 4.0) "
      "unless --roads procedural. The same arguments give the same bytes, whatever --threads.";
  ParamSpecs& p = stage.params;
  std::vector<std::string> cities;
  for (std::string_view key : CityKeys()) cities.emplace_back(key);
  p.Choice("city", "city style and AOI", cities, "vegas");
  p.Int("images", "number of images", 24).Range(1, 100000);
  p.Output("out", "dataset root folder (AOI folders are created inside)").Directory().Required();
  p.Choice("layout", "SpaceNet release layout", {"sn3", "sn3-2019"}, "sn3");
  p.Choice("split", "train (with labels) or test_public (imagery only; labels under truth/)",
           {"train", "test_public"}, "train");
  p.Choice("roads", "real SpaceNet road graphs or a procedural network", {"real", "procedural"},
           "real");
  p.Input("road_csv", "summaryData CSV of real graphs (default: the city's file in data-samples/)");
  p.Int("size", "tile size in pixels (procedural roads only; real graphs are 1300)", 1300)
      .Range(64, 20000);
  p.Bool("emit_truth",
         "also write truth/<AOI>/truth_<id>.tif: labelled road surface, paved "
         "surface, occluders (uint8 0/1)");
  p.Bool("preview", "also write previews/<AOI>/<id>.png (true colour beside NIR false colour)");
  p.Int("preview_size", "side of each preview panel in pixels", 650).Range(32, 4096);
  stage.run = RunSynth;
  return stage;
}

}  // namespace rb::synth
