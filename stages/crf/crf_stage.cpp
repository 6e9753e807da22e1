// rb-crf's parameters and Run function: pairs probability rasters with their images, refines
// each in windows and streams the outputs.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/geo/bands.hpp"
#include "common/geo/image_id.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/file_list.hpp"
#include "stages/crf/crf.hpp"
#include "stages/crf/crf_compare.hpp"
#include "stages/crf/crf_windows.hpp"

namespace rb::crf {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string_view> kRasterExtensions = {".tif", ".tiff", ".vrt"};

struct Job {
  fs::path prob;
  fs::path image;  // empty without --image
  std::string stem;
};

std::string KeyOf(const fs::path& path) {
  std::string name = path.filename().string();
  if (auto id = geo::CanonicalImageId(name)) return *id;
  return name.substr(0, name.find('.'));
}

// Probability files with their images: one of each pair directly, otherwise by ImageId (or the
// name up to its first dot).
std::vector<Job> PairInputs(const Params& params, bool need_image) {
  std::vector<fs::path> probs = io::ListFiles(params.GetString("prob"), kRasterExtensions);
  std::vector<Job> jobs;
  std::map<std::string, fs::path> by_stem;
  for (const fs::path& prob : probs) {
    std::string name = prob.filename().string();
    jobs.push_back({prob, {}, name.substr(0, name.find('.'))});
    auto [it, added] = by_stem.emplace(jobs.back().stem, prob);
    RB_CHECK_ARG(added, "probabilities '{}' and '{}' would both write '{}.prob.tif'",
                 it->second.string(), prob.string(), jobs.back().stem);
  }
  if (!need_image) return jobs;
  RB_CHECK_ARG(params.Has("image"),
               "the appearance kernel needs --image (or set --appearance-compat 0)");
  std::vector<fs::path> images = io::ListFiles(params.GetString("image"), kRasterExtensions);
  if (probs.size() == 1 && images.size() == 1) {
    jobs[0].image = images[0];
    return jobs;
  }
  std::map<std::string, fs::path> by_key;
  for (const fs::path& image : images) by_key[KeyOf(image)] = image;
  for (Job& job : jobs) {
    auto it = by_key.find(KeyOf(job.prob));
    RB_CHECK_IO(it != by_key.end(), "no image for probabilities '{}' (image '{}') in '{}'",
                job.prob.string(), KeyOf(job.prob), params.GetString("image"));
    job.image = it->second;
  }
  return jobs;
}

CrfParams ReadCrfParams(const Params& params) {
  CrfParams crf;
  crf.smooth_sxy = static_cast<float>(params.GetFloat("smooth_sxy"));
  crf.smooth_compat = static_cast<float>(params.GetFloat("smooth_compat"));
  crf.appearance_sxy = static_cast<float>(params.GetFloat("appearance_sxy"));
  const std::vector<double>& srgb = params.GetFloatList("appearance_srgb");
  RB_CHECK_ARG(!srgb.empty(), "--appearance-srgb needs at least one value");
  crf.appearance_srgb.assign(srgb.begin(), srgb.end());
  crf.appearance_compat = static_cast<float>(params.GetFloat("appearance_compat"));
  crf.iterations = static_cast<int>(params.GetInt("iterations"));
  crf.unary_clip = static_cast<float>(params.GetFloat("unary_clip"));
  return crf;
}

// What one file's windows add up to, for the log and the run report.
struct Totals {
  int64_t pixels = 0, crf_pixels = 0, changed = 0, road_before = 0, road_after = 0;
  int windows = 0;
  double lattice_seconds = 0, inference_seconds = 0, crf_seconds = 0;
  std::vector<int> dims;
  std::vector<int64_t> vertices;  // largest window's, per kernel

  void Add(const RefineStats& s, const geo::Raster& before, const geo::Raster& after) {
    pixels += before.band_pixels();
    crf_pixels += s.crf_pixels;
    changed += s.changed;
    for (uint8_t v : before.Band<uint8_t>(0)) road_before += v == 1;
    for (uint8_t v : after.Band<uint8_t>(0)) road_after += v == 1;
    ++windows;
    lattice_seconds += s.lattice_seconds;
    inference_seconds += s.inference_seconds;
    crf_seconds += s.crf_seconds;
    dims = s.dims;
    vertices.resize(s.vertices.size(), 0);
    for (size_t k = 0; k < s.vertices.size(); ++k) {
      vertices[k] = std::max(vertices[k], s.vertices[k]);
    }
  }
  nlohmann::json ToJson(int labels) const {
    nlohmann::json j = {{"pixels", pixels},
                        {"crf_pixels", crf_pixels},
                        {"changed", changed},
                        {"windows", windows},
                        {"kernel_dims", dims},
                        {"lattice_vertices", vertices},
                        {"lattice_seconds", lattice_seconds},
                        {"inference_seconds", inference_seconds},
                        {"crf_seconds", crf_seconds}};
    if (labels == 2 && pixels > 0) {
      j["road_fraction_threshold"] = static_cast<double>(road_before) / pixels;
      j["road_fraction_crf"] = static_cast<double>(road_after) / pixels;
    }
    return j;
  }
};

// Opens a job's rasters, checking grids, bands and the srgb count.
WindowSource OpenSource(const Job& job, const Params& params, const CrfParams& crf) {
  WindowSource source(job.prob, job.image, params.GetString("bands"));
  const size_t srgb = crf.appearance_srgb.size();
  RB_CHECK_ARG(job.image.empty() || srgb == 1 || srgb == static_cast<size_t>(source.image_bands()),
               "{} srgb values for {} image bands of '{}': give one, or one per band", srgb,
               source.image_bands(), job.image.string());
  return source;
}

// The outputs of one probability raster, written window by window.
struct FileOutputs {
  geo::GeoTiffWriter prob;
  geo::GeoTiffWriter mask;
  std::optional<ComparePicture> picture;

  FileOutputs(const geo::RasterInfo& info, const fs::path& prob_path, const fs::path& mask_path,
              bool compare)
      : prob(prob_path, {info.width, info.height, info.bands, geo::PixelType::kFloat32, info.georef,
                         std::numeric_limits<double>::quiet_NaN(), info.band_names}),
        mask(mask_path,
             {info.width, info.height, 1, geo::PixelType::kUInt8, info.georef, 255.0, {"label"}}) {
    if (compare) picture.emplace(info.width, info.height);
  }
};

nlohmann::json RefineFile(const Job& job, const Params& params, const CrfParams& crf,
                          cli::StageOutputs& outputs, RunContext& context) {
  WindowSource source = OpenSource(job, params, crf);
  const geo::RasterInfo& info = source.info();
  const fs::path& dir = outputs.Path("out");
  FileOutputs out(info, outputs.Add(dir / (job.stem + ".prob.tif"), true),
                  outputs.Add(dir / (job.stem + ".mask.tif")), params.GetBool("compare"));
  Totals totals;
  const int tile = static_cast<int>(params.GetInt("tile"));
  const int margin = static_cast<int>(params.GetInt("margin"));
  for (const WindowPlan& plan : PlanWindows(info.width, info.height, tile, margin)) {
    context.CheckCancelled();
    SourceWindow in = source.Read(plan.context, out.picture.has_value());
    Refined refined = RefineWindow(in.probability, in.image ? &*in.image : nullptr, crf);
    const geo::Raster before = Crop(std::move(refined.input_labels), plan);
    const geo::Raster after = Crop(std::move(refined.labels), plan);
    out.prob.Write(Crop(std::move(refined.probability), plan), plan.core.column, plan.core.row);
    out.mask.Write(after, plan.core.column, plan.core.row);
    if (out.picture) {
      const geo::Raster& background = in.display ? *in.display : in.probability;
      out.picture->Add(plan.core.column, plan.core.row, Crop(background, plan), before, after);
    }
    totals.Add(refined.stats, before, after);
  }
  out.prob.Close();
  out.mask.Close();
  const int labels = info.bands == 1 ? 2 : info.bands;
  if (out.picture) out.picture->Write(outputs.Add(dir / (job.stem + ".compare.png")), labels);
  LogInfo("{}: {} of {} pixels changed label ({:.2f}%), lattices {:.2f} s, inference {:.2f} s",
          job.stem, totals.changed, totals.pixels, 100.0 * totals.changed / totals.pixels,
          totals.lattice_seconds, totals.inference_seconds);
  nlohmann::json figures = totals.ToJson(labels);
  figures["prob"] = job.prob.string();
  figures["image"] = job.image.string();
  return figures;
}

nlohmann::json RunCrf(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  const CrfParams crf = ReadCrfParams(params);
  const std::vector<Job> jobs = PairInputs(params, crf.appearance_compat > 0);
  for (const Job& job : jobs) OpenSource(job, params, crf);  // every input checked before work
  auto progress = context.StartProgress("crf", static_cast<int64_t>(jobs.size()));
  auto start = std::chrono::steady_clock::now();
  nlohmann::json files = nlohmann::json::array();
  for (const Job& job : jobs) {
    files.push_back(RefineFile(job, params, crf, outputs, context));
    progress->Advance();
  }
  progress->Finish();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {{"files", files}, {"seconds", seconds}};
}

}  // namespace

cli::StageDescriptor CrfStage() {
  cli::StageDescriptor stage;
  stage.name = "rb-crf";
  stage.summary = "Fully connected CRF refinement of road probabilities.";
  stage.description =
      "Mean-field inference in a fully connected CRF (Kraehenbuehl and Koltun 2011) with Potts "
      "compatibility: the unary is -log of the probabilities (1 band: road, so 2 labels; N "
      "bands: N classes), a smoothness kernel over pixel positions and an appearance kernel over "
      "positions and the chosen image bands, filtered with permutohedral lattices built once per "
      "window. For each probability raster (a file, a folder or a glob; images paired by "
      "ImageId), writes <out>/<name>.prob.tif (float32, the input's bands and georeference, NaN "
      "nodata), <name>.mask.tif (Byte: most probable label, 1 = road for 1-band inputs, 255 "
      "nodata) and with --compare <name>.compare.png (image, thresholded, CRF; road the CRF "
      "added in green, removed in red). Rasters larger than --tile run in tiles that see "
      "--margin pixels of context on each side.";
  ParamSpecs& p = stage.params;
  p.String("prob", "probability rasters: a file, a folder or a glob (rb-infer's .prob.tif)", {})
      .Required();
  p.String("image", "images on the same grids (prepared images): a file, a folder or a glob", {});
  p.String("bands", "image bands of the appearance kernel: all, rgb, rnir, 5,3,2, red,nir1", "all");
  p.Output("out", "output folder").Required().Directory();
  p.Bool("compare", "also write <name>.compare.png: image, thresholded labels, CRF labels");
  p.Float("smooth_sxy", "smoothness kernel standard deviation, pixels", 3).Range(0.01, 1e5);
  p.Float("smooth_compat", "smoothness kernel Potts weight (0: no smoothness kernel)", 3)
      .Range(0, 1e4);
  p.Float("appearance_sxy", "appearance kernel positional standard deviation, pixels", 80)
      .Range(0.01, 1e5);
  p.FloatList("appearance_srgb",
              "appearance kernel band standard deviation in image units: one, or one per band",
              {13})
      .Range(1e-6, 1e9);
  p.Float("appearance_compat", "appearance kernel Potts weight (0: no appearance kernel)", 10)
      .Range(0, 1e4);
  p.Int("iterations", "mean-field iterations", 5).Range(0, 1000);
  p.Float("unary_clip", "probabilities are raised to this before -log", 1e-5).Range(1e-30, 0.5);
  p.Int("tile", "rasters up to this size run whole; larger ones in tiles of this size", 2048)
      .Range(64, 65536);
  p.Int("margin", "context pixels read around each tile", 160).Range(0, 65536);
  stage.run = RunCrf;
  return stage;
}

}  // namespace rb::crf
